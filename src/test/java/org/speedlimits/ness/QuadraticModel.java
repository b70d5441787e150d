package org.speedlimits.ness;

/**
 * A test model with quadratic per-example losses ℓ_i = ½(θ − c_i)ᵀA_i(θ − c_i), A_i symmetric and different per
 * example, so a minibatch step θ' = θ − η[(1/m)Σ_B A_i(θ − c_i) + 2λθ] is an affine map whose matrix depends on
 * the batch (multiplicative noise): {@link #stepMap} gives it for {@link ExactAffine}.
 */
final class QuadraticModel implements NessModel {
    final int n, m;
    final double lambda;
    final double[][] a; // A_i, n×n
    final double[][] c; // c_i

    QuadraticModel(int n, int m, double lambda, long seed) {
        this.n = n;
        this.m = m;
        this.lambda = lambda;
        Rng r = new Rng(seed);
        a = new double[m][];
        c = new double[m][];
        for (int i = 0; i < m; i++) {
            // A_i = 0.5 I + W Wᵀ with W random: symmetric positive definite, eigenvalues of order 1
            double[] w = new double[n * n];
            for (int k = 0; k < w.length; k++) w[k] = 0.8 * r.nextGaussian();
            double[] ai = Dense.add(Dense.multiply(w, Dense.transpose(w, n), n), Dense.identity(n), 0.5);
            a[i] = ai;
            c[i] = new double[n];
            for (int k = 0; k < n; k++) c[i][k] = r.nextGaussian();
        }
    }

    @Override public int parameters() {
        return n;
    }

    @Override public int examples() {
        return m;
    }

    @Override public double lambda() {
        return lambda;
    }

    @Override public double exampleLoss(double[] theta, int i) {
        double s = 0;
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++) s += 0.5 * (theta[p] - c[i][p]) * a[i][p * n + q] * (theta[q] - c[i][q]);
        return s;
    }

    @Override public void exampleGradient(double[] theta, int i, double[] out) {
        for (int p = 0; p < n; p++) {
            double s = 0;
            for (int q = 0; q < n; q++) s += a[i][p * n + q] * (theta[q] - c[i][q]);
            out[p] = s;
        }
    }

    @Override public void exampleHessian(double[] theta, int i, double[] out) {
        System.arraycopy(a[i], 0, out, 0, n * n);
    }

    /** The affine SGD step on batch {@code batch} (its mean gradient, Eq. A1): θ' = Fθ + b; returns {F, b}. */
    double[][] stepMap(int[] batch, double eta) {
        double[] f = Dense.identity(n), b = new double[n];
        for (int i : batch) {
            f = Dense.add(f, a[i], -eta / batch.length);
            b = Dense.add(b, Dense.apply(a[i], c[i], n), eta / batch.length);
        }
        for (int p = 0; p < n; p++) f[p * n + p] -= eta * 2 * lambda;
        return new double[][] {f, b};
    }

    /** Hessian of 𝓛, H = (1/M)ΣA_i + 2λI, and h = (1/M)ΣA_ic_i, so ∇𝓛(θ) = Hθ − h. */
    double[][] fullGradientMap() {
        double[] h = new double[n * n], g = new double[n];
        for (int i = 0; i < m; i++) {
            h = Dense.add(h, a[i], 1.0 / m);
            g = Dense.add(g, Dense.apply(a[i], c[i], n), 1.0 / m);
        }
        for (int p = 0; p < n; p++) h[p * n + p] += 2 * lambda;
        return new double[][] {h, g};
    }
}
