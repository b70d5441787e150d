package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.Mat;

class GaussianKlTest {
    /** ln N(x; μ, Σ) given L = chol(Σ). */
    static double logDensity(double[] x, double[] mu, double[][] l, double logDet) {
        int n = x.length;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double s = x[i] - mu[i];
            for (int c = 0; c < i; c++) s -= l[i][c] * z[c];
            z[i] = s / l[i][i];
        }
        return -0.5 * (Mat.dot(z, z) + logDet + n * Math.log(2 * Math.PI));
    }

    @Test
    void matchesMonteCarloIncludingTheMeanTerm() {
        int n = 4;
        double[][] s1 = NessLinalgTest.spd(n, 21), s0 = NessLinalgTest.spd(n, 22);
        double[] mu1 = {0.3, -0.2, 1.0, 0.5}, mu0 = {-0.4, 0.1, 0.6, 0.2};
        double kl = GaussianKl.bits(mu1, s1, mu0, s0);
        double[][] l1 = NessLinalg.cholesky(s1), l0 = NessLinalg.cholesky(s0);
        double ld1 = NessLinalg.logDetSpd(s1), ld0 = NessLinalg.logDetSpd(s0);
        SplittableRandom rng = new SplittableRandom(3);
        int samples = 400_000;
        double sum = 0, sumSq = 0;
        double[] z = new double[n];
        for (int k = 0; k < samples; k++) {
            for (int i = 0; i < n; i++) z[i] = rng.nextGaussian();
            double[] x = Mat.multiply(l1, z);
            for (int i = 0; i < n; i++) x[i] += mu1[i];
            double d = (logDensity(x, mu1, l1, ld1) - logDensity(x, mu0, l0, ld0)) / Math.log(2);
            sum += d;
            sumSq += d * d;
        }
        double mean = sum / samples, se = Math.sqrt((sumSq / samples - mean * mean) / (samples - 1));
        assertEquals(mean, kl, 4 * se, "Monte Carlo " + mean + " ± " + se);
        // negative control: Eq. 46 as printed (no mean term) is rejected
        double printed = GaussianKl.bits(mu0, s1, mu0, s0);
        assertTrue(Math.abs(printed - mean) > 10 * se, "the mean term matters here");
    }

    @Test
    void closedFormAndSmallDivergences() {
        double[][] s0 = NessLinalgTest.spd(3, 5);
        double[] mu = {1, 2, 3};
        assertEquals(0, GaussianKl.bits(mu, s0, mu, s0), 0.0);
        // Eq. 46's naive form for a moderate difference
        double[][] s1 = NessLinalg.combine(1, s0, 0.3, NessLinalg.identity(3));
        double naive = (NessLinalg.logDetSpd(s0) - NessLinalg.logDetSpd(s1) - 3
                + Mat.trace(Mat.multiply(NessLinalg.inverse(s0), s1))) / (2 * Math.log(2));
        assertEquals(naive, GaussianKl.bits(mu, s1, mu, s0), 1e-12);
        // tiny differences: KL ≈ ‖L⁻¹ΔL⁻ᵀ‖²_F/(4 ln 2) with ΔΣ = δI, accurate where the naive form cancels
        double delta = 1e-9;
        double[][] s2 = NessLinalg.combine(1, s0, delta, NessLinalg.identity(3));
        double[][] inv = NessLinalg.inverse(s0);
        double second = Mat.trace(Mat.multiply(inv, inv)) * delta * delta / (4 * Math.log(2));
        assertEquals(second, GaussianKl.bits(mu, s2, mu, s0), 1e-6 * second);
    }
}
