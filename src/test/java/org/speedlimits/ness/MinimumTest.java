package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MinimumTest {
    static final TanhRegression MODEL = new TanhRegression(RegressionData.paper(0));

    @Test
    void paperStartIsUniformRescaledToHalfNorm() {
        double[] t = Minimum.paperStart(7, 5);
        java.util.Random r = new java.util.Random(5);
        double s = 0;
        double[] u = new double[7];
        for (int a = 0; a < 7; a++) { u[a] = r.nextDouble(); s += u[a] * u[a]; }
        for (int a = 0; a < 7; a++) assertEquals(u[a] * 0.5 / Math.sqrt(s), t[a], 1e-15);
    }

    @Test
    void everyPaperStartReachesTheSameMinimum() {
        double[] first = null;
        for (long seed = 0; seed < 10; seed++) {
            Minimum.Result r = Minimum.find(MODEL, Minimum.paperStart(7, seed));
            double[] g = new double[7];
            MODEL.gradient(r.theta(), g);
            for (double v : g) assertTrue(Math.abs(v) <= 1e-10, "‖∇𝓛‖∞ ≤ 1e-10");
            double[] ev = NessLinalg.eigh(StationaryState.hessian(MODEL, r.theta())).values();
            assertTrue(ev[6] > 0, "positive-definite Hessian, smallest eigenvalue " + ev[6]);
            assertEquals(MODEL.loss(r.theta()), r.loss(), 1e-12 * r.loss());
            double[] c = TanhRegression.canonical(r.theta());
            if (first == null) first = c;
            else assertArrayEquals(first, c, 1e-8, "seed " + seed);
        }
        // the reference shape from the authors' notebook (their noise draw): same signs and ordering
        assertTrue(first[0] > first[1] && first[1] > 0 && first[2] > 0 && first[3] < 0 && first[4] > 0 && first[5] < 0);
    }

    /** Why the saddle-free step: plain Newton from the same start stops at a saddle of 𝓛. */
    @Test
    void plainNewtonFromThePaperStartFindsASaddle() {
        double[] t = Minimum.paperStart(7, 0), g = new double[7], h = new double[49];
        for (int it = 0; it < 100; it++) {
            MODEL.gradient(t, g);
            double[] p = NessLinalg.solve(NessLinalg.square(h(t, h), 7), g);
            for (int a = 0; a < 7; a++) t[a] -= p[a];
        }
        MODEL.gradient(t, g);
        for (double v : g) assertTrue(Math.abs(v) < 1e-8, "a stationary point");
        double[] ev = NessLinalg.eigh(StationaryState.hessian(MODEL, t)).values();
        assertTrue(ev[6] < 0, "with negative curvature: a saddle");
        assertTrue(MODEL.loss(t) > 2 * Minimum.find(MODEL, Minimum.paperStart(7, 0)).loss());
    }

    private static double[] h(double[] t, double[] h) {
        MODEL.hessian(t, h);
        return h;
    }

    @Test
    void failsLoudlyWhenTheToleranceIsUnreachable() {
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> Minimum.find(MODEL, Minimum.paperStart(7, 0), 0.0));
        assertTrue(e.getMessage().contains("‖∇𝓛‖∞"), e.getMessage());
    }
}
