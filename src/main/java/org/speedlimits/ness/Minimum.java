package org.speedlimits.ness;

import java.util.Random;

/**
 * The minimum θ₀ of 𝓛 (Eq. 10) that the stationary-state theory expands around (Sec. 3.3: ∇𝓛(θ₀) = 0, H₀ positive
 * definite), by a saddle-free damped Newton method on the model's analytic gradient and Hessian.
 *
 * <p>Each step is p = −O diag(1/max(|h_a|, δ)) Oᵀ ∇𝓛 in the Hessian's eigenbasis (h_a its eigenvalues, δ = 1e-8
 * max|h_a|): plain Newton where the Hessian is positive definite, and a descent direction where it is not (negative
 * curvature is followed downhill, not uphill as plain Newton would, so a start near a saddle is not pulled into it).
 * A backtracking line search halves the step until the Armijo condition holds; near the minimum, where the loss
 * decrease drops below its rounding, a full Newton step is also accepted when it halves ‖∇𝓛‖. It stops when
 * ‖∇𝓛‖∞ ≤ the tolerance (1e-10 by default) and fails loudly otherwise (line search stalled, 20 iterations without
 * a new smallest ‖∇𝓛‖∞, or 1000 iterations).
 *
 * <p>Why not plain Newton: from the paper's starting points (θ ~ U[0,1)⁷ scaled to norm 0.5, {@link #paperStart})
 * plain Newton converges to saddles of Eq. 30's loss (𝓛 ≈ 1310 with two negative Hessian eigenvalues, against
 * 145 at the minimum for seed-0 data), for all 30 starts tried; this method reaches the same minimum (up to
 * {@link TanhRegression#canonical}) from all of them in about 20–25 iterations.
 */
public final class Minimum {
    /** The default stopping tolerance on ‖∇𝓛‖∞. */
    public static final double TOLERANCE = 1e-10;
    private static final int MAX_ITERATIONS = 1000;
    /** Iterations without a new smallest ‖∇𝓛‖∞ after which the search has stalled. */
    private static final int STALL_ITERATIONS = 20;

    /** A converged minimum: θ₀, Newton iterations used, ‖∇𝓛(θ₀)‖∞ and 𝓛(θ₀). */
    public record Result(double[] theta, int iterations, double gradientNorm, double loss) {}

    private Minimum() {}

    /**
     * The starting point of the authors' training: θ ~ Uniform[0,1)^n (from {@code new Random(seed).nextDouble()}),
     * rescaled to Euclidean norm 0.5.
     */
    public static double[] paperStart(int n, long seed) {
        Random rng = new Random(seed);
        double[] t = new double[n];
        double s = 0;
        for (int a = 0; a < n; a++) {
            t[a] = rng.nextDouble();
            s += t[a] * t[a];
        }
        double f = 0.5 / Math.sqrt(s);
        for (int a = 0; a < n; a++) t[a] *= f;
        return t;
    }

    /** The minimum reached from {@code start} with ‖∇𝓛‖∞ ≤ 1e-10. */
    public static Result find(NessModel model, double[] start) {
        return find(model, start, TOLERANCE);
    }

    /** The minimum reached from {@code start} with ‖∇𝓛‖∞ ≤ {@code tolerance}; throws if that is not reached. */
    public static Result find(NessModel model, double[] start, double tolerance) {
        int n = model.parameters();
        double[] theta = start.clone(), g = new double[n], trial = new double[n], gTrial = new double[n];
        double[] h = new double[n * n];
        double loss = model.loss(theta);
        model.gradient(theta, g);
        double best = Double.POSITIVE_INFINITY;
        int sinceBest = 0;
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            double gNorm = maxAbs(g);
            if (gNorm <= tolerance) return new Result(theta, it, gNorm, loss);
            if (gNorm < best) {
                best = gNorm;
                sinceBest = 0;
            } else if (++sinceBest > STALL_ITERATIONS) { // at the gradient's rounding floor
                throw new ArithmeticException("Newton stalled at ‖∇𝓛‖∞ = " + best + " after " + it
                        + " iterations (tolerance " + tolerance + " below the gradient's rounding?)");
            }
            model.hessian(theta, h);
            NessLinalg.Eigen e = NessLinalg.eigh(NessLinalg.symmetrize(NessLinalg.square(h, n)));
            double[] p = saddleFreeStep(e, g);
            boolean convex = e.values()[n - 1] > 0;
            double slope = 0;
            for (int a = 0; a < n; a++) slope += g[a] * p[a];
            double t = 1;
            while (true) {
                for (int a = 0; a < n; a++) trial[a] = theta[a] + t * p[a];
                double lt = model.loss(trial);
                boolean armijo = lt <= loss + 1e-4 * t * slope;
                boolean newtonRegime = false;
                if (!armijo && convex && t == 1) {
                    model.gradient(trial, gTrial);
                    newtonRegime = maxAbs(gTrial) <= 0.5 * gNorm;
                }
                if (armijo || newtonRegime) {
                    System.arraycopy(trial, 0, theta, 0, n);
                    loss = lt;
                    break;
                }
                t *= 0.5;
                if (t < 1e-30)
                    throw new ArithmeticException("Newton line search stalled at iteration " + it + ", ‖∇𝓛‖∞ = "
                            + gNorm + " (tolerance " + tolerance + " below the gradient's rounding?)");
            }
            model.gradient(theta, g);
        }
        throw new ArithmeticException("Newton did not reach ‖∇𝓛‖∞ ≤ " + tolerance + " in " + MAX_ITERATIONS
                + " iterations (now " + maxAbs(g) + ")");
    }

    /** −O diag(1/max(|h|, δ)) Oᵀ g. */
    private static double[] saddleFreeStep(NessLinalg.Eigen e, double[] g) {
        double[] h = e.values();
        double[][] o = e.vectors();
        int n = g.length;
        double floor = 1e-8 * Math.max(Math.abs(h[0]), Math.abs(h[n - 1]));
        double[] p = new double[n];
        for (int k = 0; k < n; k++) {
            double c = 0;
            for (int a = 0; a < n; a++) c += o[a][k] * g[a];
            c /= Math.max(Math.abs(h[k]), floor);
            for (int a = 0; a < n; a++) p[a] -= c * o[a][k];
        }
        return p;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
