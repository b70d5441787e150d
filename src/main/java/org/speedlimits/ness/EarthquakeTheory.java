package org.speedlimits.ness;

import org.speedlimits.linreg.Mat;

/**
 * The earthquake model of Sec. 4.5 (Eqs. 31–34), θ' = θ − η∇𝓛(θ + ζz), z ~ N(0, I), in its linear regime around θ₀:
 * δθ' = (I − ηH₀)δθ − ηζH₀z (Eq. 32). Its drift is the SGD drift ηH₀δθ, but its noise ξ = −ηζH₀z has
 * D = ½⟨ξξᵀ⟩ = ½η²ζ²H₀², which commutes with H₀: the Lyapunov relation ηH₀Σ + ΣηH₀ = 2D gives Σ = ½ηζ²H₀
 * (larger variance along steeper directions, the inverse variance–flatness relation) and C = 0 (equilibrium).
 *
 * <p>Eq. 33's Einstein relation: the mobility on 𝓛^quake (Eq. 34, Hessian H₀⁻¹) is μ = ηH₀² and D = ½η²ζ²H₀², so
 * μ = βD holds with β = 2/(ηζ²); the paper prints β = ηζ²/2, its inverse. Only β = 2/(ηζ²) makes
 * exp(−β𝓛^quake) have the covariance H₀/β = ½ηζ²H₀ that Eq. 21 gives.
 */
public final class EarthquakeTheory {
    private EarthquakeTheory() {}

    /** D = ½η²ζ²H₀² (Sec. 4.5). */
    public static double[][] diffusion(double[][] h0, double eta, double zeta) {
        return NessLinalg.scale(0.5 * eta * eta * zeta * zeta, Mat.multiply(h0, h0));
    }

    /** μ = ηH₀², the mobility on 𝓛^quake (Eq. 33). */
    public static double[][] mobility(double[][] h0, double eta) {
        return NessLinalg.scale(eta, Mat.multiply(h0, h0));
    }

    /** β = 2/(ηζ²) of the Einstein relation μ = βD (the paper's Eq. 33 text prints ηζ²/2, a typo). */
    public static double beta(double eta, double zeta) {
        return 2 / (eta * zeta * zeta);
    }

    /** β = ηζ²/2 as printed after Eq. 34 (wrong; kept for the negative control). */
    public static double printedBeta(double eta, double zeta) {
        return eta * zeta * zeta / 2;
    }

    /** The covariance H₀/β of the Boltzmann state exp(−β𝓛^quake) (𝓛^quake has Hessian H₀⁻¹, Eq. 34). */
    public static double[][] boltzmannSigma(double[][] h0, double beta) {
        return NessLinalg.scale(1 / beta, h0);
    }

    /** The continuum stationary covariance Σ = ½ηζ²H₀. */
    public static double[][] sigma(double[][] h0, double eta, double zeta) {
        return NessLinalg.scale(0.5 * eta * zeta * zeta, h0);
    }

    /**
     * The exact stationary covariance of the linear map δθ' = (I − ηH₀)δθ − ηζH₀z: per H₀ eigenvalue h,
     * ηζ²h/(2 − ηh) (from σ² = (1−ηh)²σ² + η²ζ²h²; requires ηh < 2).
     */
    public static double[][] sigmaDiscrete(double[][] h0, double eta, double zeta) {
        NessLinalg.Eigen e = NessLinalg.eigh(h0);
        double[] s = new double[e.values().length];
        for (int a = 0; a < s.length; a++) {
            double h = e.values()[a];
            if (!(eta * h < 2)) throw new IllegalArgumentException("ηh = " + eta * h + " ≥ 2: the map is unstable");
            s[a] = eta * zeta * zeta * h / (2 - eta * h);
        }
        return Mat.basisTimesDiagonal(e.vectors(), s);
    }

    /** The Sec. 3.3 machinery applied to the earthquake noise: drift ηH₀, D = ½η²ζ²H₀² (its C vanishes). */
    public static StationaryState stationaryState(double[][] h0, double eta, double zeta) {
        return new StationaryState(h0, diffusion(h0, eta, zeta), eta);
    }
}
