package org.speedlimits.train;

/**
 * What the trainer measured at one row, theta at time t = lr * epoch: one row of metrics.csv. Test values are NaN
 * on rows the evaluation schedule skips.
 *
 * @param epoch                   the row key: t / lr (for gd the number of steps taken)
 * @param time                    physical time t = lr * epoch
 * @param gradNormSquared         |grad L|^2 at theta_t in the trained coordinates
 * @param distanceSquaredFromInit |theta_t - theta_0|^2 in the parameterisation's metric
 * @param pathLength              l_gamma(t) = integral |d theta/dt| dt, in the same metric
 * @param gradEvals               gradient evaluations the dynamics made to get here (the cost)
 * @param steps                   accepted steps of the dynamics
 * @param dynamicsValues          the dynamics' own columns (flow: rejected steps, stages, spectral radius, step)
 * @param extras                  the measures' values, in the order of their columns (NaN: not measured)
 */
public record EpochRecord(long epoch, double time, double trainLoss, double trainAccuracy,
                          double testLoss, double testAccuracy, double gradNormSquared,
                          double distanceSquaredFromInit, double pathLength, long gradEvals, long steps,
                          double[] dynamicsValues, double wallSeconds, double[] extras) {
    public boolean hasTest() {
        return !Double.isNaN(testLoss);
    }

    public EpochRecord withExtras(double[] values) {
        return new EpochRecord(epoch, time, trainLoss, trainAccuracy, testLoss, testAccuracy, gradNormSquared,
                distanceSquaredFromInit, pathLength, gradEvals, steps, dynamicsValues, wallSeconds, values);
    }
}
