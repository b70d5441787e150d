package org.speedlimits.train;

import java.util.Collection;
import java.util.Collections;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * A set of epochs in [0, E]: every k-th (k = 0: none), m log-spaced ones in [1, E] (so early dynamics are resolved),
 * any explicit ones, and 0 and E themselves. Used for test evaluation, checkpoints and expensive hooks.
 */
public final class EpochSchedule {
    private final TreeSet<Long> epochs = new TreeSet<>();

    public EpochSchedule(long totalEpochs, long every, int logPoints, Collection<Long> explicit) {
        epochs.add(0L);
        epochs.add(totalEpochs);
        if (every > 0) {
            for (long e = 0; e <= totalEpochs; e += every) {
                epochs.add(e);
            }
        }
        epochs.addAll(logSpaced(totalEpochs, logPoints));
        for (long e : explicit) {
            if (e >= 0 && e <= totalEpochs) {
                epochs.add(e);
            }
        }
    }

    public EpochSchedule(long totalEpochs, long every, int logPoints) {
        this(totalEpochs, every, logPoints, Collections.emptyList());
    }

    /** m epochs spaced evenly in log between 1 and E (rounded; duplicates merge). */
    public static TreeSet<Long> logSpaced(long totalEpochs, int points) {
        TreeSet<Long> out = new TreeSet<>();
        if (totalEpochs < 1) {
            return out;
        }
        double top = Math.log10(totalEpochs);
        for (int i = 0; i < points; i++) {
            double exponent = points == 1 ? top : top * i / (points - 1);
            out.add(Math.max(1, Math.min(totalEpochs, Math.round(Math.pow(10, exponent)))));
        }
        return out;
    }

    public boolean contains(long epoch) {
        return epochs.contains(epoch);
    }

    public NavigableSet<Long> epochs() {
        return Collections.unmodifiableNavigableSet(epochs);
    }

    public int size() {
        return epochs.size();
    }
}
