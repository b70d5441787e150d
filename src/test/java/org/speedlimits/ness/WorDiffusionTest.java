package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WorDiffusion: the fast B20 forms against their O(M²) definitions; the B18 contraction against the exact
 * enumeration of ⟨(Zζ+Sχ)(Zζ+Sχ)ᵀ⟩ for arbitrary Z, S; and D̂(θ) against ½Cov of the WOR epoch map itself — exactly
 * (every ordered partition) and by Monte Carlo with standard errors — with the printed B18, B21 and Eq. 18 as
 * comparisons.
 */
class WorDiffusionTest {

    /** Z, B, C, F, G, T from the definitions B12, B19, B20 with the explicit O(M²) tensor S. */
    private static WorDiffusion.Terms naiveTerms(NessModel model, int m, double[] th) {
        int nPar = model.parameters(), bigM = model.examples(), n = bigM / m;
        double[][] v = new double[bigM][nPar], u = new double[bigM][nPar * nPar];
        for (int i = 0; i < bigM; i++) {
            model.exampleGradient(th, i, v[i]);
            model.exampleHessian(th, i, u[i]);
            for (int a = 0; a < nPar; a++) v[i][a] /= bigM;
            for (int k = 0; k < nPar * nPar; k++) u[i][k] /= bigM;
        }
        double lam = model.lambda();
        double[][] z = new double[bigM][nPar];
        double[][][] s = new double[nPar][bigM][bigM];
        for (int i = 0; i < bigM; i++)
            for (int a = 0; a < nPar; a++) {
                double yv = 2 * lam * v[i][a], ux = 0;
                for (int b = 0; b < nPar; b++) ux += u[i][a * nPar + b] * 2 * lam * th[b];
                z[i][a] = n * yv - n * ux; // Z_αi = nY_αβV_βi − nU_αβiX_β
                for (int j = 0; j < bigM; j++) {
                    double uv = 0;
                    for (int b = 0; b < nPar; b++) uv += u[i][a * nPar + b] * v[j][b];
                    s[a][i][j] = (double) n * n * uv; // S_αij = n²U_αβiV_βj
                }
            }
        return termsFromTensors(z, s);
    }

    /** B_{αi} = S^Δ_{αji}e_j, C_{αi} = S^Δ_{αij}e_j, F = S^ΔS^Δ, G = S^Δ_{αij}S^Δ_{βji}, T = Σ_{i≠j}S_ij (B19–B20). */
    private static WorDiffusion.Terms termsFromTensors(double[][] z, double[][][] s) {
        int nPar = s.length, bigM = z.length;
        double[][] b = new double[bigM][nPar], c = new double[bigM][nPar];
        double[] f = new double[nPar * nPar], g = new double[nPar * nPar], t = new double[nPar];
        for (int i = 0; i < bigM; i++)
            for (int j = 0; j < bigM; j++) {
                if (i == j) continue; // S^Δ
                for (int a = 0; a < nPar; a++) {
                    b[i][a] += s[a][j][i];
                    c[i][a] += s[a][i][j];
                    t[a] += s[a][i][j];
                    for (int q = 0; q < nPar; q++) {
                        f[a * nPar + q] += s[a][i][j] * s[q][i][j];
                        g[a * nPar + q] += s[a][i][j] * s[q][j][i];
                    }
                }
            }
        return new WorDiffusion.Terms(z, b, c, f, g, t);
    }

    private static double maxAbsDiff(double[][] x, double[][] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) d = Math.max(d, WorFixtures.maxAbsDiff(x[i], y[i]));
        return d;
    }

    private static double maxAbs(double[][] x) {
        double d = 0;
        for (double[] r : x) d = Math.max(d, WorFixtures.maxAbs(r));
        return d;
    }

    @Test
    void fastTermsMatchTheirDefinitions() {
        Object[][] cases = {{new WorFixtures.Quadratic(3, 8, 0.3, 1, false), 2},
                {new WorFixtures.Tanh(12, 0.07, 2), 3}, {new WorFixtures.Quadratic(4, 6, 0.1, 3, true), 3}};
        for (Object[] cs : cases) {
            NessModel model = (NessModel) cs[0];
            int m = (Integer) cs[1];
            double[] th = WorFixtures.randomPoint(model.parameters(), 0.8, 7);
            WorDiffusion.Terms fast = new WorDiffusion(model, m, 0.01).terms(th);
            WorDiffusion.Terms slow = naiveTerms(model, m, th);
            double tol = 1e-12;
            assertTrue(maxAbsDiff(fast.z(), slow.z()) <= tol * maxAbs(slow.z()), "Z");
            assertTrue(maxAbsDiff(fast.noiseB(), slow.noiseB()) <= tol * maxAbs(slow.noiseB()), "B");
            assertTrue(maxAbsDiff(fast.noiseC(), slow.noiseC()) <= tol * maxAbs(slow.noiseC()), "C");
            assertTrue(WorFixtures.maxAbsDiff(fast.f(), slow.f()) <= tol * WorFixtures.maxAbs(slow.f()), "F");
            assertTrue(WorFixtures.maxAbsDiff(fast.g(), slow.g()) <= tol * WorFixtures.maxAbs(slow.g()), "G");
            assertTrue(WorFixtures.maxAbsDiff(fast.total(), slow.total()) <= tol * WorFixtures.maxAbs(slow.total()), "T");
            assertTrue(WorFixtures.maxAbs(slow.g()) > 0 && maxAbs(slow.z()) > 0, "nontrivial");
        }
    }

    /** ½η⁴⟨(Zζ+Sχ)(Zζ+Sχ)ᵀ⟩ over every ordered partition, ζ_i = (n−1)/2 − b_i, χ_ij = [b_i &gt; b_j] − p. */
    private static double[] enumeratedContraction(double[][] z, double[][][] s, int m, double eta) {
        int nPar = s.length, bigM = z.length, n = bigM / m;
        double p = (bigM - m) / (2.0 * (bigM - 1));
        double[] acc = new double[nPar * nPar];
        long[] count = {0};
        double[] xi = new double[nPar];
        WorFixtures.forEachPartition(m, bigM, b -> {
            java.util.Arrays.fill(xi, 0);
            for (int i = 0; i < bigM; i++) {
                double zeta = (n - 1) / 2.0 - b[i];
                for (int a = 0; a < nPar; a++) xi[a] += z[i][a] * zeta;
                for (int j = 0; j < bigM; j++) {
                    if (i == j) continue;
                    double chi = (b[i] > b[j] ? 1 : 0) - p;
                    for (int a = 0; a < nPar; a++) xi[a] += s[a][i][j] * chi;
                }
            }
            for (int a = 0; a < nPar; a++) for (int q = 0; q < nPar; q++) acc[a * nPar + q] += xi[a] * xi[q];
            count[0]++;
        });
        double sc = 0.5 * Math.pow(eta, 4) / count[0];
        for (int k = 0; k < acc.length; k++) acc[k] *= sc;
        return acc;
    }

    @Test
    void b18ContractionMatchesEnumerationForArbitraryTensors() {
        int[][] cases = {{2, 6}, {3, 6}, {1, 6}, {2, 8}, {1, 4}};
        Random rnd = new Random(17);
        for (int[] cs : cases) {
            int m = cs[0], bigM = cs[1], nPar = 3;
            double eta = 0.7;
            double[][] z = new double[bigM][nPar];
            double[][][] s = new double[nPar][bigM][bigM];
            // arbitrary tensors plus a coherent part, which Zζ and Sχ cannot see (Σζ_i = 0, Σχ_ij = 0)
            double[] zc = {2, -1, 0.5}, sc = {1.5, 0.7, -2};
            for (int i = 0; i < bigM; i++)
                for (int a = 0; a < nPar; a++) {
                    z[i][a] = rnd.nextGaussian() + zc[a];
                    for (int j = 0; j < bigM; j++) s[a][i][j] = rnd.nextGaussian() + sc[a];
                }
            WorMoments w = new WorMoments(m, bigM);
            double[] exact = enumeratedContraction(z, s, m, eta);
            WorDiffusion.Terms t = termsFromTensors(z, s);
            double[] full = WorDiffusion.contract(t, w, eta);
            double[] printed = WorDiffusion.contractPrinted(t, w, eta);
            double errFull = WorFixtures.relFrob(full, exact), errPrinted = WorFixtures.relFrob(printed, exact);
            System.out.printf("B18 contraction M=%d m=%d: corrected rel err %.1e, printed rel err %.3f%n",
                    bigM, m, errFull, errPrinted);
            assertTrue(errFull < 1e-12, "corrected B18 is exact: " + errFull);
            assertTrue(errPrinted > 0.05, "printed B18 is not (negative control): " + errPrinted);
            // gauge invariance: removing the coherent parts leaves the corrected D̂ unchanged
            for (int i = 0; i < bigM; i++)
                for (int a = 0; a < nPar; a++) {
                    z[i][a] -= zc[a];
                    for (int j = 0; j < bigM; j++) s[a][i][j] -= sc[a];
                }
            double[] shifted = WorDiffusion.contract(termsFromTensors(z, s), w, eta);
            assertTrue(WorFixtures.relFrob(shifted, full) < 1e-12, "invariant under Z_i→Z_i+w, S_ij→S_ij+s");
        }
    }

    /** ½Cov(θ_end) and the mean of θ_end − θ over every ordered partition (exact for the epoch map). */
    static double[][] exactEpochMoments(NessModel model, int m, double eta, double[] th) {
        int nPar = th.length;
        java.util.List<double[]> ends = new java.util.ArrayList<>();
        WorFixtures.forEachPartition(m, model.examples(), b -> {
            double[] t = th.clone();
            WorFixtures.epoch(model, m, eta, WorFixtures.order(b, m), t);
            for (int a = 0; a < nPar; a++) t[a] -= th[a];
            ends.add(t);
        });
        double[] mean = new double[nPar];
        for (double[] e : ends) for (int a = 0; a < nPar; a++) mean[a] += e[a] / ends.size();
        double[] half = new double[nPar * nPar];
        for (double[] e : ends)
            for (int a = 0; a < nPar; a++)
                for (int q = 0; q < nPar; q++) half[a * nPar + q] += 0.5 * (e[a] - mean[a]) * (e[q] - mean[q]) / ends.size();
        return new double[][]{half, mean};
    }

    private static double[] errorsByForm(NessModel model, int m, double eta, double[] th) {
        double[] exact = exactEpochMoments(model, m, eta, th)[0];
        WorDiffusion d = new WorDiffusion(model, m, eta);
        WorDiffusion.Form[] forms = WorDiffusion.Form.values();
        double[] err = new double[forms.length];
        for (int k = 0; k < forms.length; k++) err[k] = WorFixtures.relFrob(d.at(forms[k], th), exact);
        return err;
    }

    private static void checkAgainstExactEpochs(NessModel model, int m, double eta, double[] th, String what) {
        double[] e1 = errorsByForm(model, m, eta, th), e2 = errorsByForm(model, m, eta / 2, th);
        StringBuilder sb = new StringBuilder(what + ": rel. Frobenius error vs exact ½Cov(θ_end) at η, η/2:");
        WorDiffusion.Form[] forms = WorDiffusion.Form.values();
        for (int k = 0; k < forms.length; k++) sb.append(String.format(" %s %.2e/%.2e", forms[k], e1[k], e2[k]));
        System.out.println(sb);
        double ratio = e1[0] / e2[0];
        assertTrue(ratio > 1.7 && ratio < 2.3, what + ": corrected B18 error should be O(η), ratio " + ratio);
        assertTrue(e2[0] < 0.02, what + ": corrected B18 within 2% at η/2: " + e2[0]);
        for (int k = 1; k < forms.length; k++) // the others stay off as η → 0 (or, for B21 at tiny n, agree)
            assertTrue(e2[k] > 3 * e2[0], what + ": " + forms[k] + " should be visibly worse: " + e2[k]);
    }

    @Test
    void fullB18MatchesTheExactEpochCovarianceQuadratic() {
        // quadratic ℓ_i: the epoch map is exactly affine, so B7–B8's truncation is the only difference
        WorFixtures.Quadratic q = new WorFixtures.Quadratic(3, 8, 0.5, 41, true);
        checkAgainstExactEpochs(q, 2, 2e-3, q.minimum(), "quadratic N=3 M=8 m=2 at θ₀");
        checkAgainstExactEpochs(q, 2, 2e-3, new double[]{0.5, -1.0, 0.3}, "quadratic N=3 M=8 m=2 off θ₀");
        WorFixtures.Quadratic q2 = new WorFixtures.Quadratic(2, 6, 0.2, 42, false);
        checkAgainstExactEpochs(q2, 1, 1e-3, q2.minimum(), "quadratic N=2 M=6 m=1 at θ₀");
    }

    @Test
    void fullB18MatchesTheExactEpochCovarianceTanh() {
        WorFixtures.Tanh model = new WorFixtures.Tanh(8, 0.1, 43);
        double[] theta0 = WorFixtures.minimum(model, new double[]{0.8, 1.2});
        checkAgainstExactEpochs(model, 2, 4e-3, theta0, "tanh M=8 m=2 at θ₀");
    }

    @Test
    void fullB18MatchesMonteCarloEpochsWithinStandardErrors() {
        // M = 24, m = 4: too many partitions to enumerate; random permutations instead
        WorFixtures.Tanh model = new WorFixtures.Tanh(24, 0.1, 51);
        double[] th = WorFixtures.minimum(model, new double[]{0.8, 1.2});
        int m = 4, nPar = 2, epochs = 200_000;
        double eta = 2e-4; // truncation O(ηn‖H‖) ~ 1e-3 relative, below the MC resolution
        Random rnd = new Random(52);
        int[] idx = new int[24];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        double[][] x = new double[epochs][];
        double[] mean = new double[nPar];
        for (int k = 0; k < epochs; k++) {
            WorFixtures.shuffle(idx, rnd);
            double[] t = th.clone();
            WorFixtures.epoch(model, m, eta, idx, t);
            for (int a = 0; a < nPar; a++) {
                t[a] -= th[a];
                mean[a] += t[a] / epochs;
            }
            x[k] = t;
        }
        double[] half = new double[nPar * nPar], se = new double[nPar * nPar];
        for (int a = 0; a < nPar; a++)
            for (int q = 0; q < nPar; q++) {
                double s = 0, s2 = 0;
                for (double[] e : x) {
                    double p = 0.5 * (e[a] - mean[a]) * (e[q] - mean[q]);
                    s += p;
                    s2 += p * p;
                }
                s /= epochs;
                half[a * nPar + q] = s;
                se[a * nPar + q] = Math.sqrt((s2 / epochs - s * s) / (epochs - 1));
            }
        WorDiffusion d = new WorDiffusion(model, m, eta);
        StringBuilder sb = new StringBuilder(String.format(
                "MC tanh M=24 m=4, %d epochs: ½Cov = %s ± %s;", epochs, fmt(half), fmt(se)));
        double worstFull = 0;
        for (WorDiffusion.Form f : WorDiffusion.Form.values()) {
            double[] pred = d.at(f, th);
            double worst = 0;
            for (int k = 0; k < pred.length; k++) worst = Math.max(worst, Math.abs(pred[k] - half[k]) / se[k]);
            sb.append(String.format(" %s max|z| = %.1f (rel %.3f);", f, worst, WorFixtures.relFrob(pred, half)));
            if (f == WorDiffusion.Form.FULL) worstFull = worst;
            else assertTrue(worst > 5, f + " should be rejected by the simulation, max|z| = " + worst);
        }
        System.out.println(sb);
        assertTrue(worstFull < 4, "full B18 within 4 standard errors: " + worstFull);
        // the mean displacement: −η∇L̂ to O(η³); the MC mean is resolved to its standard error
        double[] g = new double[nPar];
        new WorLandscape(model, m, eta).gradient(th, g);
        for (int a = 0; a < nPar; a++) {
            double seMean = Math.sqrt(2 * half[a * nPar + a] / epochs);
            assertEquals(-eta * g[a], mean[a], 4 * seMean + 1e-3 * Math.abs(eta * g[a]), "mean displacement " + a);
        }
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < v.length; k++) sb.append(k > 0 ? ", " : "").append(String.format("%.4e", v[k]));
        return sb.append("]").toString();
    }

    @Test
    void fullB18IsSymmetricPositiveAndVanishesAtFullBatch() {
        NessModel model = new WorFixtures.Quadratic(4, 12, 0.4, 61, false);
        double[] th = WorFixtures.randomPoint(4, 1.0, 62);
        double[] full = new WorDiffusion(model, 3, 0.01).full(th);
        Random rnd = new Random(63);
        for (int r = 0; r < 200; r++) {
            double[] v = WorFixtures.randomPoint(4, 1.0, rnd.nextLong());
            double s = 0;
            for (int a = 0; a < 4; a++) for (int q = 0; q < 4; q++) s += v[a] * full[a * 4 + q] * v[q];
            assertTrue(s >= -1e-15 * WorFixtures.maxAbs(full), "positive semi-definite: " + s);
        }
        for (int a = 0; a < 4; a++) for (int q = 0; q < 4; q++) assertEquals(full[a * 4 + q], full[q * 4 + a], 0.0);
        assertEquals(0, WorFixtures.maxAbs(new WorDiffusion(model, 12, 0.01).full(th)), 0.0, "m = M: deterministic");
    }

    @Test
    void eq18IsTheLargeMLargeNLimitWithoutRegularisation() {
        // λ = 0 and small per-example curvature spread: Eq. 18 and B21 approach B18 as n and M grow
        double prev = Double.POSITIVE_INFINITY;
        for (int[] cs : new int[][]{{2, 8}, {2, 32}, {2, 128}}) {
            int m = cs[0], bigM = cs[1];
            NessModel model = new WorFixtures.Quadratic(2, bigM, 0.0, 71, true);
            double[] th = {0.2, -0.1};
            WorDiffusion d = new WorDiffusion(model, m, 1e-3);
            double[] full = d.full(th);
            double e18 = WorFixtures.relFrob(d.at(WorDiffusion.Form.EQ18_VV, th), full);
            double e21 = WorFixtures.relFrob(d.oneTerm(th), full);
            System.out.printf("λ=0, M=%d m=%d: rel diff to B18: Eq.18 %.3f, B21 %.3f, Eq.18 HDH vs VV %.3f%n", bigM, m,
                    e18, e21, WorFixtures.relFrob(d.at(WorDiffusion.Form.EQ18_HDH, th), d.at(WorDiffusion.Form.EQ18_VV, th)));
            assertTrue(e18 < prev, "Eq. 18 improves with n, M");
            prev = e18;
        }
        assertTrue(prev < 0.1, "Eq. 18 within 10% at M = 128, n = 64: " + prev);
    }
}
