package org.speedlimits.ness;

/**
 * A test and benchmark copy of the regression network of Sec. 4.1 (Eq. 30): f(x; θ) = θ₅ tanh(θ₁x + θ₃) +
 * θ₆ tanh(θ₂x + θ₄) + θ₇, ℓ_i = (M/2ε²)(y_i − f(x_i))², R = λ‖θ‖², on x_i = −3 + 0.03(i − 1), y_i = exp(−x_i²) +
 * N(0, ε²). Parameter θ_α is {@code theta[α − 1]}. (The project's own model of Eq. 30 lives with the theory; this
 * one exists so the samplers can be timed and tested without it.)
 *
 * <p>{@link #addExampleGradients} keeps the seven sums in locals and evaluates tanh with {@link #tanh}, which is
 * several times faster than Java 17's {@code Math.tanh} (a native fdlibm call) and agrees with it to ≤ 1e-15
 * relative (LocalTanhNetTest).
 */
public final class LocalTanhNet implements NessModel {
    private final double[] xs, ys;
    private final double lambda;
    private final double c; // M/ε², the derivative factor of ℓ_i with respect to f

    public LocalTanhNet(double[] xs, double[] ys, double eps, double lambda) {
        if (xs.length != ys.length) throw new IllegalArgumentException("x and y lengths differ");
        this.xs = xs.clone();
        this.ys = ys.clone();
        this.lambda = lambda;
        this.c = xs.length / (eps * eps);
    }

    /** The paper's data set (M = 200, ε = 0.1, λ = 10) with noise drawn from {@code seed}. */
    public static LocalTanhNet paper(long seed) {
        int m = 200;
        double eps = 0.1;
        double[] x = new double[m], y = new double[m];
        Rng r = new Rng(seed);
        for (int i = 0; i < m; i++) {
            x[i] = -3 + 0.03 * i;
            y[i] = Math.exp(-x[i] * x[i]) + eps * r.nextGaussian();
        }
        return new LocalTanhNet(x, y, eps, 10);
    }

    /**
     * tanh(x) without Math.tanh: for |x| &lt; 3, Lambert's continued fraction for tanh truncated to its [13/14] Padé
     * form x·P(s)/Q(s), s = x², P and Q of degree 6 and 7 with positive integer coefficients (exact in double, so
     * Horner's rule adds no cancellation), truncation error below 1e-18 relative on |x| &lt; 3; above, 1 − 2/(e^{2|x|}
     * + 1) with the sign of x (1 − tanh ≤ 0.005 there, so the subtraction loses nothing; e^{2|x|} = ∞ gives exactly
     * 1). Within a few ulp of the exact value; the branch is taken the same way for most pre-activations of a
     * trained network, and the exp (a HotSpot intrinsic, unlike Math.tanh) only for the saturated ones.
     */
    public static double tanh(double x) {
        double a = Math.abs(x);
        if (a < 3) {
            double s = x * x;
            double p = 213458046676875.0 + s * (31623414322500.0 + s * (1159525191825.0 + s * (15713497800.0
                    + s * (87297210.0 + s * (185640.0 + s * 105)))));
            double q = 213458046676875.0 + s * (102776096548125.0 + s * (6957151150950.0 + s * (151242416325.0
                    + s * (1309458150.0 + s * (4594590.0 + s * (5460.0 + s))))));
            return x * p / q;
        }
        return Math.copySign(1 - 2 / (Math.exp(2 * a) + 1), x);
    }

    @Override public int parameters() {
        return 7;
    }

    @Override public int examples() {
        return xs.length;
    }

    @Override public double lambda() {
        return lambda;
    }

    public double x(int i) {
        return xs[i];
    }

    public double y(int i) {
        return ys[i];
    }

    /** f(x; θ). */
    public static double f(double[] t, double x) {
        return t[4] * tanh(t[0] * x + t[2]) + t[5] * tanh(t[1] * x + t[3]) + t[6];
    }

    @Override public double exampleLoss(double[] theta, int i) {
        double r = ys[i] - f(theta, xs[i]);
        return 0.5 * c * r * r;
    }

    @Override public void exampleGradient(double[] theta, int i, double[] out) {
        java.util.Arrays.fill(out, 0);
        addExampleGradients(theta, new int[] {i}, 0, 1, 1, out);
    }

    @Override public void addExampleGradients(double[] theta, int[] idx, int from, int to, double scale, double[] grad) {
        double w1 = theta[0], w2 = theta[1], b1 = theta[2], b2 = theta[3], v1 = theta[4], v2 = theta[5], v0 = theta[6];
        double g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0;
        for (int k = from; k < to; k++) {
            int i = idx[k];
            double x = xs[i];
            double a1 = tanh(w1 * x + b1), a2 = tanh(w2 * x + b2);
            double r = v1 * a1 + v2 * a2 + v0 - ys[i]; // ∂ℓ/∂f = c·r
            double s1 = r * v1 * (1 - a1 * a1), s2 = r * v2 * (1 - a2 * a2);
            g0 += s1 * x;
            g2 += s1;
            g1 += s2 * x;
            g3 += s2;
            g4 += r * a1;
            g5 += r * a2;
            g6 += r;
        }
        double s = scale * c;
        grad[0] += s * g0;
        grad[1] += s * g1;
        grad[2] += s * g2;
        grad[3] += s * g3;
        grad[4] += s * g4;
        grad[5] += s * g5;
        grad[6] += s * g6;
    }

    /** ∇²ℓ_i = c(∇f∇fᵀ + r∇²f), r = f − y. */
    @Override public void exampleHessian(double[] t, int i, double[] out) {
        double x = xs[i];
        double a1 = tanh(t[0] * x + t[2]), a2 = tanh(t[1] * x + t[3]);
        double s1 = 1 - a1 * a1, s2 = 1 - a2 * a2;
        double r = t[4] * a1 + t[5] * a2 + t[6] - ys[i];
        double[] df = {t[4] * s1 * x, t[5] * s2 * x, t[4] * s1, t[5] * s2, a1, a2, 1};
        java.util.Arrays.fill(out, 0);
        for (int p = 0; p < 7; p++) for (int q = 0; q < 7; q++) out[p * 7 + q] = c * df[p] * df[q];
        // second derivatives of f: each hidden unit h couples (w_h, b_h, v_h); ∂s/∂u = −2 a s
        double[][] unit = {{0, 2, 4, a1, s1}, {1, 3, 5, a2, s2}};
        for (double[] u : unit) {
            int w = (int) u[0], b = (int) u[1], v = (int) u[2];
            double a = u[3], s = u[4], curv = t[v] * (-2 * a * s);
            addSym(out, w, w, c * r * curv * x * x);
            addSym(out, w, b, c * r * curv * x);
            addSym(out, b, b, c * r * curv);
            addSym(out, w, v, c * r * s * x);
            addSym(out, b, v, c * r * s);
        }
    }

    private static void addSym(double[] h, int p, int q, double v) {
        h[p * 7 + q] += v;
        if (p != q) h[q * 7 + p] += v;
    }
}
