package org.speedlimits.ness;

/**
 * A model trained by minibatch SGD in paper 003's setting (Adhikari et al., Eq. 10): N parameters θ, M examples, and
 * the loss 𝓛(θ) = (1/M) Σ_i ℓ_i(θ) + λ‖θ‖² = L(θ) + R(θ). Plain double arrays, no ND4J: the samplers call
 * {@link #addExampleGradients} 10⁷–10⁸ times.
 *
 * <p>Implementations are immutable and thread-safe (several chains share one model); the hot methods allocate
 * nothing for small N. Hessians are dense row-major N×N arrays ({@code h[a * N + b]}).
 */
public interface NessModel {
    /** N, the number of parameters. */
    int parameters();

    /** M, the number of training examples. */
    int examples();

    /** λ of the regulariser R(θ) = λ‖θ‖² (so ∇R = 2λθ, ∇²R = 2λI). */
    double lambda();

    /** ℓ_i(θ). */
    double exampleLoss(double[] theta, int i);

    /** Writes ∇ℓ_i(θ) into {@code out} (length N). */
    void exampleGradient(double[] theta, int i, double[] out);

    /** Writes ∇²ℓ_i(θ) into {@code out} (length N·N, row-major). */
    void exampleHessian(double[] theta, int i, double[] out);

    /**
     * Adds {@code scale · Σ_{k=from}^{to-1} ∇ℓ_{idx[k]}(θ)} to {@code grad}: the minibatch part of an SGD step. The
     * default loops over {@link #exampleGradient}; fast models override it without allocating.
     */
    default void addExampleGradients(double[] theta, int[] idx, int from, int to, double scale, double[] grad) {
        double[] g = new double[parameters()];
        for (int k = from; k < to; k++) {
            exampleGradient(theta, idx[k], g);
            for (int a = 0; a < g.length; a++) grad[a] += scale * g[a];
        }
    }

    /** 𝓛(θ) = (1/M) Σ_i ℓ_i(θ) + λ‖θ‖². */
    default double loss(double[] theta) {
        int m = examples();
        double s = 0;
        for (int i = 0; i < m; i++) s += exampleLoss(theta, i);
        double r = 0;
        for (double t : theta) r += t * t;
        return s / m + lambda() * r;
    }

    /** Writes ∇𝓛(θ) = (1/M) Σ_i ∇ℓ_i + 2λθ into {@code out}. */
    default void gradient(double[] theta, double[] out) {
        int m = examples();
        java.util.Arrays.fill(out, 0);
        int[] all = new int[m];
        for (int i = 0; i < m; i++) all[i] = i;
        addExampleGradients(theta, all, 0, m, 1.0 / m, out);
        for (int a = 0; a < out.length; a++) out[a] += 2 * lambda() * theta[a];
    }

    /** Writes ∇²𝓛(θ) = (1/M) Σ_i ∇²ℓ_i + 2λI into {@code out} (N·N, row-major). */
    default void hessian(double[] theta, double[] out) {
        int n = parameters(), m = examples();
        double[] h = new double[n * n];
        java.util.Arrays.fill(out, 0);
        for (int i = 0; i < m; i++) {
            exampleHessian(theta, i, h);
            for (int k = 0; k < h.length; k++) out[k] += h[k] / m;
        }
        for (int a = 0; a < n; a++) out[a * n + a] += 2 * lambda();
    }
}
