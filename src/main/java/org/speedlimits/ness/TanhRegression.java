package org.speedlimits.ness;

/**
 * The two-neuron regression network of Sec. 4.1, Eq. 30:
 * f(x; θ) = θ5 tanh(θ1 x + θ3) + θ6 tanh(θ2 x + θ4) + θ7 (N = 7; in code θ is 0-based, theta[0] = θ1 … theta[6] = θ7),
 * with ℓ_i = (M/2ε²)(y_i − f(x_i; θ))² and R = λ‖θ‖² (λ = 10 in the paper), so 𝓛 = (1/2ε²)Σ_i(y_i − f)² + λ‖θ‖².
 *
 * <p>Gradients and Hessians are analytic: with r_i = y_i − f(x_i), ∇ℓ_i = −(M/ε²) r_i ∇f and
 * ∇²ℓ_i = (M/ε²)(∇f ∇fᵀ − r_i ∇²f). Immutable; {@link #addExampleGradients} allocates nothing.
 *
 * <p>Symmetries of Eq. 30: tanh is odd, so flipping the signs of (θ1, θ3, θ5) or of (θ2, θ4, θ6) leaves f unchanged,
 * and so does swapping the units (θ1↔θ2, θ3↔θ4, θ5↔θ6): every θ has 8 copies with the same loss (the regulariser is
 * symmetric too). {@link #canonical} picks one of them.
 */
public final class TanhRegression implements NessModel {
    /** N of Eq. 30. */
    public static final int N = 7;
    /** λ of Sec. 4.1. */
    public static final double PAPER_LAMBDA = 10;

    private final double[] x, y;
    private final double lambda;
    /** M/ε²: ℓ_i = ½ (M/ε²) r_i². */
    private final double c;

    /** Eq. 30 on {@code data} with regulariser strength λ. */
    public TanhRegression(RegressionData data, double lambda) {
        this.x = data.x();
        this.y = data.y();
        this.lambda = lambda;
        this.c = x.length / (data.epsilon() * data.epsilon());
    }

    /** Eq. 30 on {@code data} with the paper's λ = 10. */
    public TanhRegression(RegressionData data) {
        this(data, PAPER_LAMBDA);
    }

    @Override
    public int parameters() {
        return N;
    }

    @Override
    public int examples() {
        return x.length;
    }

    @Override
    public double lambda() {
        return lambda;
    }

    /** f(x; θ) of Eq. 30. */
    public static double output(double[] theta, double x) {
        return theta[4] * tanh(theta[0] * x + theta[2]) + theta[5] * tanh(theta[1] * x + theta[3]) + theta[6];
    }

    /**
     * tanh u = 1 − 2/(e^{2u} + 1): about 3× faster than Math.tanh (no intrinsic in Java 17) in the SGD hot loop,
     * with absolute error ≤ 4e-16 (relative accuracy near u = 0 is lost, but only f's absolute error matters here);
     * e^{2u} overflowing to ∞ or underflowing to 0 gives ±1 exactly.
     */
    static double tanh(double u) {
        return 1 - 2 / (Math.exp(2 * u) + 1);
    }

    @Override
    public double exampleLoss(double[] theta, int i) {
        double r = y[i] - output(theta, x[i]);
        return 0.5 * c * r * r;
    }

    @Override
    public void exampleGradient(double[] theta, int i, double[] out) {
        java.util.Arrays.fill(out, 0);
        addExampleGradient(theta, i, 1, out);
    }

    /** out += scale·∇ℓ_i = −scale (M/ε²) r_i ∇f(x_i). */
    private void addExampleGradient(double[] theta, int i, double scale, double[] out) {
        double xi = x[i];
        double t1 = tanh(theta[0] * xi + theta[2]), t2 = tanh(theta[1] * xi + theta[3]);
        double r = y[i] - (theta[4] * t1 + theta[5] * t2 + theta[6]);
        double k = -scale * c * r;
        double a1 = k * theta[4] * (1 - t1 * t1), a2 = k * theta[5] * (1 - t2 * t2); // k ∂f/∂θ3, k ∂f/∂θ4
        out[0] += a1 * xi;
        out[1] += a2 * xi;
        out[2] += a1;
        out[3] += a2;
        out[4] += k * t1;
        out[5] += k * t2;
        out[6] += k;
    }

    @Override
    public void addExampleGradients(double[] theta, int[] idx, int from, int to, double scale, double[] grad) {
        for (int k = from; k < to; k++) addExampleGradient(theta, idx[k], scale, grad);
    }

    @Override
    public void exampleHessian(double[] theta, int i, double[] out) {
        java.util.Arrays.fill(out, 0);
        addExampleHessian(theta, i, 1, out, new double[N]);
    }

    /**
     * out += scale·∇²ℓ_i = scale (M/ε²)(∇f ∇fᵀ − r ∇²f); the nonzero ∇²f entries, with s = 1 − tanh² and
     * ∂s/∂u = −2 tanh·s: ∂²f/∂θ1² = −2θ5 t s x², ∂θ1∂θ3 = −2θ5 t s x, ∂θ3² = −2θ5 t s, ∂θ1∂θ5 = s x, ∂θ3∂θ5 = s
     * (and the same for unit 2).
     */
    private void addExampleHessian(double[] theta, int i, double scale, double[] out, double[] df) {
        double xi = x[i];
        double t1 = tanh(theta[0] * xi + theta[2]), t2 = tanh(theta[1] * xi + theta[3]);
        double s1 = 1 - t1 * t1, s2 = 1 - t2 * t2;
        double r = y[i] - (theta[4] * t1 + theta[5] * t2 + theta[6]);
        df[0] = theta[4] * s1 * xi;
        df[1] = theta[5] * s2 * xi;
        df[2] = theta[4] * s1;
        df[3] = theta[5] * s2;
        df[4] = t1;
        df[5] = t2;
        df[6] = 1;
        double k = scale * c;
        for (int a = 0; a < N; a++) {
            double ka = k * df[a];
            for (int b = 0; b < N; b++) out[a * N + b] += ka * df[b];
        }
        double kr = -k * r;
        addUnitCurvature(out, 0, 2, 4, kr * theta[4] * (-2 * t1 * s1), kr * s1, xi);
        addUnitCurvature(out, 1, 3, 5, kr * theta[5] * (-2 * t2 * s2), kr * s2, xi);
    }

    /**
     * Adds one hidden unit's ∇²f block (times the factor already folded into {@code curv} = kr θ_out ∂s/∂u and
     * {@code lin} = kr s): input weight w, bias b, output weight o.
     */
    private static void addUnitCurvature(double[] out, int w, int b, int o, double curv, double lin, double xi) {
        out[w * N + w] += curv * xi * xi;
        out[b * N + b] += curv;
        out[w * N + b] += curv * xi;
        out[b * N + w] += curv * xi;
        out[w * N + o] += lin * xi;
        out[o * N + w] += lin * xi;
        out[b * N + o] += lin;
        out[o * N + b] += lin;
    }

    /** ∇𝓛 = (1/M)Σ∇ℓ_i + 2λθ without the index array of the default. */
    @Override
    public void gradient(double[] theta, double[] out) {
        java.util.Arrays.fill(out, 0);
        int m = x.length;
        for (int i = 0; i < m; i++) addExampleGradient(theta, i, 1.0 / m, out);
        for (int a = 0; a < N; a++) out[a] += 2 * lambda * theta[a];
    }

    /** ∇²𝓛 = (1/M)Σ∇²ℓ_i + 2λI, accumulated in place. */
    @Override
    public void hessian(double[] theta, double[] out) {
        java.util.Arrays.fill(out, 0);
        int m = x.length;
        double[] df = new double[N];
        for (int i = 0; i < m; i++) addExampleHessian(theta, i, 1.0 / m, out, df);
        for (int a = 0; a < N; a++) out[a * N + a] += 2 * lambda;
    }

    /**
     * The canonical copy of θ under Eq. 30's symmetries (see the class comment): each unit's sign is flipped so that
     * its input weight (θ1, θ2) is ≥ 0, then the units are ordered by input weight, descending (ties: by bias θ3, θ4,
     * then output weight θ5, θ6, descending). All 8 copies of a θ with nonzero, distinct input weights map to one
     * array. Returns a new array.
     */
    public static double[] canonical(double[] theta) {
        double[] t = theta.clone();
        for (int u = 0; u < 2; u++)
            if (t[u] < 0 || (t[u] == 0 && (t[2 + u] < 0 || (t[2 + u] == 0 && t[4 + u] < 0))))
                for (int k = u; k < 6; k += 2) t[k] = -t[k];
        if (compareUnits(t) < 0)
            for (int k = 0; k < 6; k += 2) {
                double s = t[k];
                t[k] = t[k + 1];
                t[k + 1] = s;
            }
        return t;
    }

    /** > 0 when unit 1 comes first: lexicographic on (input weight, bias, output weight). */
    private static int compareUnits(double[] t) {
        for (int k = 0; k < 6; k += 2) {
            int c = Double.compare(t[k], t[k + 1]);
            if (c != 0) return c;
        }
        return 0;
    }
}
