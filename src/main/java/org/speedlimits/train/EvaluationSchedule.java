package org.speedlimits.train;

import java.util.TreeSet;

/** Epochs at which the test set is evaluated: 0, every k-th, the last, and m log-spaced epochs in [1, E]. */
public final class EvaluationSchedule {
    private final TreeSet<Long> epochs = new TreeSet<>();

    public EvaluationSchedule(long totalEpochs, long every, int logPoints) {
        for (long e = 0; e <= totalEpochs; e += every) {
            epochs.add(e);
        }
        epochs.add(totalEpochs);
        if (totalEpochs >= 1) {
            double top = Math.log10(totalEpochs);
            for (int i = 0; i < logPoints; i++) {
                double exponent = logPoints == 1 ? top : top * i / (logPoints - 1);
                epochs.add(Math.max(1, Math.min(totalEpochs, Math.round(Math.pow(10, exponent)))));
            }
        }
    }

    public boolean contains(long epoch) {
        return epochs.contains(epoch);
    }

    public int size() {
        return epochs.size();
    }
}
