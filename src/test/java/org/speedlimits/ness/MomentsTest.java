package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Moments}: exact arithmetic on a short sequence, the stationary Σ of a linear map, and honest SEs. */
class MomentsTest {
    private static final double[][] SEQ = {
            {1, 2, 3}, {2, 0, 1}, {-1, 1, 0}, {0.5, 0.5, 2}, {3, -1, 1}, {1, 1, 1}, {2, 2, -2}};

    private static double[] twoPassCovariance(double[][] xs, int from, int to, double[] centre) {
        int n = xs[0].length, k = to - from;
        double[] c = centre;
        if (c == null) {
            c = new double[n];
            for (int i = from; i < to; i++) for (int a = 0; a < n; a++) c[a] += xs[i][a] / k;
        }
        double[] s = new double[n * n];
        for (int i = from; i < to; i++)
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) s[a * n + b] += (xs[i][a] - c[a]) * (xs[i][b] - c[b]) / k;
        return s;
    }

    /** Seven samples, batches of 3: estimates from all 7 (two-pass formulas), SEs |e₁ − e₂|/2 from the two batches. */
    @Test
    void exactOnAShortSequence() {
        double[] centre = {0.5, 0.5, 0.5};
        double[] u = {0.6, 0, 0.8};
        for (double[] c : new double[][] {null, centre}) {
            Moments mo = c == null ? Moments.aboutMean(3, 3, u) : Moments.aboutCentre(c, 3, u);
            for (double[] x : SEQ) mo.observe(0, x);
            assertEquals(7, mo.count());
            assertEquals(2, mo.batches());
            double[] mean = new double[3];
            for (double[] x : SEQ) for (int a = 0; a < 3; a++) mean[a] += x[a] / 7;
            assertArrayEquals(mean, mo.mean(), 1e-14);
            double[] cov = twoPassCovariance(SEQ, 0, 7, c == null ? null : c.clone());
            assertArrayEquals(cov, mo.covariance(), 1e-13);
            double[] b1 = twoPassCovariance(SEQ, 0, 3, c == null ? null : c.clone());
            double[] b2 = twoPassCovariance(SEQ, 3, 6, c == null ? null : c.clone());
            double[] se = mo.covarianceSE();
            for (int k = 0; k < 9; k++) assertEquals(Math.abs(b1[k] - b2[k]) / 2, se[k], 1e-13, "cov SE " + k);
            for (int a = 0; a < 3; a++) {
                double m1 = (SEQ[0][a] + SEQ[1][a] + SEQ[2][a]) / 3, m2 = (SEQ[3][a] + SEQ[4][a] + SEQ[5][a]) / 3;
                assertEquals(Math.abs(m1 - m2) / 2, mo.meanSE()[a], 1e-14, "mean SE " + a);
            }
            double uSu = 0;
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) uSu += u[a] * cov[a * 3 + b] * u[b];
            assertEquals(uSu, mo.directionVariances()[0], 1e-13);
            double v1 = 0, v2 = 0;
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    v1 += u[a] * b1[a * 3 + b] * u[b];
                    v2 += u[a] * b2[a * 3 + b] * u[b];
                }
            assertEquals(Math.abs(v1 - v2) / 2, mo.directionVariancesSE()[0], 1e-13);
        }
    }

    /**
     * The 3-D non-normal map centred at (1000, −2000, 5): mean, every Σ entry (discrete Lyapunov equation) and two
     * direction variances uᵀΣu within 5 SE, about the true centre and about the sample mean.
     */
    @Test
    void stationaryCovarianceOfALinearGaussianMap() {
        LinearGaussian p = LinearGaussian.example3d();
        double[] u1 = {1, 0, 0}, u2 = {1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)};
        Rng rng = new Rng(4242);
        double[] x = p.stationary(rng);
        Moments centred = Moments.aboutCentre(p.mu, 20_000, u1, u2), free = Moments.aboutMean(3, 20_000, u1, u2);
        for (int t = 0; t < 1_000_000; t++) {
            p.step(x, rng);
            centred.add(x);
            free.add(x);
        }
        for (Moments mo : new Moments[] {centred, free}) {
            double[] m = mo.mean(), mse = mo.meanSE(), c = mo.covariance(), cse = mo.covarianceSE();
            System.out.println("exact Σ " + Arrays.toString(p.sigma) + "\n  got " + Arrays.toString(c) + "\n  ± " + Arrays.toString(cse));
            for (int a = 0; a < 3; a++) assertEquals(p.mu[a], m[a], 5 * mse[a]);
            for (int k = 0; k < 9; k++) assertEquals(p.sigma[k], c[k], 5 * cse[k], "Σ entry " + k);
            for (int a = 0; a < 3; a++) assertTrue(cse[a * 3 + a] < 0.02 * p.sigma[a * 3 + a]);
            double[] v = mo.directionVariances(), vse = mo.directionVariancesSE();
            double[][] us = {u1, u2};
            for (int j = 0; j < 2; j++) {
                double exact = 0;
                for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) exact += us[j][a] * p.sigma[a * 3 + b] * us[j][b];
                assertEquals(exact, v[j], 5 * vse[j], "direction " + j);
            }
        }
    }

    /**
     * The batch-means SE matches the spread of the estimates over 40 independent replicate runs (ratio within
     * 0.7–1.4, the sampling error of a 40-sample sd being ≈ 11%), while the naive i.i.d. SE sd/√n, which ignores the
     * correlation time (≈ 10 steps here), falls far outside that range.
     */
    @Test
    void standardErrorsMatchTheSpreadOfReplicates() {
        LinearGaussian p = LinearGaussian.example3d();
        int reps = 40, steps = 40_000;
        double[] est = new double[reps], se = new double[reps], naive = new double[reps];
        for (int r = 0; r < reps; r++) {
            Rng rng = new Rng(1000 + r);
            double[] x = p.stationary(rng);
            Moments mo = Moments.aboutMean(3, 2000);
            for (int t = 0; t < steps; t++) {
                p.step(x, rng);
                mo.add(x);
            }
            est[r] = mo.mean()[0];
            se[r] = mo.meanSE()[0];
            naive[r] = Math.sqrt(mo.covariance()[0] / steps);
        }
        double mean = Arrays.stream(est).average().orElseThrow(), ss = 0;
        for (double e : est) ss += (e - mean) * (e - mean);
        double spread = Math.sqrt(ss / (reps - 1));
        double reported = Arrays.stream(se).average().orElseThrow(), iid = Arrays.stream(naive).average().orElseThrow();
        System.out.printf("replicate sd %.3g, mean batch-means SE %.3g, naive SE %.3g%n", spread, reported, iid);
        assertTrue(reported / spread > 0.7 && reported / spread < 1.4, "batch-means SE / replicate sd = " + reported / spread);
        assertTrue(iid / spread < 0.5, "the naive SE should be far too small, ratio " + iid / spread);
    }
}
