package org.speedlimits.train;

/**
 * What the trainer measured at theta_epoch (after {@code epoch} GD steps): one row of metrics.csv.
 * Test values are NaN on epochs the evaluation schedule skips.
 *
 * @param time                    physical time t = lr * epoch
 * @param gradNormSquared         |grad L|^2 at theta_epoch in the trained coordinates
 * @param distanceSquaredFromInit |theta_epoch - theta_0|^2 in the parameterisation's metric
 * @param extras                  the measures' values, in the order of their columns (NaN: not measured)
 */
public record EpochRecord(long epoch, double time, double trainLoss, double trainAccuracy,
                          double testLoss, double testAccuracy, double gradNormSquared,
                          double distanceSquaredFromInit, double wallSeconds, double[] extras) {
    public boolean hasTest() {
        return !Double.isNaN(testLoss);
    }
}
