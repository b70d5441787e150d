package org.speedlimits.ness;

import java.util.Random;

/**
 * A one-dimensional regression data set (x_i, y_i), i = 1..M, with the noise scale ε that also sets the loss scale
 * ℓ_i = (M/2ε²)(y_i − f(x_i))² of Sec. 4.1. {@link #paper(long)} builds the Sec. 4.1 set: M = 200,
 * x_i = −3 + 0.03(i−1), y_i = exp(−x_i²) + ε g_i with ε = 0.1 and g_i the first M draws of
 * {@code new Random(seed).nextGaussian()} in order i = 1..M.
 *
 * <p>The arrays are copied in and out, so an instance is immutable. {@code seed} is the seed that generated y, or any
 * label for hand-made data.
 */
public record RegressionData(double[] x, double[] y, double epsilon, long seed) {
    /** M of Sec. 4.1. */
    public static final int PAPER_M = 200;
    /** ε of Sec. 4.1 (noise standard deviation and loss scale). */
    public static final double PAPER_EPSILON = 0.1;

    /** Explicit data: x and y of equal length M ≥ 2, ε > 0. */
    public RegressionData {
        if (x.length != y.length) throw new IllegalArgumentException("x has " + x.length + " points, y " + y.length);
        if (x.length < 2) throw new IllegalArgumentException("need at least 2 examples, got " + x.length);
        if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
        x = x.clone();
        y = y.clone();
    }

    /** The Sec. 4.1 data set for a noise seed (M = 200, ε = 0.1). */
    public static RegressionData paper(long seed) {
        double[] x = new double[PAPER_M], y = new double[PAPER_M];
        Random rng = new Random(seed);
        for (int k = 0; k < PAPER_M; k++) { // k = i − 1
            x[k] = -3 + 0.03 * k;
            y[k] = Math.exp(-x[k] * x[k]) + PAPER_EPSILON * rng.nextGaussian();
        }
        return new RegressionData(x, y, PAPER_EPSILON, seed);
    }

    /** M, the number of examples. */
    public int size() {
        return x.length;
    }

    /** A copy of the inputs x_i. */
    @Override
    public double[] x() {
        return x.clone();
    }

    /** A copy of the targets y_i. */
    @Override
    public double[] y() {
        return y.clone();
    }
}
