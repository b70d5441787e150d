package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MarchenkoPasturTest {
    @Test
    void integratesToOneIncludingTheAtom() {
        for (double g : new double[]{0.1, 0.5, 1.0, 2.5, 8.0}) {
            MarchenkoPastur mp = new MarchenkoPastur(g);
            assertEquals(1.0, mp.integrate(s -> 1), 1e-10, "gamma=" + g);
            // independent check of the bulk mass with a plain midpoint rule on the density itself
            int n = 2_000_000;
            double h = (mp.upper - mp.lower) / n, mass = 0;
            for (int i = 0; i < n; i++) mass += mp.density(mp.lower + (i + 0.5) * h) * h;
            assertEquals(Math.min(1, 1 / g), mass, 2e-3, "bulk mass gamma=" + g);
            assertEquals(g > 1 ? 1 - 1 / g : 0, mp.atom(), 1e-15);
        }
    }

    @Test
    void momentsMatchClosedForm() {
        assertEquals(1 + 3 * 0.7 + 0.49, MarchenkoPastur.exactMoment(3, 0.7), 1e-12);
        for (double g : new double[]{0.3, 1.0, 3.0})
            for (int k = 1; k <= 4; k++) {
                final int kk = k;
                assertEquals(MarchenkoPastur.exactMoment(k, g), new MarchenkoPastur(g).integrate(s -> Math.pow(s, kk)),
                        1e-9 * MarchenkoPastur.exactMoment(k, g), "gamma=" + g + " k=" + k);
            }
    }

    @Test
    void momentsMatchSampledSpectra() {
        // d = 240 is large enough for the k-th moment to be within a few percent of the MP value
        int[][] shapes = {{240, 480}, {240, 120}};
        long seed = 17;
        for (int[] sh : shapes) {
            int d = sh[0], n = sh[1];
            LinregProblem p = LinregProblem.generate(d, n, 1.0, seed++);
            double[] ev = Mat.eigenvalues(p.k); // descending: ev[0] is the largest
            MarchenkoPastur mp = new MarchenkoPastur((double) d / n);
            for (int k = 1; k <= 3; k++) {
                double emp = 0;
                for (double e : ev) emp += Math.pow(Math.max(e, 0) / n, k);
                emp /= d;
                final int kk = k;
                double th = mp.integrate(s -> Math.pow(s, kk));
                assertEquals(th, emp, 0.05 * th, "d=" + d + " n=" + n + " k=" + k);
            }
            // the fraction of zero eigenvalues is the atom mass
            int zeros = 0;
            for (double e : ev) if (e < 1e-8 * ev[0]) zeros++;
            assertEquals(mp.atom(), (double) zeros / d, 1e-12);
            // the spectrum edge
            assertEquals(mp.upper, ev[0] / n, 0.1 * mp.upper);
            // the empirical CDF against the integrated density at the median of the bulk
            double mid = 0.5 * (mp.lower + mp.upper);
            double cdf = mp.atom() + mp.integrate(s -> s > 0 && s <= mid ? 1 : 0);
            int below = 0;
            for (double e : ev) if (e / n <= mid) below++;
            assertEquals(cdf, (double) below / d, 0.04);
        }
    }
}
