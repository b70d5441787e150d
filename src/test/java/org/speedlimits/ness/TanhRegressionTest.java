package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TanhRegressionTest {
    static final RegressionData DATA = RegressionData.paper(0);
    static final TanhRegression MODEL = new TanhRegression(DATA);

    static double[] randomTheta(long seed) {
        Random r = new Random(seed);
        double[] t = new double[7];
        for (int a = 0; a < 7; a++) t[a] = r.nextGaussian();
        return t;
    }

    @Test
    void paperDataSetFollowsSection41() {
        assertEquals(200, DATA.size());
        assertEquals(0.1, DATA.epsilon());
        Random g = new Random(0);
        double[] x = DATA.x(), y = DATA.y();
        for (int i = 1; i <= 200; i++) {
            double xi = -3 + 0.03 * (i - 1);
            assertEquals(xi, x[i - 1], 1e-12);
            assertEquals(Math.exp(-xi * xi) + 0.1 * g.nextGaussian(), y[i - 1], 1e-15);
        }
        assertEquals(2.97, x[199], 1e-12);
        assertNotEquals(DATA.y()[0], RegressionData.paper(1).y()[0], "another seed, another noise draw");
        x[0] = 99;
        assertEquals(-3, DATA.x()[0], "the record hands out copies");
        assertThrows(IllegalArgumentException.class, () -> new RegressionData(new double[3], new double[2], 0.1, 0));
    }

    @Test
    void outputIsEquation30() {
        double[] t = {0.3, -1.2, 0.5, 0.1, 2.0, -0.7, 0.25};
        double x = 0.8;
        assertEquals(2.0 * Math.tanh(0.3 * 0.8 + 0.5) - 0.7 * Math.tanh(-1.2 * 0.8 + 0.1) + 0.25,
                TanhRegression.output(t, x), 1e-15);
        int i = 17;
        double r = DATA.y()[i] - TanhRegression.output(t, DATA.x()[i]);
        assertEquals(200 / (2 * 0.01) * r * r, MODEL.exampleLoss(t, i), 1e-9);
        // 𝓛 = (1/2ε²)Σ r² + λ‖θ‖²
        double s = 0, n2 = 0;
        for (int k = 0; k < 200; k++) {
            double rk = DATA.y()[k] - TanhRegression.output(t, DATA.x()[k]);
            s += rk * rk / (2 * 0.01);
        }
        for (double v : t) n2 += v * v;
        assertEquals(s + 10 * n2, MODEL.loss(t), 1e-9 * MODEL.loss(t));
    }

    @Test
    void fastTanhMatchesMathTanh() {
        double worst = 0;
        for (int k = -200_000; k <= 200_000; k++) {
            double u = k * 1e-4;
            worst = Math.max(worst, Math.abs(TanhRegression.tanh(u) - Math.tanh(u)));
        }
        assertTrue(worst <= 4e-16, "absolute error " + worst);
        assertEquals(1.0, TanhRegression.tanh(1e4), 0.0);
        assertEquals(-1.0, TanhRegression.tanh(-1e4), 0.0);
        assertEquals(0.0, TanhRegression.tanh(0), 0.0);
    }

    @Test
    void exampleGradientsAndHessiansMatchFiniteDifferences() {
        double[] h = new double[49], g = new double[7];
        for (long seed = 1; seed <= 3; seed++) {
            double[] t = randomTheta(seed);
            for (int i : new int[] {0, 57, 123, 199}) {
                MODEL.exampleGradient(t, i, g);
                double eg = ModelFiniteDifferences.relativeError(g, ModelFiniteDifferences.gradient(MODEL, t, i, 1e-5));
                assertTrue(eg <= 1e-6, "∇ℓ_" + i + " relative error " + eg);
                MODEL.exampleHessian(t, i, h);
                double[] fd = ModelFiniteDifferences.hessian(MODEL, t, i, 1e-5);
                double eh = ModelFiniteDifferences.relativeError(h, fd);
                assertTrue(eh <= 1e-6, "∇²ℓ_" + i + " relative error " + eh);
                // negative control: the Gauss–Newton part ∇ℓ∇ℓᵀ/(2ℓ) = (M/ε²)∇f∇fᵀ alone must be rejected
                double l = MODEL.exampleLoss(t, i);
                double[] gn = new double[49];
                for (int a = 0; a < 7; a++) for (int b = 0; b < 7; b++) gn[a * 7 + b] = g[a] * g[b] / (2 * l);
                assertTrue(ModelFiniteDifferences.relativeError(gn, fd) > 1e-3, "the check can fail");
            }
        }
    }

    @Test
    void fullBatchOverridesMatchDefaultsAndFiniteDifferences() {
        NessModel reference = ModelFiniteDifferences.defaultsOnly(MODEL);
        double[] g = new double[7], gRef = new double[7], h = new double[49], hRef = new double[49];
        for (long seed = 4; seed <= 6; seed++) {
            double[] t = randomTheta(seed);
            MODEL.gradient(t, g);
            reference.gradient(t, gRef);
            assertTrue(ModelFiniteDifferences.relativeError(g, gRef) < 1e-13);
            assertTrue(ModelFiniteDifferences.relativeError(g, ModelFiniteDifferences.gradient(MODEL, t, -1, 1e-5)) <= 1e-6);
            MODEL.hessian(t, h);
            reference.hessian(t, hRef);
            assertTrue(ModelFiniteDifferences.relativeError(h, hRef) < 1e-13);
            assertTrue(ModelFiniteDifferences.relativeError(h, ModelFiniteDifferences.hessian(MODEL, t, -1, 1e-5)) <= 1e-6);
        }
    }

    @Test
    void minibatchSumAddsScaledGradients() {
        double[] t = randomTheta(7);
        int[] idx = {5, 9, 9, 140, 3, 77};
        double[] got = {1, 2, 3, 4, 5, 6, 7}, want = got.clone(), g = new double[7];
        MODEL.addExampleGradients(t, idx, 1, 5, 0.1, got);
        for (int k = 1; k < 5; k++) {
            MODEL.exampleGradient(t, idx[k], g);
            for (int a = 0; a < 7; a++) want[a] += 0.1 * g[a];
        }
        assertArrayEquals(want, got, 1e-10);
    }

    /** The 8 images of θ under the two sign flips and the unit swap. */
    static double[][] symmetricCopies(double[] t) {
        double[][] out = new double[8][];
        for (int k = 0; k < 8; k++) {
            double[] c = t.clone();
            if ((k & 1) != 0) for (int j = 0; j < 6; j += 2) c[j] = -c[j];
            if ((k & 2) != 0) for (int j = 1; j < 6; j += 2) c[j] = -c[j];
            if ((k & 4) != 0) for (int j = 0; j < 6; j += 2) { double s = c[j]; c[j] = c[j + 1]; c[j + 1] = s; }
            out[k] = c;
        }
        return out;
    }

    @Test
    void canonicalFormMapsAllEightSymmetricCopiesToOne() {
        for (long seed = 10; seed < 20; seed++) {
            double[] t = randomTheta(seed);
            double[] canon = TanhRegression.canonical(t);
            assertTrue(canon[0] > 0 && canon[1] > 0 && canon[0] > canon[1], "positive, descending input weights");
            Set<String> distinct = new HashSet<>();
            for (double[] c : symmetricCopies(t)) {
                distinct.add(java.util.Arrays.toString(c));
                assertEquals(MODEL.loss(t), MODEL.loss(c), 1e-9 * MODEL.loss(t), "a symmetry of 𝓛");
                assertArrayEquals(canon, TanhRegression.canonical(c), 0.0);
            }
            assertEquals(8, distinct.size(), "the copies really differ");
        }
        // negative control: a non-symmetry (flipping the output weight alone) changes the canonical form
        double[] t = randomTheta(3), u = t.clone();
        u[4] = -u[4];
        assertFalse(java.util.Arrays.equals(TanhRegression.canonical(t), TanhRegression.canonical(u)));
    }
}
