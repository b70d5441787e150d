package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's Eq. (30) model: its tanh against Math.tanh, gradients and Hessians against finite differences. */
class LocalTanhNetTest {
    /** ≤ 1e-15 relative to Math.tanh on a dense sweep, random arguments over 6 decades, and the branch edges. */
    @Test
    void fastTanhAgreesWithMathTanh() {
        double worst = 0, at = 0;
        Rng r = new Rng(17);
        for (int k = 0; k < 4_000_000; k++) {
            double x = k < 2_000_000 ? -25 + 50.0 * k / 2_000_000
                    : (2 * r.nextDouble() - 1) * Math.pow(10, 6 * r.nextDouble() - 4) * 5;
            double e = Math.tanh(x), f = LocalTanhNet.tanh(x);
            double rel = e == 0 ? Math.abs(f) : Math.abs(f - e) / Math.abs(e);
            if (rel > worst) {
                worst = rel;
                at = x;
            }
        }
        for (double x : new double[] {3, Math.nextDown(3.0), -3, Math.nextUp(-3.0), 1e-300, -1e-300, 0.0, 354.0, 800, -800}) {
            double e = Math.tanh(x), f = LocalTanhNet.tanh(x);
            assertTrue(e == f || Math.abs(f - e) <= 1e-15 * Math.abs(e), "tanh(" + x + ") " + f + " vs " + e);
        }
        System.out.printf("fast tanh: max relative difference from Math.tanh %.3g at x = %.6g%n", worst, at);
        assertTrue(worst <= 1e-15, "max relative difference " + worst + " at " + at);
        assertEquals(1.0, LocalTanhNet.tanh(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, LocalTanhNet.tanh(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(LocalTanhNet.tanh(Double.NaN)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(LocalTanhNet.tanh(-0.0)));
    }

    /** Central differences (step 1e-6, error O(h²)) of ℓ_i and of ∇ℓ_i, at a generic θ, for several examples. */
    @Test
    void gradientAndHessianMatchFiniteDifferences() {
        LocalTanhNet net = LocalTanhNet.paper(3);
        double[] theta = {1.3, -0.8, 0.9, 1.1, 0.7, 0.6, -0.2};
        double h = 1e-6;
        double[] g = new double[7], gp = new double[7], gm = new double[7], hess = new double[49];
        for (int i : new int[] {0, 57, 100, 199}) {
            net.exampleGradient(theta, i, g);
            net.exampleHessian(theta, i, hess);
            double scale = 0;
            for (double v : g) scale = Math.max(scale, Math.abs(v));
            for (int a = 0; a < 7; a++) {
                double[] p = theta.clone(), m = theta.clone();
                p[a] += h;
                m[a] -= h;
                double fd = (net.exampleLoss(p, i) - net.exampleLoss(m, i)) / (2 * h);
                assertEquals(fd, g[a], 1e-6 * Math.max(1, scale), "dℓ_" + i + "/dθ" + (a + 1));
                net.exampleGradient(p, i, gp);
                net.exampleGradient(m, i, gm);
                for (int b = 0; b < 7; b++) {
                    double fd2 = (gp[b] - gm[b]) / (2 * h);
                    assertEquals(fd2, hess[b * 7 + a], 1e-5 * Math.max(1, Math.abs(fd2)), "H_" + i + "[" + b + "," + a + "]");
                }
            }
        }
        // the batched sum equals the per-example sum
        int[] idx = {5, 17, 17, 190};
        double[] batched = new double[7], single = new double[7];
        net.addExampleGradients(theta, idx, 1, 4, 0.25, batched);
        for (int k = 1; k < 4; k++) {
            net.exampleGradient(theta, idx[k], g);
            for (int a = 0; a < 7; a++) single[a] += 0.25 * g[a];
        }
        for (int a = 0; a < 7; a++) assertEquals(single[a], batched[a], 1e-12 * Math.abs(single[a]) + 1e-12);
    }
}
