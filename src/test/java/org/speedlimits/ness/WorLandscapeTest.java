package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WorLandscape: ∇δL against finite differences, Eq. 16 against the B10 form, the exact mean epoch displacement
 * (every ordered partition enumerated) against −η∇L̂ to O(η³) with −ηn∇𝓛 as the O(η²) negative control, and the
 * WOR centre θ̂₀.
 */
class WorLandscapeTest {

    /** Central difference of f along e_a, Richardson-extrapolated (error O(h⁴)). */
    private static double derivative(java.util.function.ToDoubleFunction<double[]> f, double[] th, int a, double h) {
        double[] t = th.clone();
        double[] v = new double[4];
        double[] steps = {h, -h, 2 * h, -2 * h};
        for (int k = 0; k < 4; k++) {
            t[a] = th[a] + steps[k];
            v[k] = f.applyAsDouble(t);
        }
        double d1 = (v[0] - v[1]) / (2 * h), d2 = (v[2] - v[3]) / (4 * h);
        return (4 * d1 - d2) / 3;
    }

    @Test
    void correctionGradientMatchesFiniteDifferences() {
        NessModel[] models = {new WorFixtures.Tanh(12, 0.05, 3), new WorFixtures.Quadratic(3, 12, 0.2, 5, false),
                new WorFixtures.Quadratic(4, 6, 0.0, 6, true)};
        int[] batch = {3, 4, 2};
        for (int k = 0; k < models.length; k++) {
            NessModel model = models[k];
            WorLandscape land = new WorLandscape(model, batch[k], 0.01);
            for (long seed = 0; seed < 3; seed++) {
                double[] th = WorFixtures.randomPoint(model.parameters(), 1.0, 100 + seed);
                double[] g = new double[th.length], full = new double[th.length];
                land.correctionGradient(th, g);
                land.gradient(th, full);
                double[] fd = new double[th.length], fdFull = new double[th.length];
                for (int a = 0; a < th.length; a++) {
                    fd[a] = derivative(land::correction, th, a, 1e-3);
                    fdFull[a] = derivative(land::value, th, a, 1e-3);
                }
                assertTrue(WorFixtures.maxAbsDiff(g, fd) <= 1e-8 * WorFixtures.maxAbs(fd),
                        "∇δL vs FD, model " + k + ": " + java.util.Arrays.toString(g) + " vs " + java.util.Arrays.toString(fd));
                assertTrue(WorFixtures.maxAbsDiff(full, fdFull) <= 1e-8 * WorFixtures.maxAbs(fdFull), "∇L̂ vs FD");
                double[] viaField = new double[th.length];
                land.correctionField().at(th, viaField);
                assertEquals(0, WorFixtures.maxAbsDiff(viaField, g), 0.0, "the Field is ∇δL");
                // negative control: a sign error in the Σ U_iV_i term would be visible
                assertTrue(WorFixtures.maxAbs(g) > 1e-6, "δL is not trivially zero here");
            }
        }
    }

    @Test
    void eq16AgreesWithB10() {
        NessModel model = new WorFixtures.Tanh(10, 0.1, 8);
        int m = 2, n = 5, bigM = 10;
        double eta = 0.03;
        WorLandscape land = new WorLandscape(model, m, eta);
        double[] th = {0.7, 1.1};
        // B10, written from the per-example gradients: ∂𝓛∂𝓛 + ∂L∂L/(M−1) − ∂ℓ_i∂ℓ_i/(M(M−1))
        double[] gFull = new double[2], g = new double[2], gL = new double[2];
        model.gradient(th, gFull);
        double sumSq = 0;
        for (int i = 0; i < bigM; i++) {
            model.exampleGradient(th, i, g);
            for (int a = 0; a < 2; a++) {
                gL[a] += g[a] / bigM;
                sumSq += g[a] * g[a];
            }
        }
        double bracket = gFull[0] * gFull[0] + gFull[1] * gFull[1] + (gL[0] * gL[0] + gL[1] * gL[1]) / (bigM - 1)
                - sumSq / (bigM * (bigM - 1.0));
        double b10 = n * model.loss(th) - eta * n * (n - 1) / 4.0 * bracket;
        assertEquals(b10, land.value(th), 1e-13 * Math.abs(b10));
        assertEquals(0, new WorLandscape(model, bigM, eta).correction(th), 0.0, "n = 1: no correction");
    }

    /** Exact mean of θ_end − θ over every ordered partition. */
    static double[] exactMeanDisplacement(NessModel model, int m, double eta, double[] th) {
        int nPar = th.length;
        double[] sum = new double[nPar];
        long[] count = {0};
        WorFixtures.forEachPartition(m, model.examples(), batchOf -> {
            double[] t = th.clone();
            WorFixtures.epoch(model, m, eta, WorFixtures.order(batchOf, m), t);
            for (int a = 0; a < nPar; a++) sum[a] += t[a] - th[a];
            count[0]++;
        });
        for (int a = 0; a < nPar; a++) sum[a] /= count[0];
        return sum;
    }

    private static double[] errors(NessModel model, int m, double eta, double[] th) {
        WorLandscape land = new WorLandscape(model, m, eta);
        double[] mean = exactMeanDisplacement(model, m, eta, th);
        double[] g = new double[th.length], gd = new double[th.length];
        land.gradient(th, g);
        model.gradient(th, gd);
        double[] eHat = new double[th.length], eGd = new double[th.length];
        for (int a = 0; a < th.length; a++) {
            eHat[a] = mean[a] + eta * g[a];
            eGd[a] = mean[a] + eta * land.steps() * gd[a];
        }
        return new double[]{WorFixtures.maxAbs(eHat), WorFixtures.maxAbs(eGd)};
    }

    private static void checkMeanOrders(NessModel model, int m, double eta, double[] th, String what) {
        double[] e1 = errors(model, m, eta, th), e2 = errors(model, m, eta / 2, th);
        double rHat = e1[0] / e2[0], rGd = e1[1] / e2[1];
        System.out.printf("%s: mean displacement error vs −η∇L̂: %.3e → %.3e (ratio %.2f); vs −ηn∇𝓛: %.3e → %.3e (ratio %.2f)%n",
                what, e1[0], e2[0], rHat, e1[1], e2[1], rGd);
        assertTrue(rHat > 6.5 && rHat < 9.5, what + ": −η∇L̂ should be exact to O(η³), ratio " + rHat);
        assertTrue(rGd > 3.5 && rGd < 4.5, what + ": −ηn∇𝓛 is only O(η²), ratio " + rGd);
        assertTrue(e1[0] < 0.2 * e1[1], what + ": δL must matter");
    }

    @Test
    void meanEpochDisplacementIsMinusEtaGradLHatToThirdOrder() {
        checkMeanOrders(new WorFixtures.Tanh(8, 0.05, 11), 2, 0.02, new double[]{0.6, 1.4}, "tanh M=8 m=2");
        checkMeanOrders(new WorFixtures.Quadratic(3, 6, 0.3, 12, false), 2, 0.01,
                new double[]{0.4, -0.3, 0.8}, "quadratic N=3 M=6 m=2");
        checkMeanOrders(new WorFixtures.Quadratic(2, 6, 0.1, 13, true), 1, 0.01, new double[]{1.0, -1.0},
                "quadratic N=2 M=6 m=1");
    }

    @Test
    void centreMovesLinearlyInEta() {
        NessModel[] models = {new WorFixtures.Tanh(12, 0.05, 21), new WorFixtures.Quadratic(3, 8, 0.2, 22, true)};
        for (NessModel model : models) {
            double[] theta0 = model instanceof WorFixtures.Quadratic q ? q.minimum()
                    : WorFixtures.minimum(model, new double[]{0.8, 1.2});
            double[] g0 = new double[theta0.length];
            model.gradient(theta0, g0);
            assertTrue(WorFixtures.maxAbs(g0) < 1e-12, "test θ₀ is the minimum of 𝓛");
            int m = 2;
            double eta = 4e-3;
            WorLandscape land = new WorLandscape(model, m, eta);
            double[] c1 = land.centre(theta0);
            double[] c2 = new WorLandscape(model, m, eta / 2).centre(theta0);
            double[] g = new double[theta0.length];
            land.gradient(c1, g);
            assertTrue(WorFixtures.maxAbs(g) < 1e-10 * land.steps(), "converged: ‖∇L̂‖ = " + WorFixtures.maxAbs(g));
            double[] d1 = new double[theta0.length], d2 = new double[theta0.length];
            for (int a = 0; a < theta0.length; a++) {
                d1[a] = c1[a] - theta0[a];
                d2[a] = c2[a] - theta0[a];
            }
            double ratio = WorFixtures.maxAbs(d1) / WorFixtures.maxAbs(d2);
            assertTrue(WorFixtures.maxAbs(d1) > 1e-6, "the centre moves");
            assertTrue(Math.abs(ratio - 2) < 0.05, "θ̂₀ − θ₀ = O(η): ratio " + ratio);
            // first order: θ̂₀ − θ₀ ≈ −(nH₀)⁻¹∇δL(θ₀), an independent formula
            double[] h0 = new double[theta0.length * theta0.length], dl = new double[theta0.length];
            model.hessian(theta0, h0);
            for (int k = 0; k < h0.length; k++) h0[k] *= land.steps();
            land.correctionGradient(theta0, dl);
            double[] lin = WorFixtures.solve(h0, dl, theta0.length);
            for (int a = 0; a < lin.length; a++) lin[a] = -lin[a];
            double rel = WorFixtures.maxAbsDiff(d1, lin) / WorFixtures.maxAbs(lin);
            System.out.printf("centre shift %s: |Δ| = %.3e, halving-η ratio %.4f, vs first-order formula rel %.2e%n",
                    model.getClass().getSimpleName(), WorFixtures.maxAbs(d1), ratio, rel);
            assertTrue(rel < 0.05, "first-order centre shift, rel " + rel);
        }
    }

    @Test
    void hessianMatchesFiniteDifferencesOfTheGradient() {
        NessModel model = new WorFixtures.Tanh(12, 0.05, 31);
        WorLandscape land = new WorLandscape(model, 3, 0.02);
        double[] th = {0.9, 1.3};
        double[] h = land.hessian(th);
        for (int b = 0; b < 2; b++) {
            final int bb = b;
            for (int a = 0; a < 2; a++) {
                final int aa = a;
                double fd = derivative(t -> {
                    double[] g = new double[2];
                    land.gradient(t, g);
                    return g[aa];
                }, th, bb, 1e-3);
                assertEquals(fd, h[a * 2 + b], 1e-7 * WorFixtures.maxAbs(h));
            }
        }
        assertEquals(h[1], h[2], 0.0, "symmetrised");
    }

    @Test
    void centreFailsClearlyWithoutAMinimum() {
        // ℓ_i = c_i·θ, λ = 0: ∇L̂ is constant and nonzero, ∇²L̂ = 0
        NessModel linear = new NessModel() {
            @Override public int parameters() { return 2; }
            @Override public int examples() { return 4; }
            @Override public double lambda() { return 0; }
            @Override public double exampleLoss(double[] t, int i) { return (i + 1) * t[0] - i * t[1]; }
            @Override public void exampleGradient(double[] t, int i, double[] out) { out[0] = i + 1; out[1] = -i; }
            @Override public void exampleHessian(double[] t, int i, double[] out) { java.util.Arrays.fill(out, 0); }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new WorLandscape(linear, 2, 0.01).centre(new double[]{0, 0}));
        assertTrue(e.getMessage().contains("singular"), e.getMessage());
    }
}
