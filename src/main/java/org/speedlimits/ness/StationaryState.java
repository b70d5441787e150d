package org.speedlimits.ness;

import org.speedlimits.linreg.Mat;

/**
 * The Gaussian stationary state near a minimum θ₀ of the linearised Fokker–Planck system of Sec. 3.3 (Eqs. 19–29,
 * Appendix C), given the drift matrix ηH₀ (mobility ηI) and a constant diffusion matrix D₀: Σ from the Lyapunov
 * relation H₀Σ + ΣH₀ = 2η⁻¹D₀ (Eqs. 21/23), the circulation matrix C (Eqs. 24–25), the velocity field v = −CΣ⁻¹δθ
 * and the mean entropy production per step (Eq. 29). {@link #sigmaDiscrete} is the exact stationary covariance of the
 * discrete map δθ' = (I − ηH₀)δθ + ξ with ⟨ξξᵀ⟩ = 2D₀, which differs from Σ at O(η) relative: the size of the
 * discretisation part of any simulation/theory gap.
 */
public final class StationaryState {
    private final double[][] h0, d0;
    private final double eta;
    private final NessLinalg.Eigen basis;
    private final double[][] sigma;

    /** The state for Hessian H₀ (symmetric positive definite), diffusion D₀ (symmetric) and learning rate η. */
    public StationaryState(double[][] h0, double[][] d0, double eta) {
        this.h0 = NessLinalg.copy(h0);
        this.d0 = NessLinalg.copy(d0);
        this.eta = eta;
        this.basis = NessLinalg.eigh(this.h0);
        if (!(basis.values()[h0.length - 1] > 0))
            throw new IllegalArgumentException("H₀ is not positive definite: smallest eigenvalue "
                    + basis.values()[h0.length - 1]);
        this.sigma = NessLinalg.solveInEigenbasis(basis, NessLinalg.scale(2 / eta, d0), Double::sum);
    }

    /** WR SGD at the minimum θ₀ of {@code model}: H₀ = ∇²𝓛(θ₀) and D₀ = D(θ₀) of Eq. A10. */
    public static StationaryState wr(NessModel model, double[] theta0, double eta, int m) {
        return new StationaryState(hessian(model, theta0), WrDiffusion.exact(model, theta0, eta, m), eta);
    }

    /** ∇²𝓛(θ) as a symmetric double[N][N]. */
    public static double[][] hessian(NessModel model, double[] theta) {
        int n = model.parameters();
        double[] h = new double[n * n];
        model.hessian(theta, h);
        return NessLinalg.symmetrize(NessLinalg.square(h, n));
    }

    /** H₀. */
    public double[][] h0() {
        return NessLinalg.copy(h0);
    }

    /** D₀. */
    public double[][] d0() {
        return NessLinalg.copy(d0);
    }

    /** η. */
    public double eta() {
        return eta;
    }

    /** H₀'s eigenvalues h_α, descending. */
    public double[] hessianEigenvalues() {
        return basis.values().clone();
    }

    /** Eqs. 21/23: Σ = O Δ Oᵀ, Δ_ab = 2η⁻¹(h_a + h_b)⁻¹(OᵀD₀O)_ab. */
    public double[][] sigma() {
        return NessLinalg.copy(sigma);
    }

    /**
     * The stationary covariance of δθ' = (I − ηH₀)δθ + ξ: Σ = (I−ηH₀)Σ(I−ηH₀) + 2D₀, i.e. in H₀'s eigenbasis
     * Σ̃_ab = 2D̃_ab / (η(h_a + h_b) − η²h_a h_b) (requires ηh_a < 2 for every a, the map's stability).
     */
    public double[][] sigmaDiscrete() {
        double hMax = basis.values()[0];
        if (!(eta * hMax < 2)) throw new IllegalArgumentException("ηh_max = " + eta * hMax + " ≥ 2: the map is unstable");
        return NessLinalg.solveInEigenbasis(basis, NessLinalg.scale(2, d0),
                (a, b) -> eta * (a + b) - eta * eta * a * b);
    }

    /** Eq. 25: C = ½η(H₀Σ − ΣH₀), antisymmetric. */
    public double[][] circulation() {
        return NessLinalg.combine(0.5 * eta, Mat.multiply(h0, sigma), -0.5 * eta, Mat.multiply(sigma, h0));
    }

    /** Eq. 24: C = ηH₀Σ − D₀ (equal to Eq. 25 when Σ solves Eq. 21). */
    public double[][] circulationEq24() {
        return NessLinalg.combine(eta, Mat.multiply(h0, sigma), -1, d0);
    }

    /** Σ⁻¹. */
    public double[][] sigmaInverse() {
        return NessLinalg.inverse(sigma);
    }

    /** D₀⁻¹. */
    public double[][] diffusionInverse() {
        return NessLinalg.inverse(d0);
    }

    /** The matrix of the stationary velocity field, v(δθ) = −CΣ⁻¹δθ (Eq. 24). */
    public double[][] velocityMatrix() {
        return NessLinalg.scale(-1, Mat.multiply(circulation(), sigmaInverse()));
    }

    /** v(δθ) = −CΣ⁻¹δθ (Eq. 24). */
    public double[] velocity(double[] deltaTheta) {
        return Mat.multiply(velocityMatrix(), deltaTheta);
    }

    /** Eq. 29: the mean entropy production per step ⟨σ⟩/ℓ = −tr(C D₀⁻¹ C Σ⁻¹) (≥ 0; 0 in equilibrium). */
    public double entropyProductionPerStep() {
        double[][] c = circulation();
        return -Mat.trace(Mat.multiply(Mat.multiply(c, diffusionInverse()), Mat.multiply(c, sigmaInverse())));
    }
}
