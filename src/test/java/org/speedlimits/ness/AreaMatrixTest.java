package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link AreaMatrix}: Eq. (26) on a short sequence, re-centring, and Eq. (28)'s mean area per step of a linear map. */
class AreaMatrixTest {
    private static final double[][] SEQ = {
            {1, 2, 3}, {2, 0, 1}, {-1, 1, 0}, {0.5, 0.5, 2}, {3, -1, 1}, {1, 1, 1}};

    /** Eq. (26) summed directly about c over steps from..to−1 (θ_k → θ_{k+1}). */
    private static double[] direct(double[][] xs, int from, int to, double[] c) {
        int n = c.length;
        double[] a = new double[n * n];
        for (int k = from; k < to; k++)
            for (int p = 0; p < n; p++)
                for (int q = 0; q < n; q++)
                    a[p * n + q] += 0.5 * ((xs[k][p] - c[p]) * (xs[k + 1][q] - xs[k][q]) - (xs[k][q] - c[q]) * (xs[k + 1][p] - xs[k][p]));
        return a;
    }

    private static double[] meanOf(double[][] xs, int from, int to) {
        double[] m = new double[xs[0].length];
        for (int k = from; k < to; k++) for (int a = 0; a < m.length; a++) m[a] += xs[k][a] / (to - from);
        return m;
    }

    @Test
    void exactOnAShortSequence() {
        double[] c = {0.2, -0.4, 1.0};
        AreaMatrix fixed = AreaMatrix.aboutCentre(c, 2), free = AreaMatrix.aboutMean(3, 2);
        for (double[] x : SEQ) {
            fixed.observe(0, x);
            free.observe(0, x);
        }
        assertEquals(5, fixed.steps());
        assertEquals(2, fixed.batches());
        assertArrayEquals(Dense.scale(direct(SEQ, 0, 5, c), 1.0 / 5), fixed.perStep(), 1e-14);
        // about the sample mean of θ_0..θ_4 (the starting points of the 5 increments)
        assertArrayEquals(Dense.scale(direct(SEQ, 0, 5, meanOf(SEQ, 0, 5)), 1.0 / 5), free.perStep(), 1e-14);
        double[] other = {3, 1, -2};
        assertArrayEquals(Dense.scale(direct(SEQ, 0, 5, other), 1.0 / 5), free.perStepAbout(other), 1e-14);
        assertArrayEquals(Dense.scale(direct(SEQ, 0, 5, other), 1.0 / 5), fixed.perStepAbout(other), 1e-14);
        // batches of 2 steps: (0→1, 1→2) and (2→3, 3→4); SE = |e₁ − e₂|/2
        double[] e1 = Dense.scale(direct(SEQ, 0, 2, c), 0.5), e2 = Dense.scale(direct(SEQ, 2, 4, c), 0.5);
        double[] f1 = Dense.scale(direct(SEQ, 0, 2, meanOf(SEQ, 0, 2)), 0.5), f2 = Dense.scale(direct(SEQ, 2, 4, meanOf(SEQ, 2, 4)), 0.5);
        double[] se = fixed.perStepSE(), sf = free.perStepSE();
        for (int k = 0; k < 9; k++) {
            if (k / 3 == k % 3) continue;
            assertEquals(Math.abs(e1[k] - e2[k]) / 2, se[k], 1e-14, "SE about c, entry " + k);
            assertEquals(Math.abs(f1[k] - f2[k]) / 2, sf[k], 1e-14, "SE about the batch means, entry " + k);
        }
    }

    /**
     * The 3-D non-normal map: ⟨A⟩/ℓ = ½(ΣFᵀ − FΣ) (Eq. 28's C for this discrete process) within 5 SE for every
     * pair, about the true centre and about the sample mean, and clearly non-zero; an equilibrium control (A
     * symmetric, isotropic noise: C = 0) gives zero within 5 SE.
     */
    @Test
    void meanAreaPerStepOfALinearGaussianMap() {
        LinearGaussian p = LinearGaussian.example3d();
        double[] exact = p.areaPerStep();
        Rng rng = new Rng(777);
        double[] x = p.stationary(rng);
        AreaMatrix fixed = AreaMatrix.aboutCentre(p.mu, 20_000), free = AreaMatrix.aboutMean(3, 20_000);
        fixed.add(x);
        free.add(x);
        for (int t = 0; t < 1_000_000; t++) {
            p.step(x, rng);
            fixed.add(x);
            free.add(x);
        }
        for (AreaMatrix am : new AreaMatrix[] {fixed, free}) {
            double[] c = am.perStep(), se = am.perStepSE();
            System.out.println("exact C " + Arrays.toString(exact) + "\n  got " + Arrays.toString(c) + "\n  ± " + Arrays.toString(se));
            for (int k = 0; k < 9; k++) {
                if (k / 3 == k % 3) {
                    assertEquals(0, c[k]);
                    continue;
                }
                assertEquals(exact[k], c[k], 5 * se[k], "entry " + k);
            }
            assertTrue(Math.abs(exact[1]) > 10 * se[1] && Math.abs(exact[5]) > 10 * se[5], "the circulation is resolved");
        }

        double[] sym = {1, 0.3, 0, 0.3, 0.8, 0.1, 0, 0.1, 0.6};
        LinearGaussian eq = LinearGaussian.euler(new double[] {1, 2, 3}, sym, Dense.identity(3), 0.1, 0.5);
        assertArrayEquals(new double[9], eq.areaPerStep(), 1e-15);
        Rng r2 = new Rng(778);
        double[] y = eq.stationary(r2);
        AreaMatrix am = AreaMatrix.aboutMean(3, 20_000);
        am.add(y);
        for (int t = 0; t < 400_000; t++) {
            eq.step(y, r2);
            am.add(y);
        }
        double[] c = am.perStep(), se = am.perStepSE();
        for (int k = 0; k < 9; k++) if (k / 3 != k % 3) assertEquals(0, c[k], 5 * se[k], "equilibrium entry " + k);
    }
}
