package org.speedlimits.analysis;

/**
 * Linearised (fixed-kernel) gradient-flow predictions from an NTK spectrum, in the project's loss convention
 * (derivation: docs/analysis.md). With L = c/2 sum_i |f(x_i) - y_i|^2 (c = 1/n for train.loss = mean, 1 for sum),
 * dtheta/dt = -grad L and the trace kernel Theta = J J^T (eigenpairs lambda_k, v_k) every output's residue decays as
 * r_k(t) = exp(-c lambda_k t) r_k(0), and with Delta_k^2 = sum_a (v_k^T r_a(0))^2:
 * <pre>
 *   |theta_t - theta_0|^2 = sum_k Delta_k^2 / lambda_k (1 - e^{-c lambda_k t})^2          (Eq. 14/56)
 *   L_0 - L_t             = c/2 sum_k Delta_k^2 (1 - e^{-2 c lambda_k t})                  (Eq. 14/57)
 *   |dtheta/dt|^2         = c^2 sum_k lambda_k Delta_k^2 e^{-2 c lambda_k t},  l_gamma = int |dtheta/dt|  (Eq. 67)
 * </pre>
 * The paper (L = 1/2 sum, eta = 1) is c = 1. Modes with lambda_k <= 0 (round-off of a PSD Gram) do not move.
 */
public final class NtkTheory {
    private final double[] lambda;
    private final double[] delta2;
    private final double c;

    /** @param lossFactor c: 1/n for train.loss = mean, 1 for sum */
    public NtkTheory(double[] lambda, double[] delta2, double lossFactor) {
        if (lambda.length != delta2.length) {
            throw new IllegalArgumentException("eigenvalues (" + lambda.length + ") and projections (" + delta2.length + ") differ in length");
        }
        this.lambda = lambda.clone();
        this.delta2 = delta2.clone();
        this.c = lossFactor;
    }

    /** c of the project's loss convention: 1/n for "mean", 1 for "sum". */
    public static double lossFactor(String lossConvention, long n) {
        return switch (lossConvention) {
            case "mean" -> 1.0 / n;
            case "sum" -> 1.0;
            default -> throw new AnalysisException("train.loss '" + lossConvention + "' is not 'mean' or 'sum'");
        };
    }

    public double dist2(double t) {
        double s = 0;
        for (int k = 0; k < lambda.length; k++) {
            if (lambda[k] > 0) {
                double g = -Math.expm1(-c * lambda[k] * t);
                s += delta2[k] * g * g / lambda[k];
            }
        }
        return s;
    }

    public double lossDrop(double t) {
        double s = 0;
        for (int k = 0; k < lambda.length; k++) {
            if (lambda[k] > 0) {
                s += delta2[k] * -Math.expm1(-2 * c * lambda[k] * t);
            }
        }
        return 0.5 * c * s;
    }

    /** t (L_0 - L_t) / |theta_t - theta_0|^2 (the inverse of Eq. 58, with lambda -> c lambda). */
    public double inefficiency(double t) {
        return t * lossDrop(t) / dist2(t);
    }

    /** |dtheta/dt|^2 at time t. */
    public double speed2(double t) {
        double s = 0;
        for (int k = 0; k < lambda.length; k++) {
            if (lambda[k] > 0) {
                s += lambda[k] * delta2[k] * Math.exp(-2 * c * lambda[k] * t);
            }
        }
        return c * c * s;
    }

    /**
     * l_gamma(t) = int_0^t |dtheta/ds| ds at each of {@code times} (ascending, >= 0), by Simpson's rule on a
     * log-spaced grid that resolves every time scale 1/(c lambda_k) (relative error ~1e-7).
     */
    public double[] pathLength(double[] times) {
        double tMax = 0;
        double rateMax = 0;
        for (double t : times) tMax = Math.max(tMax, t);
        for (double l : lambda) rateMax = Math.max(rateMax, c * l);
        double[] out = new double[times.length];
        if (tMax <= 0 || rateMax <= 0) {
            return out;
        }
        double tMin = Math.min(1e-4 / rateMax, tMax * 1e-6);
        int points = 6000;
        double[] grid = new double[points + 1];
        double[] cumulative = new double[points + 1];
        grid[0] = 0;
        for (int i = 1; i <= points; i++) {
            grid[i] = tMin * Math.pow(tMax / tMin, (i - 1) / (double) (points - 1));
        }
        for (int i = 1; i <= points; i++) {
            double a = grid[i - 1], b = grid[i];
            double fa = Math.sqrt(speed2(a)), fm = Math.sqrt(speed2(0.5 * (a + b))), fb = Math.sqrt(speed2(b));
            cumulative[i] = cumulative[i - 1] + (b - a) / 6 * (fa + 4 * fm + fb);
        }
        for (int j = 0; j < times.length; j++) {
            out[j] = interpolate(grid, cumulative, times[j]);
        }
        return out;
    }

    private static double interpolate(double[] x, double[] y, double at) {
        int i = java.util.Arrays.binarySearch(x, at);
        if (i >= 0) return y[i];
        int hi = -i - 1;
        if (hi >= x.length) return y[x.length - 1];
        if (hi == 0) return y[0];
        double w = (at - x[hi - 1]) / (x[hi] - x[hi - 1]);
        return y[hi - 1] + w * (y[hi] - y[hi - 1]);
    }
}
