package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Eq. A10 against a direct Monte Carlo of the minibatch noise ξ = η(∇L − ∇L_B) over random sets B of m distinct
 * indices: this also checks Appendix A's moments (Eq. A7) and algebra (Eq. A8).
 */
class WrDiffusionTest {
    static final TanhRegression MODEL = new TanhRegression(RegressionData.paper(0));
    static final int M = 200;

    /** Per entry: the sample mean of ½ξ_aξ_b and its standard error, from {@code samples} minibatches. */
    static double[][][] monteCarlo(NessModel model, double[] theta, double eta, int m, int samples, long seed) {
        int n = model.parameters();
        double[] gradL = new double[n], xi = new double[n];
        int[] all = NessTestSampling.range(M);
        model.addExampleGradients(theta, all, 0, M, 1.0 / M, gradL);
        double[][] sum = new double[n][n], sumSq = new double[n][n];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int s = 0; s < samples; s++) {
            NessTestSampling.drawBatch(all, m, rng);
            for (int a = 0; a < n; a++) xi[a] = eta * gradL[a];
            model.addExampleGradients(theta, all, 0, m, -eta / m, xi);
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) {
                    double p = 0.5 * xi[a] * xi[b];
                    sum[a][b] += p;
                    sumSq[a][b] += p * p;
                }
        }
        double[][] mean = new double[n][n], se = new double[n][n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) {
                mean[a][b] = sum[a][b] / samples;
                se[a][b] = Math.sqrt((sumSq[a][b] / samples - mean[a][b] * mean[a][b]) / (samples - 1));
            }
        return new double[][][] {mean, se};
    }

    /** max over entries of |D_ab − MC_ab| / SE_ab. */
    static double maxZ(double[][] d, double[][][] mc) {
        double z = 0;
        for (int a = 0; a < d.length; a++)
            for (int b = 0; b < d.length; b++) z = Math.max(z, Math.abs(d[a][b] - mc[0][a][b]) / mc[1][a][b]);
        return z;
    }

    @Test
    void exactDiffusionMatchesMonteCarloOfMinibatchNoise() {
        double eta = 1e-7;
        int m = 10, samples = 200_000;
        double[] theta0 = Minimum.find(MODEL, Minimum.paperStart(7, 0)).theta();
        double[] elsewhere = Minimum.paperStart(7, 3); // far from θ₀: ∇L∇Lᵀ is large there
        for (double[] theta : new double[][] {theta0, elsewhere}) {
            double[][][] mc = monteCarlo(MODEL, theta, eta, m, samples, 11);
            double[][] exact = WrDiffusion.exact(MODEL, theta, eta, m);
            double z = maxZ(exact, mc);
            assertTrue(z < 4, "Eq. A10 within 4 standard errors per entry, max z = " + z);
            // negative control: Eq. 14's approximation ½η²nVVᵀ is 4.5% low at θ₀ (and misses ∇L∇Lᵀ elsewhere);
            // 200 000 batches resolve that
            double zApprox = maxZ(WrDiffusion.approximate(MODEL, theta, eta, m), mc);
            assertTrue(zApprox > 8, "the approximation must be rejected, max z = " + zApprox);
        }
    }

    /** The two lines of Eq. 14 differ exactly by the factor (n−1)M/(n(M−1)) and the ∇L∇Lᵀ term. */
    @Test
    void approximationDiffersByTheFiniteSizeFactorAndTheMeanGradient() {
        double[] theta = Minimum.paperStart(7, 2);
        double[] gradL = new double[7];
        MODEL.gradient(theta, gradL);
        for (int a = 0; a < 7; a++) gradL[a] -= 2 * MODEL.lambda() * theta[a]; // ∇L = ∇𝓛 − ∇R
        double eta = 1e-6;
        for (int m : new int[] {1, 10, 40}) {
            double n = 200.0 / m;
            double[][] approx = WrDiffusion.approximate(MODEL, theta, eta, m);
            double[][] want = NessLinalg.scale((n - 1) * 200 / (n * 199), approx);
            for (int a = 0; a < 7; a++)
                for (int b = 0; b < 7; b++) want[a][b] -= eta * eta * (n - 1) / (2 * 199) * gradL[a] * gradL[b];
            double[][] exact = WrDiffusion.exact(MODEL, theta, eta, m);
            assertTrue(NessLinalg.maxAbs(NessLinalg.combine(1, exact, -1, want)) < 1e-9 * NessLinalg.maxAbs(exact));
        }
        double[][] full = WrDiffusion.exact(MODEL, theta, 1, 200);
        assertEquals(0, NessLinalg.maxAbs(full), 0.0, "m = M: no noise");
    }

    @Test
    void diffusionScalesAsEtaSquaredAndIsSymmetricPositiveDefinite() {
        double[] theta0 = Minimum.find(MODEL, Minimum.paperStart(7, 0)).theta();
        double[][] d1 = WrDiffusion.exact(MODEL, theta0, 1e-7, 10), d2 = WrDiffusion.exact(MODEL, theta0, 2e-7, 10);
        assertTrue(NessLinalg.maxAbs(NessLinalg.combine(4, d1, -1, d2)) < 1e-14 * NessLinalg.maxAbs(d2));
        assertTrue(NessLinalg.eigh(d1).values()[6] > 0);
    }
}
