package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EntropyProduction}: Eq. (27) and the window bookkeeping on a short sequence, and the fluctuation theorems
 * (Eqs. 8, 9) on a process where the estimator's σ is exactly the log-ratio of forward and time-reversed path
 * probabilities, so that ⟨e^{−σ}⟩ = 1 and P(σ)/P(−σ) = e^{σ} hold exactly; a wrong K (2×, the wrong sign, …)
 * must fail them.
 *
 * <p>The process: x' = Fx + w, F = ρR (R a rotation by ω), w ~ N(0, qI). Its stationary Σ = q/(1−ρ²) I, and
 * ln P[x₀…x_ℓ]/P[x_ℓ…x₀] = Σ_k x_kᵀGΔ_k + ½[x_ℓᵀ(Σ⁻¹−P)x_ℓ − x₀ᵀ(Σ⁻¹−P)x₀] with G = FᵀQ⁻¹ − Q⁻¹F and
 * P = Q⁻¹ − FᵀQ⁻¹F; for F normal and Q isotropic P = Σ⁻¹, the boundary term vanishes, and σ has the estimator's
 * form with KᵀD⁻¹ = G, e.g. D⁻¹ = (2/q)I (D = ½⟨wwᵀ⟩) and K = (q/2)Gᵀ. (The identity is checked on one window
 * below against Gaussian log densities.) ⟨σ⟩ per step = tr(G(F − I)Σ).
 */
class EntropyProductionTest {
    private static final double RHO = 0.8, OMEGA = 0.2, Q = 1.0;

    private static double[] rotation() {
        return new double[] {Math.cos(OMEGA), -Math.sin(OMEGA), Math.sin(OMEGA), Math.cos(OMEGA)};
    }

    private static double[] gMatrix() {
        double[] r = rotation();
        return Dense.scale(Dense.add(Dense.transpose(r, 2), r, -1), RHO / Q);
    }

    @Test
    void exactOnAShortSequence() {
        double[] k = {0.3, -1.2, 0.7, 0.1}, dinv = {2, 0.5, 0.5, 1}, c = {0.1, -0.2};
        double[][] xs = {{0, 0}, {1, 0.5}, {0.2, 1}, {-1, 0.3}, {0.4, -0.6}, {1.5, 1}, {0, 2}, {-0.5, 0.5}};
        double[] s = new double[7];
        for (int t = 0; t < 7; t++) {
            double[] d = {xs[t][0] - c[0], xs[t][1] - c[1]}, v = Dense.apply(k, d, 2);
            double[] delta = {xs[t + 1][0] - xs[t][0], xs[t + 1][1] - xs[t][1]}, w = Dense.apply(dinv, delta, 2);
            s[t] = v[0] * w[0] + v[1] * w[1];
        }
        EntropyProduction gap1 = new EntropyProduction(k, dinv, c, new int[] {1, 2}, 1, 2, 5, 10, 5, 10);
        EntropyProduction gap0 = new EntropyProduction(k, dinv, c, new int[] {3}, 0, 1, 5, 10, 5, 10);
        for (double[] x : xs) {
            gap1.observe(0, x);
            gap0.observe(0, x);
        }
        // ℓ = 1, gap 1: s1, s3, s5, s7 (1-based); ℓ = 2, gap 1: s1+s2, s4+s5; ℓ = 3, gap 0: s1+s2+s3, s4+s5+s6
        double[][] windows = {{s[0], s[2], s[4], s[6]}, {s[0] + s[1], s[3] + s[4]}};
        EntropyProduction.Summary[] got = {gap1.summary(0), gap1.summary(1)};
        for (int w = 0; w < 2; w++) {
            double m = 0, e = 0;
            for (double v : windows[w]) {
                m += v / windows[w].length;
                e += Math.exp(-v) / windows[w].length;
            }
            assertEquals(windows[w].length, got[w].windows());
            assertEquals(m, got[w].meanSigma(), 1e-14);
            assertEquals(e, got[w].meanExp(), 1e-14);
            Histogram h = gap1.sigmaHistogram(w);
            long total = h.below() + h.above();
            for (long cnt : h.counts()) total += cnt;
            assertEquals(windows[w].length, total);
            // each σ in its bin: bin i covers [−5 + i, −4 + i)
            for (double v : windows[w]) assertTrue(v < -5 || v >= 5 || h.count((int) Math.floor(v + 5)) > 0);
        }
        // batches of 2 windows for ℓ = 1: SE of the mean from the two batch means (s1+s3)/2, (s5+s7)/2
        assertEquals(Math.abs((s[0] + s[2]) / 2 - (s[4] + s[6]) / 2) / 2, got[0].meanSigmaSE(), 1e-14);
        EntropyProduction.Summary three = gap0.summary(0);
        assertEquals(2, three.windows());
        assertEquals((s[0] + s[1] + s[2] + s[3] + s[4] + s[5]) / 2, three.meanSigma(), 1e-14);
    }

    /** Runs the rotation process for {@code steps} steps into an estimator with K scaled by {@code kScale}. */
    private static EntropyProduction run(double kScale, long steps, long seed) {
        double[] f = Dense.scale(rotation(), RHO);
        double[] k = Dense.scale(Dense.transpose(gMatrix(), 2), kScale * Q / 2), dinv = Dense.scale(Dense.identity(2), 2 / Q);
        EntropyProduction ep = new EntropyProduction(k, dinv, new double[2], new int[] {1, 2, 3}, 0, 2000, 6, 120, 10, 100);
        LinearGaussian p = new LinearGaussian(new double[2], f, Dense.scale(Dense.identity(2), Q));
        Rng rng = new Rng(seed);
        double[] x = p.stationary(rng);
        ep.add(x);
        for (long t = 0; t < steps; t++) {
            p.step(x, rng);
            ep.add(x);
        }
        return ep;
    }

    @Test
    void fluctuationTheoremsHoldWhereSigmaIsTheExactPathLogRatio() {
        double s = Q / (1 - RHO * RHO);
        double[] f = Dense.scale(rotation(), RHO), g = gMatrix();
        // the premise: σ over one window equals the log-ratio of the Gaussian path densities
        Rng pr = new Rng(5);
        double[][] path = new double[4][];
        path[0] = new double[] {Math.sqrt(s) * pr.nextGaussian(), Math.sqrt(s) * pr.nextGaussian()};
        for (int t = 0; t < 3; t++) {
            double[] m = Dense.apply(f, path[t], 2);
            path[t + 1] = new double[] {m[0] + Math.sqrt(Q) * pr.nextGaussian(), m[1] + Math.sqrt(Q) * pr.nextGaussian()};
        }
        double forward = logNormal(path[0], new double[2], s), backward = logNormal(path[3], new double[2], s), sigma = 0;
        for (int t = 0; t < 3; t++) {
            forward += logNormal(path[t + 1], Dense.apply(f, path[t], 2), Q);
            backward += logNormal(path[t], Dense.apply(f, path[t + 1], 2), Q);
            double[] d = {path[t + 1][0] - path[t][0], path[t + 1][1] - path[t][1]}, gd = Dense.apply(g, d, 2);
            sigma += path[t][0] * gd[0] + path[t][1] * gd[1];
        }
        assertEquals(forward - backward, sigma, 1e-12, "σ is the exact path log-ratio");
        EntropyProduction probe = new EntropyProduction(Dense.scale(Dense.transpose(g, 2), Q / 2),
                Dense.scale(Dense.identity(2), 2 / Q), new double[2], new int[] {3}, 0, 1, 6, 12, 10, 10);
        for (double[] x : path) probe.add(x);
        assertEquals(sigma, probe.summary(0).meanSigma(), 1e-12, "the estimator's σ of that window");

        double perStep = 0; // tr(G(F − I)Σ) = s·tr(G(F − I))
        double[] gf = Dense.multiply(g, Dense.add(f, Dense.identity(2), -1), 2);
        perStep = s * (gf[0] + gf[3]);
        EntropyProduction ep = run(1, 1_200_000, 99);
        for (int w = 0; w < 3; w++) {
            EntropyProduction.Summary sm = ep.summary(w);
            EntropyProduction.Dft dft = ep.dft(w, 20);
            System.out.printf("l=%d: <sigma> %.4f ± %.4f (exact %.4f), <exp(-sigma)> %.4f ± %.4f, DFT slope %.4f ± %.4f "
                            + "(chi2/dof %.2f, %d bin pairs)%n", sm.length(), sm.meanSigma(), sm.meanSigmaSE(),
                    perStep * sm.length(), sm.meanExp(), sm.meanExpSE(), dft.slope(), dft.slopeSE(), dft.chi2PerDof(), dft.points());
            assertEquals(perStep * sm.length(), sm.meanSigma(), 5 * sm.meanSigmaSE(), "<σ> for l = " + sm.length());
            assertEquals(1, sm.meanExp(), 5 * sm.meanExpSE(), "IFT for l = " + sm.length());
            assertTrue(sm.meanExpSE() < 0.01);
            assertEquals(1, dft.slope(), 5 * dft.slopeSE(), "DFT for l = " + sm.length());
            assertTrue(dft.slopeSE() < 0.05 && dft.points() >= 10);
        }
    }

    /**
     * Negative controls, σ computed with cK instead of K (σ scaled by c): the DFT slope becomes 1/c, ≥ 10 SE from 1,
     * for c = 2, −1 and 0.75; the IFT fails the 5-SE criterion the correct K passes, for c = 1.25, 0.75 and −0.5. (For
     * c = 2 or −1, e^{−cσ} has so heavy a tail that its sample mean, though far above 1, has no usable SE.)
     */
    @Test
    void aWrongCirculationFailsBothTheorems() {
        for (double scale : new double[] {2, -1, 0.75, 1.25, -0.5}) {
            EntropyProduction ep = run(scale, 600_000, 100);
            for (int w = 0; w < 3; w++) {
                EntropyProduction.Summary sm = ep.summary(w);
                EntropyProduction.Dft dft = ep.dft(w, 20);
                System.out.printf("K x %.2f, l=%d: <exp(-sigma)> %.4f ± %.4f, DFT slope %.4f ± %.4f%n", scale, sm.length(),
                        sm.meanExp(), sm.meanExpSE(), dft.slope(), dft.slopeSE());
                if (scale == 2 || scale == -1 || scale == 0.75) {
                    assertTrue(Math.abs(dft.slope() - 1) > 10 * dft.slopeSE(), "DFT should fail for K x " + scale);
                    assertEquals(1 / scale, dft.slope(), 5 * dft.slopeSE(), "σ scaled by c has DFT slope 1/c");
                }
                if (scale != 2 && scale != -1) {
                    assertTrue(Math.abs(sm.meanExp() - 1) > 5 * sm.meanExpSE(), "IFT should fail for K x " + scale);
                }
            }
        }
    }

    /** ln N(x; m, v I) without the constant (which cancels in the ratio). */
    private static double logNormal(double[] x, double[] m, double v) {
        double d0 = x[0] - m[0], d1 = x[1] - m[1];
        return -0.5 * (d0 * d0 + d1 * d1) / v;
    }
}
