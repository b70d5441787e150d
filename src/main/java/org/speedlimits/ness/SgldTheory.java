package org.speedlimits.ness;

import java.util.function.Function;
import org.speedlimits.linreg.Mat;

/**
 * The stationary covariance of SGLD (Sec. 4.6, Fig. 5 left: a WR SGD step plus √(2η) z) near θ₀, with the mobility
 * ηI and diffusion D'(θ) = ηI + D(θ) of Eq. 37 (D of Eq. A10), including the correction for the position dependence
 * of D' (Appendix D, Eqs. 44–45): H₀Σ + ΣH₀ = η⁻¹(2D'(θ₀) + 𝓗_{D'}(θ₀)Σ), (𝓗Σ)_{αβ} = Σ_{μγ} ∂_μ∂_γD'_{αβ}(θ₀)Σ_{μγ}.
 * The mean stays at θ₀ (Eq. C5 is unchanged). Eq. 44 is linear in Σ and is solved as one N²×N² system.
 *
 * <p>The paper prints the Gaussians after Eqs. 43 and 47 as exp(+½δθᵀΣ⁻¹δθ); the sign is a typo (−½).
 */
public final class SgldTheory {
    /**
     * The default central-difference step for ∂_μ∂_γD: it balances O(h²) truncation and O(ε_mach/h²) rounding (for
     * the tanh network at θ₀ the tensor changes by 4e-8 relative between h = 3e-4 and 1e-4, least near 1e-4).
     */
    public static final double DEFAULT_STEP = 1e-4;

    private SgldTheory() {}

    /** Eq. 37: D'(θ) = ηI + D(θ), D of Eq. A10 for minibatch size m. */
    public static double[][] diffusion(NessModel model, double[] theta, double eta, int m) {
        double[][] d = WrDiffusion.exact(model, theta, eta, m);
        for (int a = 0; a < d.length; a++) d[a][a] += eta;
        return d;
    }

    /**
     * The tensor t[α][β][μ][γ] = ∂_μ∂_γ D_{αβ}(θ) of Eq. 45 by central differences of {@code d} with step h:
     * (D(θ+he_μ) − 2D(θ) + D(θ−he_μ))/h² on the diagonal, (D(++) − D(+−) − D(−+) + D(−−))/(4h²) off it. Exact up
     * to rounding when D is quadratic in θ (the linearised model). D and D' = ηI + D have the same tensor.
     */
    public static double[][][][] diffusionHessian(Function<double[], double[][]> d, double[] theta, double h) {
        int n = theta.length;
        double[][][][] t = new double[n][n][n][n];
        double[][] d0 = d.apply(theta);
        for (int mu = 0; mu < n; mu++)
            for (int ga = mu; ga < n; ga++) {
                double[][] second;
                if (mu == ga) {
                    second = NessLinalg.combine(1, NessLinalg.combine(1, d.apply(shift(theta, mu, h, mu, 0)), 1,
                            d.apply(shift(theta, mu, -h, mu, 0))), -2, d0);
                    second = NessLinalg.scale(1 / (h * h), second);
                } else {
                    double[][] pp = d.apply(shift(theta, mu, h, ga, h)), pm = d.apply(shift(theta, mu, h, ga, -h));
                    double[][] mp = d.apply(shift(theta, mu, -h, ga, h)), mm = d.apply(shift(theta, mu, -h, ga, -h));
                    second = NessLinalg.scale(1 / (4 * h * h),
                            NessLinalg.combine(1, NessLinalg.combine(1, pp, -1, pm), -1, NessLinalg.combine(1, mp, -1, mm)));
                }
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++) {
                        t[a][b][mu][ga] = second[a][b];
                        t[a][b][ga][mu] = second[a][b];
                    }
            }
        return t;
    }

    /** θ + s1 e_i + s2 e_j. */
    private static double[] shift(double[] theta, int i, double s1, int j, double s2) {
        double[] t = theta.clone();
        t[i] += s1;
        t[j] += s2;
        return t;
    }

    /** Eq. 45: (𝓗Σ)_{αβ} = Σ_{μγ} t[α][β][μ][γ] Σ_{μγ}. */
    public static double[][] contract(double[][][][] t, double[][] sigma) {
        int n = sigma.length;
        double[][] out = new double[n][n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int mu = 0; mu < n; mu++) for (int ga = 0; ga < n; ga++) s += t[a][b][mu][ga] * sigma[mu][ga];
                out[a][b] = s;
            }
        return out;
    }

    /**
     * Σ solving Eq. 44, η(H₀Σ + ΣH₀) − 𝓗Σ = 2D'₀, for given H₀, D'₀ = D'(θ₀) and t = ∂∂D' (null: no 𝓗 term, the
     * plain Lyapunov relation). With {@code discrete} the left side also gets −η²H₀ΣH₀: the exact stationary second
     * moment of the discrete map δθ' = (I − ηH₀)δθ + ξ(θ), ⟨ξξᵀ|θ⟩ = 2D'(θ) with D' quadratic (a linear model),
     * which Eq. 44 approximates to O(η).
     */
    public static double[][] sigma(double[][] h0, double[][] dPrime0, double[][][][] t, double eta, boolean discrete) {
        double[][] rhs = NessLinalg.scale(2, dPrime0);
        double[][] s = NessLinalg.solveLinearMatrixEquation(x -> {
            double[][] hx = Mat.multiply(h0, x);
            double[][] lhs = NessLinalg.combine(eta, hx, eta, Mat.multiply(x, h0));
            if (discrete) lhs = NessLinalg.combine(1, lhs, -eta * eta, Mat.multiply(hx, h0));
            return t == null ? lhs : NessLinalg.combine(1, lhs, -1, contract(t, x));
        }, rhs);
        return NessLinalg.symmetrize(s);
    }

    /** Eq. 44 at θ₀ of {@code model} for WR minibatch size m, ∂∂D' by central differences with step 1e-4. */
    public static double[][] sigma(NessModel model, double[] theta0, double eta, int m, boolean discrete) {
        return sigma(model, theta0, eta, m, DEFAULT_STEP, discrete);
    }

    /** Eq. 44 at θ₀ of {@code model} for WR minibatch size m, ∂∂D' by central differences with step h. */
    public static double[][] sigma(NessModel model, double[] theta0, double eta, int m, double h, boolean discrete) {
        double[][][][] t = diffusionHessian(th -> WrDiffusion.exact(model, th, eta, m), theta0, h);
        return sigma(StationaryState.hessian(model, theta0), diffusion(model, theta0, eta, m), t, eta, discrete);
    }

    /** Eq. 21 with D'₀ in place of D₀ (no 𝓗 term): the comparison for Eq. 44. */
    public static double[][] sigmaLyapunov(NessModel model, double[] theta0, double eta, int m) {
        return new StationaryState(StationaryState.hessian(model, theta0), diffusion(model, theta0, eta, m), eta)
                .sigma();
    }
}
