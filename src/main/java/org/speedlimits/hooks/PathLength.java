package org.speedlimits.hooks;

import org.speedlimits.train.EpochContext;
import org.speedlimits.train.Measure;

import java.util.List;
import java.util.Map;

/**
 * Path length l_gamma(t) = sum_{k<t} |theta_{k+1} - theta_k| over every GD step, in the parameterisation's metric.
 * The step from theta_k is -lr * S g_k, whose length in the metric (weights 1/S) is lr * sqrt(sum S g_k^2) =
 * lr * |grad L|, so it is accumulated from the gradient the trainer already has (no extra pass over theta).
 */
public final class PathLength implements Measure {
    public static final String COLUMN = "path_length";
    private long lastEpoch = -1;
    private double lastValue;
    private double pendingStep;

    @Override
    public List<String> columns() {
        return List.of(COLUMN);
    }

    @Override
    public double[] measure(EpochContext c) {
        lastValue = valueAt(c.epoch());
        lastEpoch = c.epoch();
        pendingStep = c.lr() * Math.sqrt(c.record().gradNormSquared());
        return new double[]{lastValue};
    }

    /** l_gamma at the measured epoch or the one after it (after its step was taken). */
    double valueAt(long epoch) {
        if (lastEpoch < 0 || epoch == lastEpoch) {
            return lastValue;
        }
        if (epoch == lastEpoch + 1) {
            return lastValue + pendingStep;
        }
        throw new IllegalStateException("path length asked for epoch " + epoch + " after measuring " + lastEpoch);
    }

    @Override
    public Map<String, Double> stateAt(long epoch) {
        return Map.of(COLUMN, valueAt(epoch));
    }

    @Override
    public void restore(long epoch, Map<String, Double> state) {
        lastEpoch = epoch;
        lastValue = state.getOrDefault(COLUMN, 0.0);
        pendingStep = 0;
    }
}
