package org.speedlimits.ness;

/**
 * The Kullback–Leibler divergence between Gaussians, the accuracy measure of Sec. 4.6 (Eq. 46), generalised: any N
 * and the mean term. Eq. 46 prints the case N = 3, μ₁ = μ₀; a sampler whose centre is shifted (uncorrected SGWORLD)
 * also needs ½(μ₀−μ₁)ᵀΣ₀⁻¹(μ₀−μ₁).
 */
public final class GaussianKl {
    private GaussianKl() {}

    /**
     * D_KL(N(μ₁,Σ₁) ‖ N(μ₀,Σ₀)) in bits: [ln(det Σ₀/det Σ₁) − N + tr(Σ₀⁻¹Σ₁) + (μ₀−μ₁)ᵀΣ₀⁻¹(μ₀−μ₁)] / (2 ln 2).
     *
     * <p>Evaluated without cancellation, since the SGLD divergences of interest are 1e-12 and smaller: with
     * Σ₀ = LLᵀ and x_i the eigenvalues of L⁻¹(Σ₁ − Σ₀)L⁻ᵀ, the covariance part is Σ_i (x_i − ln(1 + x_i)), and the
     * mean part is ‖L⁻¹(μ₀ − μ₁)‖².
     */
    public static double bits(double[] mu1, double[][] sigma1, double[] mu0, double[][] sigma0) {
        int n = mu1.length;
        double[][] l = NessLinalg.cholesky(sigma0);
        double[][] w = forward(l, NessLinalg.combine(1, sigma1, -1, sigma0)); // L⁻¹ΔΣ
        double[][] x = NessLinalg.symmetrize(forward(l, org.speedlimits.linreg.Mat.transpose(w))); // L⁻¹ΔΣL⁻ᵀ
        double nats = 0;
        for (double xi : NessLinalg.eigh(x).values()) {
            if (!(xi > -1)) throw new IllegalArgumentException("Σ₁ is not positive definite");
            nats += xi - Math.log1p(xi);
        }
        double[][] dm = new double[n][1];
        for (int a = 0; a < n; a++) dm[a][0] = mu0[a] - mu1[a];
        for (double[] z : forward(l, dm)) nats += z[0] * z[0];
        return nats / (2 * Math.log(2));
    }

    /** L⁻¹B by forward substitution (L lower triangular). */
    private static double[][] forward(double[][] l, double[][] b) {
        int n = l.length, k = b[0].length;
        double[][] z = new double[n][k];
        for (int j = 0; j < k; j++)
            for (int i = 0; i < n; i++) {
                double s = b[i][j];
                for (int c = 0; c < i; c++) s -= l[i][c] * z[c][j];
                z[i][j] = s / l[i][i];
            }
        return z;
    }
}
