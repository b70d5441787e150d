package org.speedlimits.ness;

import java.util.Arrays;

/**
 * The effective epoch-to-epoch landscape of without-replacement SGD, paper 003 (Adhikari et al.) Eq. 16 = Eq. B10:
 * <pre>
 *   L̂(θ) = n𝓛 − (ηn(n−1)/4) [ |∇𝓛|² + |∇L|²/(M−1) − (M/(M−1)) tr(VVᵀ) ] ≡ n𝓛 + δL,
 * </pre>
 * V_{αi} = M⁻¹∂_αℓ_i and L = (1/M)Σℓ_i (without R). Eq. 16's last term and B10's ∂ℓ_i∂ℓ_i/(M(M−1)) are the same,
 * since (M/(M−1)) tr(VVᵀ) = Σ_i|∇ℓ_i|²/(M(M−1)). Re-deriving B8 → B10 confirms it: the mean of the O(η²) part of
 * the epoch displacement is (η²n(n−1)/2)[H∇𝓛 + ∇²L∇L/(M−1) − (M/(M−1))Σ_i U_iV_i], U_i = M⁻¹∇²ℓ_i, which is
 * −η∇δL. So one WOR epoch moves θ by −η∇L̂(θ) + O(η³) on average ({@code WorLandscapeTest} checks both orders).
 *
 * <p>The gradient is analytic, from per-example Hessians: ∇|∇𝓛|² = 2H∇𝓛, ∇|∇L|² = 2∇²L∇L,
 * ∇tr(VVᵀ) = 2Σ_iU_iV_i. {@link #correctionField()} is θ ↦ ∇δL(θ), the SGWORLD correction force +η∇δL(θ_{t−n})
 * of Fig. 5 (right).
 */
public final class WorLandscape {
    /** Relative central-difference step for Jacobians of the analytic ∇δL (third derivatives of ℓ_i). */
    static final double JACOBIAN_STEP = 1e-5;
    private static final int NEWTON_ITERATIONS = 50;

    private final NessModel model;
    private final int m;
    private final int n;
    private final double eta;

    /** The landscape for minibatches of size {@code batchSize} (dividing M) at learning rate η. */
    public WorLandscape(NessModel model, int batchSize, double eta) {
        this.model = model;
        this.n = new WorMoments(batchSize, model.examples()).steps();
        this.m = batchSize;
        this.eta = eta;
    }

    public NessModel model() { return model; }

    public int batchSize() { return m; }

    /** n = M/m. */
    public int steps() { return n; }

    public double eta() { return eta; }

    /** ηn(n−1)/4, the prefactor of δL; 0 for n = 1 (full-batch GD has no correction). */
    private double prefactor() {
        return eta * n * (n - 1) / 4.0;
    }

    /** L̂(θ) = n𝓛(θ) + δL(θ) (Eq. 16). */
    public double value(double[] theta) {
        return n * model.loss(theta) + correction(theta);
    }

    /** δL(θ) = −(ηn(n−1)/4)[|∇𝓛|² + |∇L|²/(M−1) − (M/(M−1)) tr(VVᵀ)] (Eq. 16). */
    public double correction(double[] theta) {
        if (n == 1) return 0;
        int nPar = model.parameters(), bigM = model.examples();
        double lam = model.lambda();
        double[] gL = new double[nPar], g = new double[nPar];
        double trVV = 0;
        for (int i = 0; i < bigM; i++) {
            model.exampleGradient(theta, i, g);
            for (int a = 0; a < nPar; a++) {
                gL[a] += g[a] / bigM;
                trVV += g[a] * g[a];
            }
        }
        trVV /= (double) bigM * bigM;
        double full2 = 0, l2 = 0;
        for (int a = 0; a < nPar; a++) {
            double f = gL[a] + 2 * lam * theta[a];
            full2 += f * f;
            l2 += gL[a] * gL[a];
        }
        return -prefactor() * (full2 + l2 / (bigM - 1) - bigM / (bigM - 1.0) * trVV);
    }

    /** Writes ∇δL(θ) = −(ηn(n−1)/2)[H∇𝓛 + ∇²L∇L/(M−1) − (M/(M−1))Σ_iU_iV_i] into {@code out}. */
    public void correctionGradient(double[] theta, double[] out) {
        Arrays.fill(out, 0);
        if (n == 1) return;
        int nPar = model.parameters(), bigM = model.examples();
        double lam = model.lambda();
        double[] gL = new double[nPar], hL = new double[nPar * nPar], uv = new double[nPar];
        double[] g = new double[nPar], h = new double[nPar * nPar];
        for (int i = 0; i < bigM; i++) {
            model.exampleGradient(theta, i, g);
            model.exampleHessian(theta, i, h);
            for (int a = 0; a < nPar; a++) {
                gL[a] += g[a] / bigM;
                double s = 0;
                for (int b = 0; b < nPar; b++) {
                    hL[a * nPar + b] += h[a * nPar + b] / bigM;
                    s += h[a * nPar + b] * g[b];
                }
                uv[a] += s; // Σ_i ∇²ℓ_i∇ℓ_i, = M² Σ_i U_iV_i
            }
        }
        double c = 2 * prefactor();
        double w = bigM / (bigM - 1.0) / ((double) bigM * bigM);
        for (int a = 0; a < nPar; a++) {
            double hf = 0, hl = 0;
            for (int b = 0; b < nPar; b++) {
                double hab = hL[a * nPar + b];
                hf += (hab + (a == b ? 2 * lam : 0)) * (gL[b] + 2 * lam * theta[b]); // H∇𝓛
                hl += hab * gL[b]; // ∇²L∇L
            }
            out[a] = -c * (hf + hl / (bigM - 1) - w * uv[a]);
        }
    }

    /** Writes ∇L̂(θ) = n∇𝓛(θ) + ∇δL(θ) into {@code out}. */
    public void gradient(double[] theta, double[] out) {
        int nPar = model.parameters();
        double[] d = new double[nPar];
        correctionGradient(theta, d);
        model.gradient(theta, out);
        for (int a = 0; a < nPar; a++) out[a] = n * out[a] + d[a];
    }

    /** θ ↦ ∇δL(θ): the SGWORLD landscape-correction force is +η times this at the epoch start (Fig. 5). */
    public Field correctionField() {
        return this::correctionGradient;
    }

    /** θ ↦ ∇L̂(θ). */
    public Field gradientField() {
        return this::gradient;
    }

    /**
     * Ĥ = ∇²L̂(θ) (N×N row-major): nH(θ) from the model's Hessians plus the central-difference Jacobian of the
     * analytic ∇δL (symmetrised). Splitting off the exact nH keeps the difference error relative to the small δL
     * part, which matters when η is tiny.
     */
    public double[] hessian(double[] theta) {
        int nPar = model.parameters();
        double[] out = new double[nPar * nPar];
        model.hessian(theta, out);
        for (int k = 0; k < out.length; k++) out[k] *= n;
        double[] j = correctionJacobian(theta);
        for (int k = 0; k < out.length; k++) out[k] += j[k];
        return out;
    }

    /** ∇²δL(θ) by central differences of the analytic ∇δL, symmetrised. */
    double[] correctionJacobian(double[] theta) {
        int nPar = model.parameters();
        double[] jac = new double[nPar * nPar];
        if (n == 1) return jac;
        double[] tp = theta.clone(), gp = new double[nPar], gm = new double[nPar];
        for (int b = 0; b < nPar; b++) {
            double step = JACOBIAN_STEP * Math.max(1, Math.abs(theta[b]));
            tp[b] = theta[b] + step;
            correctionGradient(tp, gp);
            tp[b] = theta[b] - step;
            correctionGradient(tp, gm);
            tp[b] = theta[b];
            for (int a = 0; a < nPar; a++) jac[a * nPar + b] = (gp[a] - gm[a]) / (2 * step);
        }
        for (int a = 0; a < nPar; a++)
            for (int b = a + 1; b < nPar; b++) {
                double s = 0.5 * (jac[a * nPar + b] + jac[b * nPar + a]);
                jac[a * nPar + b] = s;
                jac[b * nPar + a] = s;
            }
        return jac;
    }

    /**
     * The WOR centre θ̂₀ = argmin L̂ near {@code theta0} (normally the minimum θ₀ of 𝓛): Newton on ∇L̂ with
     * Jacobian {@link #hessian} (nH plus central differences of ∇δL), started at θ₀. Converged when
     * ‖∇L̂‖∞ ≤ 1e-10·scale, scale = n·max_α[(1/M)Σ_i|∂_αℓ_i(θ₀)| + |2λθ₀_α|] (the size of the terms that cancel in
     * ∇L̂); then up to two polishing steps, each kept only if it shrinks ‖∇L̂‖∞. θ̂₀ − θ₀ = O(η).
     *
     * @throws IllegalStateException if the Jacobian is singular or Newton does not converge in 50 iterations
     */
    public double[] centre(double[] theta0) {
        int nPar = model.parameters(), bigM = model.examples();
        double[] g = new double[nPar], abs = new double[nPar];
        for (int i = 0; i < bigM; i++) {
            model.exampleGradient(theta0, i, g);
            for (int a = 0; a < nPar; a++) abs[a] += Math.abs(g[a]) / bigM;
        }
        double scale = 0;
        for (int a = 0; a < nPar; a++) scale = Math.max(scale, n * (abs[a] + Math.abs(2 * model.lambda() * theta0[a])));
        double tol = 1e-10 * scale;
        double[] theta = theta0.clone();
        gradient(theta, g);
        double norm = maxAbs(g);
        for (int it = 0; it < NEWTON_ITERATIONS && norm > tol; it++) {
            theta = newtonStep(theta, g);
            gradient(theta, g);
            norm = maxAbs(g);
        }
        if (!(norm <= tol))
            throw new IllegalStateException("WorLandscape.centre: Newton did not reach ‖∇L̂‖∞ ≤ " + tol + " in "
                    + NEWTON_ITERATIONS + " iterations from θ₀ = " + Arrays.toString(theta0) + " (last ‖∇L̂‖∞ = "
                    + norm + "; η = " + eta + " may be too large for the O(η) landscape, or θ₀ is not near a minimum)");
        for (int p = 0; p < 2 && norm > 0; p++) { // polish to rounding level: keep a step only if it helps
            double[] next = newtonStep(theta, g);
            double[] gn = new double[nPar];
            gradient(next, gn);
            if (!(maxAbs(gn) < norm)) break;
            theta = next;
            g = gn;
            norm = maxAbs(gn);
        }
        return theta;
    }

    private double[] newtonStep(double[] theta, double[] g) {
        double[] step;
        try {
            step = solve(hessian(theta), g, theta.length);
        } catch (ArithmeticException e) {
            throw new IllegalStateException("WorLandscape.centre: ∇²L̂ is singular at θ = "
                    + Arrays.toString(theta) + " (no isolated minimum of L̂ near θ₀)", e);
        }
        double[] next = theta.clone();
        for (int a = 0; a < next.length; a++) next[a] -= step[a];
        return next;
    }

    static double maxAbs(double[] v) {
        double s = 0;
        for (double x : v) s = Math.max(s, Math.abs(x));
        return s;
    }

    /** Solves A x = b for A row-major k×k ({@link NessLinalg#solve}); shared with {@link WorTheory}. */
    static double[] solve(double[] a0, double[] b0, int k) {
        return NessLinalg.solve(NessLinalg.square(a0, k), b0);
    }

}
