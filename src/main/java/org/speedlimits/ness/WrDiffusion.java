package org.speedlimits.ness;

/**
 * The diffusion matrix D(θ) = ½⟨ξξᵀ⟩ of SGD with minibatching with replacement (Sec. 3.1, Eqs. 12–14; Appendix A),
 * where ξ = η(∇L − ∇L_B) and B is a set of m distinct indices drawn afresh each step; n = M/m need not be an
 * integer. Appendix A's algebra (Eqs. A7–A8) checks out, and Eq. A10 is exact for this sampling.
 */
public final class WrDiffusion {
    private WrDiffusion() {}

    /** V_{αi} = M⁻¹∂_αℓ_i(θ) (Eq. A9), as an N×M array. */
    public static double[][] v(NessModel model, double[] theta) {
        int n = model.parameters(), mm = model.examples();
        double[][] v = new double[n][mm];
        double[] g = new double[n];
        for (int i = 0; i < mm; i++) {
            model.exampleGradient(theta, i, g);
            for (int a = 0; a < n; a++) v[a][i] = g[a] / mm;
        }
        return v;
    }

    /**
     * Eq. A10 (Eq. 14, first line): D = η²(n−1)/(2(M−1)) [M VVᵀ − ∇L∇Lᵀ]. The bracket is the per-example gradient
     * covariance (1/M)Σ_i(∇ℓ_i − ∇L)(∇ℓ_i − ∇L)ᵀ, summed in that centred form so nothing cancels.
     */
    public static double[][] exact(NessModel model, double[] theta, double eta, int m) {
        int mm = model.examples();
        checkBatch(m, mm);
        double[][] v = v(model, theta);
        int n = v.length;
        double[] gradL = new double[n];
        for (int a = 0; a < n; a++) for (int i = 0; i < mm; i++) gradL[a] += v[a][i];
        double k = eta * eta * (mm - m) / (2.0 * m * (mm - 1)); // (n−1) = (M−m)/m
        double[][] d = new double[n][n];
        for (int i = 0; i < mm; i++)
            for (int a = 0; a < n; a++) {
                double ua = mm * v[a][i] - gradL[a]; // ∇_αℓ_i − ∇_αL
                for (int b = 0; b <= a; b++) d[a][b] += ua * (mm * v[b][i] - gradL[b]);
            }
        for (int a = 0; a < n; a++)
            for (int b = 0; b <= a; b++) {
                d[a][b] *= k / mm;
                d[b][a] = d[a][b];
            }
        return d;
    }

    /** Eq. 14, second line: D ≈ ½η²n VVᵀ (M ≫ 1, n ≫ 1). */
    public static double[][] approximate(NessModel model, double[] theta, double eta, int m) {
        int mm = model.examples();
        checkBatch(m, mm);
        double[][] v = v(model, theta);
        double k = 0.5 * eta * eta * mm / (double) m;
        double[][] d = org.speedlimits.linreg.Mat.gram(v);
        for (double[] row : d) for (int b = 0; b < row.length; b++) row[b] *= k;
        return d;
    }

    private static void checkBatch(int m, int mm) {
        if (m < 1 || m > mm) throw new IllegalArgumentException("minibatch size " + m + " not in [1, " + mm + "]");
    }
}
