package org.speedlimits.linreg;

import org.speedlimits.ntk.SymmetricEigen;

/**
 * Exact theory for a given finite sample (X, theta_*), paper App. C with our own derivation.
 *
 * <p>Dynamics: d theta = -eta (K theta - X y + c_d theta) dt + sqrt(2 eta / beta) dB, K = XX^T, eta = 1/n,
 * theta_0 ~ N(0, sigma0^2 I), sigma0^2 = 1/(lambda d). In the eigenbasis K = U diag(k) U^T every mode
 * z_i = u_i^T theta is an independent Ornstein-Uhlenbeck process with rate a_i = eta (k_i + c_d), target
 * m_inf,i = h_i / kappa_i (h = U^T X y, kappa_i = k_i + c_d), so p_t = N(U m(t), U diag(v(t)) U^T) with
 * <pre>
 *   m_i(t) = m_inf,i (1 - e_i(t)),   e_i(t) = exp(-a_i t)
 *   v_i(t) = sigma0^2 e_i^2 + eta beta^{-1} (1 - e_i^2) / a_i
 * </pre>
 * With dt > 0 the same quantities are given for the Euler-Maruyama chain that the simulation runs
 * (e_i = (1 - a_i dt)^{t/dt}, noise sum 2 eta beta^{-1} dt (1 - e_i^2)/(1 - (1 - a_i dt)^2)), which lets the
 * simulation be compared with theory without discretisation error.
 *
 * <p>Since Sigma_0 is isotropic, W2^2(p_0, p_t) = sum_i m_i^2 + (sigma0 - sqrt v_i)^2.
 * The entropy production beta^{-1} R(t) = F(0) - F(t), F = <V> + beta^{-1} <ln p> (paper Eq. 47-48), is
 * <pre>
 *   beta^{-1} R(t) = sum_i 1/2 kappa_i m_inf,i^2 (1 - e_i^2) + 1/2 kappa_i (sigma0^2 - v_i) + beta^{-1}/2 ln(v_i/sigma0^2)
 * </pre>
 * and the time-integrated mean squared probability velocity is eta beta^{-1} R, so the speed limit is
 * T_SL(t) = W2^2 / (eta beta^{-1} R(t)) (paper Eq. 79) and the inefficiency t / T_SL(t) >= 1.
 */
public final class LinregTheory {
    public final LinregProblem problem;
    public final LinregParams params;
    public final int d, n;
    public final double eta, sigma0sq, cd, tau;
    public final double[] k, kappa, a, h, mInf;
    public final double[][] u;

    public LinregTheory(LinregProblem problem, LinregParams params) {
        this(problem, params, Mat.eigh(problem.k));
    }

    /** @param eig the eigenpairs of problem.k (from {@link Mat#eigh}; shared between parameter sets) */
    public LinregTheory(LinregProblem problem, LinregParams params, SymmetricEigen.Eigenpairs eig) {
        this.problem = problem;
        this.params = params;
        d = problem.d;
        n = problem.n;
        eta = problem.eta();
        sigma0sq = 1.0 / (params.lambda() * d);
        cd = problem.weightDecay(params);
        tau = params.noise();
        u = Mat.eigenvectors(eig);
        k = new double[d];
        kappa = new double[d];
        a = new double[d];
        mInf = new double[d];
        h = Mat.multiplyTransposed(u, problem.xy);
        double[] values = eig.values(); // descending
        double scale = Math.max(1e-300, values[0]);
        for (int i = 0; i < d; i++) {
            k[i] = Math.max(0, values[i]);
            if (k[i] < 1e-12 * scale) k[i] = 0; // null space of XX^T (d > n)
            kappa[i] = k[i] + cd;
            a[i] = eta * kappa[i];
            mInf[i] = kappa[i] > 0 ? h[i] / kappa[i] : 0;
        }
    }

    public LinregTheory withParams(LinregParams p) {
        return new LinregTheory(problem, p, eigen());
    }

    private SymmetricEigen.Eigenpairs eigenCache;

    private SymmetricEigen.Eigenpairs eigen() {
        if (eigenCache == null) eigenCache = Mat.eigh(problem.k);
        return eigenCache;
    }

    /** e_i(t): continuous exp(-a t) (dt = 0) or Euler-Maruyama (1 - a dt)^{t/dt}. */
    double decay(int i, double t, double dt) {
        if (Double.isInfinite(t)) return a[i] > 0 ? 0 : 1;
        if (dt == 0) return Math.exp(-a[i] * t);
        long steps = Math.round(t / dt);
        return Math.pow(1 - a[i] * dt, steps);
    }

    /** Variance accumulated from the noise alone. */
    double noiseVar(int i, double t, double dt) {
        if (tau == 0 || t == 0) return 0;
        double e = decay(i, t, dt);
        if (dt == 0) {
            if (a[i] == 0) return 2 * eta * tau * t;
            return eta * tau * (1 - e * e) / a[i];
        }
        double r2 = (1 - a[i] * dt) * (1 - a[i] * dt);
        long steps = Math.round(t / dt);
        if (r2 == 1) return 2 * eta * tau * dt * steps;
        return 2 * eta * tau * dt * (1 - e * e) / (1 - r2);
    }

    public double[] modeMean(double t, double dt) {
        double[] m = new double[d];
        for (int i = 0; i < d; i++) m[i] = mInf[i] * (1 - decay(i, t, dt));
        return m;
    }

    public double[] modeVar(double t, double dt) {
        double[] v = new double[d];
        for (int i = 0; i < d; i++) {
            double e = decay(i, t, dt);
            v[i] = sigma0sq * e * e + noiseVar(i, t, dt);
        }
        return v;
    }

    /** Mean of theta(t) in the original coordinates. */
    public double[] mean(double t, double dt) {
        return Mat.multiply(u, modeMean(t, dt));
    }

    /** Covariance of theta(t) in the original coordinates. */
    public double[][] covariance(double t, double dt) {
        return Mat.basisTimesDiagonal(u, modeVar(t, dt));
    }

    /** W2^2(p_0, p_t), closed form in the eigenbasis. */
    public double w2Squared(double t, double dt) {
        double[] m = modeMean(t, dt), v = modeVar(t, dt);
        double s0 = Math.sqrt(sigma0sq), w = 0;
        for (int i = 0; i < d; i++) {
            double dv = s0 - Math.sqrt(v[i]);
            w += m[i] * m[i] + dv * dv;
        }
        return w;
    }

    /** Entropy production beta^{-1} R(t) = F(0) - F(t) (loss units). */
    public double entropyProduction(double t, double dt) {
        double[] v = modeVar(t, dt);
        double r = 0;
        for (int i = 0; i < d; i++) {
            double e = decay(i, t, dt);
            r += 0.5 * kappa[i] * mInf[i] * mInf[i] * (1 - e * e) + 0.5 * kappa[i] * (sigma0sq - v[i]);
            if (tau > 0) r += 0.5 * tau * Math.log(v[i] / sigma0sq);
        }
        return r;
    }

    /** eta beta^{-1} R(t) = int_0^t <|v|^2> ds. */
    public double etaEntropy(double t, double dt) {
        return eta * entropyProduction(t, dt);
    }

    /** Continuous-time mean squared probability velocity <|v|^2>(t), v = -eta (grad V + beta^{-1} grad ln p). */
    public double velocitySquared(double t) {
        double[] m = modeMean(t, 0), v = modeVar(t, 0);
        double s = 0;
        for (int i = 0; i < d; i++) {
            double drift = kappa[i] * m[i] - h[i];
            double lin = kappa[i] - tau / v[i];
            s += drift * drift + lin * lin * v[i];
        }
        return eta * eta * s;
    }

    public double speedLimit(double t, double dt) {
        return w2Squared(t, dt) / etaEntropy(t, dt);
    }

    public double inefficiency(double t, double dt) {
        return t / speedLimit(t, dt);
    }

    /** Fraction of non-zero eigenvalues of XX^T (= min(1, n/d) for generic X). */
    public double rankFraction() {
        int r = 0;
        for (double kk : k) if (kk > 0) r++;
        return (double) r / d;
    }
}
