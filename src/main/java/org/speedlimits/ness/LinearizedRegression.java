package org.speedlimits.ness;

/**
 * The linearised regression network of Sec. 4.6, Eqs. 39–40: f(x; θ) = θᵀψ(x) with
 * ψ(x) = (tanh(½ − x), tanh(½ + x), 1) (N = 3), ℓ_i = (M/2ε²)(y_i − θᵀψ(x_i))² and R = λ‖θ‖² (λ = 10). Eq. 40's
 * L = (1/2ε²)Σ_i(y_i − f)² is (1/M)Σ_i ℓ_i with this ℓ_i, the convention of {@link TanhRegression}.
 *
 * <p>The loss is quadratic, so its posterior e^{−𝓛} is the exact Gaussian of Eqs. 41–43 ({@link #posteriorMean},
 * {@link #posteriorCovariance}); Eq. 41 prints exp(+½δθᵀΣ_po⁻¹δθ), a sign typo for exp(−½δθᵀΣ_po⁻¹δθ). Immutable.
 */
public final class LinearizedRegression implements NessModel {
    /** N of Eq. 39. */
    public static final int N = 3;

    private final double[] y;
    /** ψ(x_i), M×3. */
    private final double[][] psi;
    private final double lambda, epsilon;
    /** M/ε². */
    private final double c;

    /** Eqs. 39–40 on {@code data} with regulariser strength λ. */
    public LinearizedRegression(RegressionData data, double lambda) {
        double[] x = data.x();
        this.y = data.y();
        this.psi = new double[x.length][];
        for (int i = 0; i < x.length; i++) psi[i] = features(x[i]);
        this.lambda = lambda;
        this.epsilon = data.epsilon();
        this.c = x.length / (epsilon * epsilon);
    }

    /** Eqs. 39–40 with the paper's λ = 10. */
    public LinearizedRegression(RegressionData data) {
        this(data, TanhRegression.PAPER_LAMBDA);
    }

    /** ψ(x) of Eq. 39. */
    public static double[] features(double x) {
        return new double[] {Math.tanh(0.5 - x), Math.tanh(0.5 + x), 1};
    }

    @Override
    public int parameters() {
        return N;
    }

    @Override
    public int examples() {
        return y.length;
    }

    @Override
    public double lambda() {
        return lambda;
    }

    private double residual(double[] theta, int i) {
        double[] p = psi[i];
        return y[i] - (theta[0] * p[0] + theta[1] * p[1] + theta[2] * p[2]);
    }

    @Override
    public double exampleLoss(double[] theta, int i) {
        double r = residual(theta, i);
        return 0.5 * c * r * r;
    }

    /** ∇ℓ_i = −(M/ε²) r_i ψ(x_i). */
    @Override
    public void exampleGradient(double[] theta, int i, double[] out) {
        double k = -c * residual(theta, i);
        for (int a = 0; a < N; a++) out[a] = k * psi[i][a];
    }

    @Override
    public void addExampleGradients(double[] theta, int[] idx, int from, int to, double scale, double[] grad) {
        for (int k = from; k < to; k++) {
            int i = idx[k];
            double w = -scale * c * residual(theta, i);
            double[] p = psi[i];
            grad[0] += w * p[0];
            grad[1] += w * p[1];
            grad[2] += w * p[2];
        }
    }

    /** ∇²ℓ_i = (M/ε²) ψ(x_i)ψ(x_i)ᵀ (independent of θ). */
    @Override
    public void exampleHessian(double[] theta, int i, double[] out) {
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++) out[a * N + b] = c * psi[i][a] * psi[i][b];
    }

    /** Eq. 42: Σ_po⁻¹ = ε⁻²ΨΨᵀ + 2λI = H₀, with Ψ_{αi} = ψ_α(x_i). */
    public double[][] posteriorPrecision() {
        double[][] p = new double[N][N];
        for (double[] f : psi)
            for (int a = 0; a < N; a++)
                for (int b = 0; b < N; b++) p[a][b] += f[a] * f[b] / (epsilon * epsilon);
        for (int a = 0; a < N; a++) p[a][a] += 2 * lambda;
        return p;
    }

    /** Σ_po = H₀⁻¹ (Eq. 42). */
    public double[][] posteriorCovariance() {
        return NessLinalg.inverse(posteriorPrecision());
    }

    /** Eq. 43: θ₀ = ε⁻² Σ_po Ψ y, the posterior mean and the minimum of 𝓛. */
    public double[] posteriorMean() {
        double[] psiY = new double[N];
        for (int i = 0; i < y.length; i++)
            for (int a = 0; a < N; a++) psiY[a] += psi[i][a] * y[i] / (epsilon * epsilon);
        return NessLinalg.solve(posteriorPrecision(), psiY);
    }
}
