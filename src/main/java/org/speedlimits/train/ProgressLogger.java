package org.speedlimits.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/** Logs a progress line every k epochs or every few seconds, and at the last epoch. */
public final class ProgressLogger implements EpochListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressLogger.class);

    private final long totalEpochs;
    private final long every;
    private final double seconds;
    private double lastLogged = Double.NEGATIVE_INFINITY;
    private double lastTestAccuracy = Double.NaN;

    private final long startEpoch;

    /** @param startEpoch the first epoch of this session (after a resume, rates count from there) */
    public ProgressLogger(long startEpoch, long totalEpochs, long every, double seconds) {
        this.startEpoch = startEpoch;
        this.totalEpochs = totalEpochs;
        this.every = every;
        this.seconds = seconds;
    }

    @Override
    public void onEpoch(EpochContext context) {
        EpochRecord r = context.record();
        if (r.hasTest()) {
            lastTestAccuracy = r.testAccuracy();
        }
        boolean due = r.epoch() == startEpoch || r.epoch() == totalEpochs
                || (every > 0 && r.epoch() % every == 0) || r.wallSeconds() - lastLogged >= seconds;
        if (!due) {
            return;
        }
        lastLogged = r.wallSeconds();
        double rate = (r.epoch() - startEpoch) / Math.max(r.wallSeconds(), 1e-9);
        LOG.info(String.format(Locale.ROOT,
                "epoch %d/%d  t=%.4g  train_loss=%.5g  train_acc=%.3f  test_acc=%s  grad_evals=%d  %.2f epochs/s  ETA %s",
                r.epoch(), totalEpochs, r.time(), r.trainLoss(), r.trainAccuracy(),
                Double.isNaN(lastTestAccuracy) ? "-" : String.format(Locale.ROOT, "%.3f", lastTestAccuracy),
                r.gradEvals(), rate, r.epoch() == startEpoch ? "-" : duration((totalEpochs - r.epoch()) / rate)));
    }

    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
