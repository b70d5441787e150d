package org.speedlimits.ness;

/**
 * The test process x' = μ + F(x − μ) + Lz, z ~ N(0, I), LLᵀ = Q: a linear Gaussian map whose stationary covariance
 * solves the discrete Lyapunov equation Σ = FΣFᵀ + Q ({@link Dense#lyapunov}), started from a stationary draw.
 * With F = I − ηA, Q = 2ηε BBᵀ it is the Euler step of an Ornstein–Uhlenbeck process (non-equilibrium for A
 * non-normal or noise not aligned with A).
 */
final class LinearGaussian {
    final int n;
    final double[] mu, f, q, sigma;
    private final double[] l, z, y;

    LinearGaussian(double[] mu, double[] f, double[] q) {
        this.n = mu.length;
        this.mu = mu.clone();
        this.f = f.clone();
        this.q = q.clone();
        this.sigma = Dense.lyapunov(f, q, n);
        this.l = Dense.cholesky(q, n);
        this.z = new double[n];
        this.y = new double[n];
    }

    /** F = I − ηA, Q = 2ηε BBᵀ. */
    static LinearGaussian euler(double[] mu, double[] a, double[] b, double eta, double eps) {
        int n = mu.length;
        return new LinearGaussian(mu, Dense.add(Dense.identity(n), a, -eta),
                Dense.scale(Dense.multiply(b, Dense.transpose(b, n), n), 2 * eta * eps));
    }

    /** A draw from the stationary distribution N(μ, Σ). */
    double[] stationary(Rng rng) {
        double[] c = Dense.cholesky(sigma, n), x = mu.clone();
        for (int a = 0; a < n; a++) z[a] = rng.nextGaussian();
        for (int a = 0; a < n; a++) for (int b = 0; b <= a; b++) x[a] += c[a * n + b] * z[b];
        return x;
    }

    /** One step in place. */
    void step(double[] x, Rng rng) {
        for (int a = 0; a < n; a++) z[a] = rng.nextGaussian();
        for (int a = 0; a < n; a++) {
            double s = mu[a];
            for (int b = 0; b < n; b++) s += f[a * n + b] * (x[b] - mu[b]);
            for (int b = 0; b <= a; b++) s += l[a * n + b] * z[b];
            y[a] = s;
        }
        System.arraycopy(y, 0, x, 0, n);
    }

    /** The exact mean area per step about μ (Eq. 26/28 for this map): ½(ΣFᵀ − FΣ). */
    double[] areaPerStep() {
        double[] sf = Dense.multiply(sigma, Dense.transpose(f, n), n), fs = Dense.multiply(f, sigma, n);
        return Dense.scale(Dense.add(sf, fs, -1), 0.5);
    }

    /** The 3-D non-normal example of the estimator tests, centred far from the origin. */
    static LinearGaussian example3d() {
        double[] a = {1, 1.5, 0, -0.5, 1, 0.8, 0, -0.3, 0.6};
        double[] b = {1, 0, 0, 0.5, 1, 0, -0.3, 0.2, 0.7};
        return euler(new double[] {1000, -2000, 5}, a, b, 0.1, 0.5);
    }
}
