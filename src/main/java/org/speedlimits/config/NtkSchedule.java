package org.speedlimits.config;


import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * When to compute the NTK: the entries of {@code ntk.epochs}. Each is an epoch number (time / lr), a physical time
 * {@code t=<t>}, {@code final} (the last
 * epoch, train.epochs) or {@code warm:<accuracy>} (the first epoch whose measured test accuracy reaches the
 * threshold; test accuracy exists only on the evaluation schedule, so it is the first evaluated epoch that does).
 */
public record NtkSchedule(TreeSet<Long> epochs, List<Double> warmThresholds) {
    public static final String FINAL = "final";
    public static final String WARM = "warm:";
    public static final String TIME = "t=";

    /** Parses the specs; {@code key} names the config key (or option) in error messages. */
    public static NtkSchedule parse(List<String> specs, long lastEpoch, double lr, String key) {
        TreeSet<Long> epochs = new TreeSet<>();
        List<Double> warm = new ArrayList<>();
        for (String raw : specs) {
            Spec s = parseOne(raw, lastEpoch, lr, key);
            if (s.epoch() >= 0) {
                epochs.add(s.epoch());
            } else if (!warm.contains(s.warmThreshold())) {
                warm.add(s.warmThreshold());
            }
        }
        return new NtkSchedule(epochs, warm);
    }

    /** One spec: a fixed epoch (warmThreshold NaN) or a warm threshold (epoch -1). */
    public record Spec(long epoch, double warmThreshold) {
    }

    public static Spec parseOne(String raw, long lastEpoch, double lr, String key) {
        String spec = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        if (spec.equals(FINAL)) {
            return new Spec(lastEpoch, Double.NaN);
        }
        if (spec.startsWith(WARM)) {
            double threshold = numberAfter(WARM, spec, raw, key, "threshold");
            if (!(threshold > 0 && threshold <= 1)) {
                throw bad(raw, key, "the threshold must be a test accuracy in (0, 1]");
            }
            return new Spec(-1, threshold);
        }
        if (spec.startsWith(TIME)) {
            double t = numberAfter(TIME, spec, raw, key, "time");
            long epoch = ExperimentConfig.epochOf(t, lr);
            if (epoch < 0 || epoch > lastEpoch) {
                throw bad(raw, key, "the time must be a whole multiple of train.lr = " + lr + " between 0 and T = "
                        + lr * lastEpoch);
            }
            return new Spec(epoch, Double.NaN);
        }
        long epoch;
        try {
            epoch = Long.parseLong(spec);
        } catch (NumberFormatException e) {
            throw bad(raw, key, "not an epoch number");
        }
        if (epoch < 0 || epoch > lastEpoch) {
            throw bad(raw, key, "the epoch must be between 0 and train.epochs = " + lastEpoch);
        }
        return new Spec(epoch, Double.NaN);
    }

    /** The number after a spec's prefix ("warm:", "t="), or an error naming it as {@code what}. */
    private static double numberAfter(String prefix, String spec, String raw, String key, String what) {
        String number = spec.substring(prefix.length()).trim();
        try {
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw bad(raw, key, "the " + what + " '" + number + "' is not a number");
        }
    }

    private static ConfigException bad(String raw, String key, String why) {
        return new ConfigException(key + ": epoch spec '" + raw + "' is invalid (" + why + "); expected an epoch "
                + "number, a time 't=<t>', 'final' or 'warm:<test accuracy>', e.g. [0, \"t=0.2\", final, \"warm:0.12\"]");
    }

    public boolean isEmpty() {
        return epochs.isEmpty() && warmThresholds.isEmpty();
    }
}
