package org.speedlimits.ness;

/**
 * The stationary states of without-replacement training in epoch time, paper 003 (Adhikari et al.): WOR SGD
 * (Sec. 3.2 with Appendix C's Lyapunov relation, L̂ and D̂ in place of 𝓛 and D) and the SGWORLD sampler
 * (Sec. 4.6, Eq. 38 and Eq. 47 with Appendix D's diffusion-Hessian correction).
 *
 * <ul>
 *   <li>WOR SGD ({@link #sgd}): Ĥ Σ̂ + Σ̂ Ĥ = 2η⁻¹ D̂(θ̂₀), centre θ̂₀ = argmin L̂, Ĥ = ∇²L̂(θ̂₀) or, for comparison,
 *       nH₀; circulation Ĉ = ½η(ĤΣ̂ − Σ̂Ĥ) (the antisymmetric part of ηĤΣ̂ − D̂, Eq. C12).</li>
 *   <li>SGWORLD ({@link #sgworld}): D''(θ) = ηnI + D̂(θ) (Eq. 38). With the landscape correction +η∇δL the
 *       landscape is n𝓛 and Σ̂ solves nH₀Σ̂ + nΣ̂H₀ = η⁻¹(2D''(θ₀) + 𝓗_{D''}(θ₀)Σ̂) (Eq. 47), centre θ₀; without it
 *       Ĥ = ∇²L̂(θ̂₀) replaces nH₀ and everything is taken at θ̂₀. (𝓗Σ)_{αβ} = Σ_{μγ}∂_μ∂_γD''_{αβ}Σ_{μγ} (Eq. 45),
 *       by central differences of D̂ (the ηnI part is constant).</li>
 * </ul>
 * For SGWORLD the covariance is returned also as its deviation from the posterior covariance H₀⁻¹ (Eq. 42), solved
 * for directly: with Σ̂ = H₀⁻¹ + δ the 2nI on both sides of Eq. 47 cancels exactly, leaving
 * Ĥδ + δĤ − η⁻¹𝓗δ = η⁻¹(2D̂ + 𝓗H₀⁻¹) − (EH₀⁻¹ + H₀⁻¹E), E = Ĥ − nH₀. The corrected δ is O(η³) and the KL
 * divergence O(η⁶), far below what Σ̂ − H₀⁻¹ formed by subtraction could resolve.
 *
 * <p>Caveat (not in the paper): Eq. 47 is the continuum (Fokker–Planck) limit. The epoch map itself is a discrete
 * step θ' ≈ θ − ηĤ(θ − centre) + noise, whose exact stationary covariance solves the Stein equation
 * ĤΣ + ΣĤ − ηĤΣĤ = η⁻¹(2D'' + 𝓗Σ); the ηĤΣĤ term shifts Σ̂ by a relative O(ηn‖H₀‖) (the Euler bias of the
 * Langevin step), which for SGWORLD dominates the O(η³) of Eq. 47. {@code discrete = true} keeps that term; the
 * default follows the paper. {@code WorTheoryTest} compares both with the exact stationary covariance of the chain.
 */
public final class WorTheory {
    /** Relative central-difference step for the second derivatives of D̂ (𝓗 of Eq. 45). */
    static final double DIFFUSION_HESSIAN_STEP = 2e-4; // truncation ~(h/ℓ)², rounding ~ε/h²

    /** Which curvature enters the WOR SGD Lyapunov equation. */
    public enum Curvature {
        /** Ĥ = ∇²L̂(θ̂₀). */
        EFFECTIVE,
        /** Ĥ = nH₀ = n∇²𝓛(θ₀). */
        SCALED
    }

    /** A WOR SGD stationary state: centre θ̂₀, Ĥ, D̂(θ̂₀), Σ̂ and Ĉ (N×N row-major; epoch time). */
    public record Stationary(double[] centre, double[] hessian, double[] diffusion, double[] covariance,
                             double[] circulation) {}

    /**
     * A Gaussian SGWORLD stationary state: centre = θ₀ + centreShift, covariance = H₀⁻¹ + covarianceShift (both
     * shifts computed directly, not by subtraction).
     */
    public record Gaussian(double[] centre, double[] centreShift, double[] covariance, double[] covarianceShift) {}

    private final NessModel model;
    private final double eta;
    private final double[] theta0;
    private final WorLandscape landscape;
    private final WorDiffusion diffusion;
    private final int nPar;
    private double[] centre;

    /**
     * The theory at learning rate η for minibatches of size {@code batchSize} (dividing M) around
     * {@code theta0}, the minimum of 𝓛 (supplied by the caller).
     */
    public WorTheory(NessModel model, int batchSize, double eta, double[] theta0) {
        this.model = model;
        this.eta = eta;
        this.theta0 = theta0.clone();
        this.landscape = new WorLandscape(model, batchSize, eta);
        this.diffusion = new WorDiffusion(model, batchSize, eta);
        this.nPar = model.parameters();
    }

    public WorLandscape landscape() { return landscape; }

    public WorDiffusion diffusion() { return diffusion; }

    /** θ₀ as given. */
    public double[] theta0() { return theta0.clone(); }

    /** θ̂₀ = argmin L̂ (computed once; see {@link WorLandscape#centre}). */
    public synchronized double[] centre() {
        if (centre == null) centre = landscape.centre(theta0);
        return centre.clone();
    }

    /** H₀⁻¹, the posterior covariance of Eq. 42 (N×N row-major). */
    public double[] posteriorCovariance() {
        double[] h0 = new double[nPar * nPar];
        model.hessian(theta0, h0);
        return inverse(h0, nPar);
    }

    /** WOR SGD with the full corrected D̂: see {@link #sgd(Curvature, WorDiffusion.Form)}. */
    public Stationary sgd(Curvature curvature) {
        return sgd(curvature, WorDiffusion.Form.FULL);
    }

    /**
     * WOR SGD: ĤΣ̂ + Σ̂Ĥ = 2η⁻¹D̂(θ̂₀) with D̂ in the given form, and Ĉ = ½η(ĤΣ̂ − Σ̂Ĥ). Only Ĥ depends on
     * {@code curvature}; the centre θ̂₀ and D̂(θ̂₀) are the same for both.
     */
    public Stationary sgd(Curvature curvature, WorDiffusion.Form form) {
        double[] c = centre();
        double[] h;
        if (curvature == Curvature.EFFECTIVE) {
            h = landscape.hessian(c);
        } else {
            h = new double[nPar * nPar];
            model.hessian(theta0, h);
            for (int k = 0; k < h.length; k++) h[k] *= landscape.steps();
        }
        double[] d = diffusion.at(form, c);
        double[] rhs = new double[nPar * nPar];
        for (int k = 0; k < rhs.length; k++) rhs[k] = 2 * d[k] / eta;
        double[] sigma = solveSylvester(nPar, h, null, 0, 0, rhs);
        double[] hs = WorDiffusion.mulMat(h, sigma, nPar), sh = WorDiffusion.mulMat(sigma, h, nPar);
        double[] circ = new double[nPar * nPar];
        for (int k = 0; k < circ.length; k++) circ[k] = 0.5 * eta * (hs[k] - sh[k]);
        return new Stationary(c, h, d, sigma, circ);
    }

    /** SGWORLD per Eq. 47 with the full corrected D̂ (continuum limit). */
    public Gaussian sgworld(boolean corrected) {
        return sgworld(corrected, WorDiffusion.Form.FULL, false);
    }

    /**
     * SGWORLD's stationary Gaussian. {@code corrected}: with the landscape correction force (centre θ₀, curvature
     * nH₀, D'' and 𝓗 at θ₀) or without (centre θ̂₀, curvature ∇²L̂(θ̂₀), D'' and 𝓗 at θ̂₀). {@code form}: the D̂
     * used in D'' and differentiated for 𝓗. {@code discrete}: keep the −ηĤΣ̂Ĥ term of the epoch map's own Stein
     * equation (class comment); false is Eq. 47.
     */
    public Gaussian sgworld(boolean corrected, WorDiffusion.Form form, boolean discrete) {
        int n = landscape.steps();
        double[] at = corrected ? theta0.clone() : centre();
        double[] h0 = new double[nPar * nPar];
        model.hessian(theta0, h0);
        double[] post = inverse(h0, nPar);
        double[] hHat = new double[nPar * nPar], e = new double[nPar * nPar];
        if (corrected) {
            for (int k = 0; k < h0.length; k++) hHat[k] = n * h0[k];
        } else {
            double[] hc = new double[nPar * nPar];
            model.hessian(at, hc);
            double[] jac = landscape.correctionJacobian(at);
            for (int k = 0; k < e.length; k++) {
                e[k] = n * (hc[k] - h0[k]) + jac[k]; // E = Ĥ − nH₀, formed without cancellation against nH₀
                hHat[k] = n * h0[k] + e[k];
            }
        }
        double[] d = diffusion.at(form, at);
        double[] tensor = diffusionHessian(form, at);
        double[] hPost = contract(tensor, post);
        double[] ePost = WorDiffusion.mulMat(e, post, nPar), postE = WorDiffusion.mulMat(post, e, nPar);
        double[] rhs = new double[nPar * nPar];
        for (int k = 0; k < rhs.length; k++) rhs[k] = (2 * d[k] + hPost[k]) / eta - ePost[k] - postE[k];
        if (discrete) {
            double[] hph = WorDiffusion.mulMat(WorDiffusion.mulMat(hHat, post, nPar), hHat, nPar);
            for (int k = 0; k < rhs.length; k++) rhs[k] += eta * hph[k];
        }
        double[] shift = solveSylvester(nPar, hHat, tensor, 1 / eta, discrete ? eta : 0, rhs);
        double[] cov = new double[nPar * nPar];
        for (int k = 0; k < cov.length; k++) cov[k] = post[k] + shift[k];
        double[] centreShift = new double[nPar];
        for (int a = 0; a < nPar; a++) centreShift[a] = at[a] - theta0[a];
        return new Gaussian(at, centreShift, cov, shift);
    }

    /**
     * 𝓗_{αβμγ} = ∂_μ∂_γ D̂_{αβ}(θ) by central differences (steps h_μ = 2e-4·max(1, |θ_μ|)), flat index
     * ((α·N + β)·N + μ)·N + γ; 2N² + 1 evaluations of D̂.
     */
    public double[] diffusionHessian(WorDiffusion.Form form, double[] theta) {
        int nn = nPar * nPar;
        double[] out = new double[nn * nn];
        double[] d0 = diffusion.at(form, theta);
        double[] step = new double[nPar];
        for (int mu = 0; mu < nPar; mu++) step[mu] = DIFFUSION_HESSIAN_STEP * Math.max(1, Math.abs(theta[mu]));
        double[] t = theta.clone();
        for (int mu = 0; mu < nPar; mu++) {
            t[mu] = theta[mu] + step[mu];
            double[] p = diffusion.at(form, t);
            t[mu] = theta[mu] - step[mu];
            double[] q = diffusion.at(form, t);
            t[mu] = theta[mu];
            for (int ab = 0; ab < nn; ab++)
                out[ab * nn + mu * nPar + mu] = (p[ab] - 2 * d0[ab] + q[ab]) / (step[mu] * step[mu]);
            for (int g = mu + 1; g < nPar; g++) {
                double[][] v = new double[4][];
                int k = 0;
                for (int sm = 1; sm >= -1; sm -= 2)
                    for (int sg = 1; sg >= -1; sg -= 2) {
                        t[mu] = theta[mu] + sm * step[mu];
                        t[g] = theta[g] + sg * step[g];
                        v[k++] = diffusion.at(form, t);
                    }
                t[mu] = theta[mu];
                t[g] = theta[g];
                for (int ab = 0; ab < nn; ab++) {
                    double s = (v[0][ab] - v[1][ab] - v[2][ab] + v[3][ab]) / (4 * step[mu] * step[g]);
                    out[ab * nn + mu * nPar + g] = s;
                    out[ab * nn + g * nPar + mu] = s;
                }
            }
        }
        return out;
    }

    /** (𝓗Σ)_{αβ} = Σ_{μγ}𝓗_{αβμγ}Σ_{μγ}. */
    double[] contract(double[] tensor, double[] sigma) {
        int nn = nPar * nPar;
        double[] out = new double[nn];
        for (int ab = 0; ab < nn; ab++) {
            double s = 0;
            for (int mg = 0; mg < nn; mg++) s += tensor[ab * nn + mg] * sigma[mg];
            out[ab] = s;
        }
        return out;
    }

    /**
     * Solves AΣ + ΣA − c·ΑΣΑ − k·𝓗Σ = R (A symmetric N×N; tensor may be null) as one N²×N² linear system
     * (Gaussian elimination, fine for the N ≲ 10 of the paper's models); the result is symmetrised.
     */
    static double[] solveSylvester(int nPar, double[] a, double[] tensor, double k, double c, double[] rhs) {
        int nn = nPar * nPar;
        double[] sys = new double[nn * nn];
        for (int al = 0; al < nPar; al++)
            for (int be = 0; be < nPar; be++) {
                int row = (al * nPar + be) * nn;
                for (int g = 0; g < nPar; g++) {
                    sys[row + g * nPar + be] += a[al * nPar + g]; // (AΣ)_{αβ}
                    sys[row + al * nPar + g] += a[g * nPar + be]; // (ΣA)_{αβ}
                }
                if (c != 0)
                    for (int g = 0; g < nPar; g++)
                        for (int dl = 0; dl < nPar; dl++)
                            sys[row + g * nPar + dl] -= c * a[al * nPar + g] * a[dl * nPar + be];
                if (tensor != null)
                    for (int mg = 0; mg < nn; mg++) sys[row + mg] -= k * tensor[(al * nPar + be) * nn + mg];
            }
        double[] x;
        try {
            x = WorLandscape.solve(sys, rhs, nn);
        } catch (ArithmeticException e) {
            throw new IllegalStateException("WorTheory: the Lyapunov system is singular (Ĥ not positive definite?)", e);
        }
        double[] out = new double[nn];
        for (int p = 0; p < nPar; p++)
            for (int q = 0; q < nPar; q++) out[p * nPar + q] = 0.5 * (x[p * nPar + q] + x[q * nPar + p]);
        return out;
    }

    /** Solves HΣ + ΣH = R for symmetric H, R (N×N row-major): the Lyapunov relation of Eq. C7. */
    public static double[] lyapunov(double[] h, double[] rhs, int nPar) {
        return solveSylvester(nPar, h, null, 0, 0, rhs);
    }

    private static double[] inverse(double[] a, int nPar) {
        double[] inv = new double[nPar * nPar];
        for (int col = 0; col < nPar; col++) {
            double[] e = new double[nPar];
            e[col] = 1;
            double[] x = WorLandscape.solve(a, e, nPar);
            for (int r = 0; r < nPar; r++) inv[r * nPar + col] = x[r];
        }
        for (int p = 0; p < nPar; p++)
            for (int q = p + 1; q < nPar; q++) {
                double s = 0.5 * (inv[p * nPar + q] + inv[q * nPar + p]);
                inv[p * nPar + q] = s;
                inv[q * nPar + p] = s;
            }
        return inv;
    }
}
