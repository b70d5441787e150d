package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The samplers: the minibatch draws (Eq. A1's m distinct indices, Eq. B1's permutations) by their exact
 * frequencies, each algorithm's structure step by step against a hand-written version fed the same random
 * numbers, and the stationary mean and covariance of every sampler on a model with quadratic per-example losses
 * against the exact moments of the random affine map (every minibatch or permutation enumerated), with a negative
 * control (batches with repeated indices) that the same comparison rejects.
 */
class SamplersTest {
    private static final long SEED = 20240611L;

    /** Records every batch handed to addExampleGradients. */
    private static final class Recording implements NessModel {
        final QuadraticModel inner;
        final List<int[]> batches = new ArrayList<>();

        Recording(QuadraticModel inner) {
            this.inner = inner;
        }

        @Override public int parameters() {
            return inner.parameters();
        }

        @Override public int examples() {
            return inner.examples();
        }

        @Override public double lambda() {
            return inner.lambda();
        }

        @Override public double exampleLoss(double[] theta, int i) {
            return inner.exampleLoss(theta, i);
        }

        @Override public void exampleGradient(double[] theta, int i, double[] out) {
            inner.exampleGradient(theta, i, out);
        }

        @Override public void exampleHessian(double[] theta, int i, double[] out) {
            inner.exampleHessian(theta, i, out);
        }

        @Override public void addExampleGradients(double[] theta, int[] idx, int from, int to, double scale, double[] grad) {
            batches.add(Arrays.copyOfRange(idx, from, to));
            NessModel.super.addExampleGradients(theta, idx, from, to, scale, grad);
        }
    }

    /** Binomial count within 5 sd of T·p. */
    private static void assertBinomial(long count, long trials, double p, String what) {
        double sd = Math.sqrt(trials * p * (1 - p));
        assertEquals(trials * p, count, 5 * sd, what);
    }

    /**
     * WR batches (Eq. A7): m distinct indices; P(i ∈ B) = m/M; P(i, j ∈ B) = m(m−1)/(M(M−1)) for i ≠ j; and
     * consecutive batches independent, P(i ∈ B_t, j ∈ B_{t+1}) = (m/M)².
     */
    @Test
    void withReplacementBatchesAreDistinctUniformAndIndependent() {
        int examples = 8, m = 3, steps = 200_000;
        Recording model = new Recording(new QuadraticModel(2, examples, 0.1, 1));
        WrSgd sgd = new WrSgd(model, 1e-3, m);
        Rng rng = new Rng(SEED);
        double[] theta = {0.1, -0.2};
        for (int t = 0; t < steps; t++) sgd.step(theta, rng);
        assertEquals(steps, model.batches.size());
        long[] single = new long[examples];
        long[][] pair = new long[examples][examples], next = new long[examples][examples];
        int[] last = null;
        for (int[] b : model.batches) {
            assertEquals(m, b.length);
            for (int x = 0; x < m; x++) {
                single[b[x]]++;
                for (int y = 0; y < m; y++) {
                    if (x != y) {
                        assertTrue(b[x] != b[y], "repeated index in a batch " + Arrays.toString(b));
                        pair[b[x]][b[y]]++;
                    }
                }
            }
            if (last != null) for (int i : last) for (int j : b) next[i][j]++;
            last = b;
        }
        for (int i = 0; i < examples; i++) {
            assertBinomial(single[i], steps, (double) m / examples, "P(" + i + " in B)");
            for (int j = 0; j < examples; j++) {
                if (i != j) assertBinomial(pair[i][j], steps, m * (m - 1.0) / (examples * (examples - 1.0)), "pair " + i + "," + j);
                assertBinomial(next[i][j], steps - 1, (double) m * m / (examples * examples), "consecutive " + i + "," + j);
            }
        }
    }

    /** WOR epochs (Eq. B1): n = M/m batches covering every example once; the permutations uniform and independent. */
    @Test
    void withoutReplacementEpochsAreIndependentUniformPermutations() {
        int examples = 4, m = 2, epochs = 120_000;
        Recording model = new Recording(new QuadraticModel(2, examples, 0.1, 2));
        WorSgd sgd = new WorSgd(model, 1e-3, m);
        assertEquals(2, sgd.stepsPerUnit());
        Rng rng = new Rng(SEED + 1);
        double[] theta = {0.1, -0.2};
        long[] perm = new long[24];
        long[][] consecutive = new long[24][24];
        int previous = -1;
        for (int e = 0; e < epochs; e++) {
            int before = model.batches.size();
            sgd.advance(theta, rng);
            assertEquals(before + 2, model.batches.size());
            int[] order = new int[examples];
            int k = 0;
            for (int s = before; s < before + 2; s++) for (int i : model.batches.get(s)) order[k++] = i;
            int code = permutationCode(order);
            perm[code]++;
            if (previous >= 0) consecutive[previous][code]++;
            previous = code;
        }
        double chi2 = 0, expected = epochs / 24.0;
        for (long c : perm) chi2 += (c - expected) * (c - expected) / expected;
        assertEquals(23, chi2, 5 * Math.sqrt(46), "χ² of the 24 permutations");
        double chi2pair = 0, e2 = (epochs - 1) / 576.0;
        for (long[] row : consecutive) for (long c : row) chi2pair += (c - e2) * (c - e2) / e2;
        assertEquals(575, chi2pair, 5 * Math.sqrt(2 * 575), "χ² of consecutive permutation pairs");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WorSgd(new QuadraticModel(2, 10, 0.1, 3), 1e-3, 3));
        assertTrue(e.getMessage().contains("divide M"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WrSgd(new QuadraticModel(2, 10, 0.1, 3), 1e-3, 11));
    }

    /** Lehmer code of a permutation of 0..3 (visits every one of the 24 exactly once; checked by its use). */
    private static int permutationCode(int[] p) {
        boolean[] seen = new boolean[p.length];
        int code = 0;
        for (int k = 0; k < p.length; k++) {
            assertTrue(!seen[p[k]], "an example twice in one epoch: " + Arrays.toString(p));
            seen[p[k]] = true;
            int smaller = 0;
            for (int j = 0; j < p[k]; j++) if (!seen[j]) smaller++;
            code = code * (p.length - k) + smaller;
        }
        return code;
    }

    /** One WR step, SGLD's noise, SGWORLD's end of epoch and the earthquake step, against hand-written versions. */
    @Test
    void eachAlgorithmIsTheStepOfItsEquation() {
        QuadraticModel model = new QuadraticModel(3, 6, 0.2, 4);
        double eta = 0.03;
        double[] theta0 = {0.3, -0.1, 0.7};

        // Eq. A1: θ − η[(1/m)Σ∇ℓ_i + 2λθ] on the batch the sampler drew
        WrSgd wr = new WrSgd(model, eta, 2);
        double[] th = theta0.clone();
        wr.step(th, new Rng(11));
        int[] batch = {wr.batchSlot(0), wr.batchSlot(1)};
        double[] g = new double[3], expected = theta0.clone();
        double[] mean = new double[3];
        for (int i : batch) {
            model.exampleGradient(theta0, i, g);
            for (int a = 0; a < 3; a++) mean[a] += g[a] / 2;
        }
        for (int a = 0; a < 3; a++) expected[a] = theta0[a] - eta * (mean[a] + 2 * 0.2 * theta0[a]);
        assertArrayEquals(expected, th, 1e-15);

        // SGLD (Fig. 5 left): the same step with the same random numbers, then + √(2η) z
        Rng r1 = new Rng(12), r2 = new Rng(12);
        double[] a1 = theta0.clone(), a2 = theta0.clone();
        new WrSgd(model, eta, 2).step(a1, r1);
        for (int a = 0; a < 3; a++) a1[a] += Math.sqrt(2 * eta) * r1.nextGaussian();
        new Sgld(model, eta, 2).advance(a2, r2);
        assertArrayEquals(a1, a2, 0);

        // SGWORLD (Fig. 5 right): WOR epoch, + √(2ηn) z, + η F(θ at the epoch's start)
        List<double[]> calledAt = new ArrayList<>();
        Field field = (t, out) -> {
            calledAt.add(t.clone());
            for (int a = 0; a < 3; a++) out[a] = Math.sin(a + t[a]);
        };
        Rng s1 = new Rng(13), s2 = new Rng(13);
        double[] w1 = theta0.clone(), w2 = theta0.clone();
        WorSgd wor = new WorSgd(model, eta, 2);
        wor.advance(w1, s1);
        for (int a = 0; a < 3; a++) w1[a] += Math.sqrt(2 * eta * 3) * s1.nextGaussian();
        double[] f = new double[3];
        field.at(theta0, f);
        calledAt.clear();
        for (int a = 0; a < 3; a++) w1[a] += eta * f[a];
        SgWorld.corrected(model, eta, 2, field).advance(w2, s2);
        assertArrayEquals(w1, w2, 0);
        assertEquals(1, calledAt.size(), "the correction is evaluated once per epoch");
        assertArrayEquals(theta0, calledAt.get(0), 0, "at θ_{t−n}, the start of the epoch");

        // uncorrected SGWORLD: the same without the field
        Rng u1 = new Rng(14), u2 = new Rng(14);
        double[] v1 = theta0.clone(), v2 = theta0.clone();
        new WorSgd(model, eta, 2).advance(v1, u1);
        for (int a = 0; a < 3; a++) v1[a] += Math.sqrt(2 * eta * 3) * u1.nextGaussian();
        SgWorld.uncorrected(model, eta, 2).advance(v2, u2);
        assertArrayEquals(v1, v2, 0);

        // earthquake (Eq. 31): θ − η∇𝓛(θ + ζz), ∇𝓛 by the model's own full-batch gradient
        double zeta = 0.4;
        Rng q1 = new Rng(15), q2 = new Rng(15);
        double[] shifted = theta0.clone();
        for (int a = 0; a < 3; a++) shifted[a] += zeta * q1.nextGaussian();
        double[] grad = new double[3];
        model.gradient(shifted, grad);
        double[] e1 = theta0.clone(), e2 = theta0.clone();
        for (int a = 0; a < 3; a++) e1[a] -= eta * grad[a];
        new Earthquake(model, eta, zeta).advance(e2, q2);
        assertArrayEquals(e1, e2, 1e-15);
        assertArrayEquals(q1.state(), q2.state(), "the earthquake draws N normals per step");
    }

    /**
     * Per-step watching inside an epoch (Fig. 1C): n calls, t = 1..n, the last one at the epoch's end (WOR) or
     * before the noise (SGWORLD), and the watched epoch computes what the plain one does, bit for bit.
     */
    @Test
    void stepsInsideAnEpochCanBeWatched() {
        QuadraticModel model = new QuadraticModel(2, 6, 0.1, 5);
        double[] theta0 = {0.5, 0.5};
        for (Sampler s : new Sampler[] {new WorSgd(model, 0.02, 2), SgWorld.uncorrected(model, 0.02, 3),
                                        SgWorld.corrected(model, 0.02, 2, (t, out) -> Arrays.fill(out, 1)),
                                        new WrSgd(model, 0.02, 2), new Sgld(model, 0.02, 2)}) {
            double[] plain = theta0.clone(), watched = theta0.clone();
            Sampler a = s.fresh(), b = s.fresh();
            Rng ra = new Rng(21), rb = new Rng(21);
            List<Integer> ts = new ArrayList<>();
            double[] lastSeen = new double[2];
            for (int epoch = 0; epoch < 5; epoch++) {
                a.advance(plain, ra);
                b.advance(watched, rb, (t, th) -> {
                    ts.add(t);
                    System.arraycopy(th, 0, lastSeen, 0, 2);
                });
            }
            assertArrayEquals(plain, watched, 0, s.describe());
            int n = s.stepsPerUnit();
            assertEquals(5 * n, ts.size(), s.describe());
            for (int k = 0; k < ts.size(); k++) assertEquals(k % n + 1, ts.get(k), s.describe());
            if (s instanceof WorSgd || s instanceof WrSgd || s instanceof Sgld) assertArrayEquals(watched, lastSeen, 0, s.describe());
            else assertTrue(!Arrays.equals(watched, lastSeen), "SGWORLD's noise comes after the last step");
        }
    }

    // ---- stationary moments against the exact affine-map moments ----

    private static final int N = 2, M = 6, BATCH = 2;
    private static final double ETA = 0.05, LAMBDA = 0.05;
    private static final QuadraticModel MODEL = new QuadraticModel(N, M, LAMBDA, 7);

    /** All unordered m-subsets of 0..M−1 (each equally likely under Eq. A1). */
    private static List<int[]> subsets() {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < M; i++) for (int j = i + 1; j < M; j++) out.add(new int[] {i, j});
        return out;
    }

    private static ExactAffine wrExact() {
        ExactAffine x = new ExactAffine(N);
        for (int[] b : subsets()) {
            double[][] fb = MODEL.stepMap(b, ETA);
            x.add(fb[0], fb[1]);
        }
        return x;
    }

    /** All M! permutations; the epoch map is the composition of the n = M/m batch steps. */
    private static ExactAffine worExact(double[] extraLinear, double[] extraShift, double noiseVariance) {
        ExactAffine x = new ExactAffine(N);
        permute(new int[M], new boolean[M], 0, p -> {
            double[] f = Dense.identity(N), b = new double[N];
            for (int t = 0; t < M / BATCH; t++) {
                double[][] fb = MODEL.stepMap(Arrays.copyOfRange(p, t * BATCH, (t + 1) * BATCH), ETA);
                f = Dense.multiply(fb[0], f, N);
                b = Dense.add(Dense.apply(fb[0], b, N), fb[1], 1);
            }
            // SGWORLD's correction η(Gθ_start + g) is affine in the epoch's starting point
            x.add(Dense.add(f, extraLinear, ETA), Dense.add(b, extraShift, ETA));
        });
        for (int a = 0; a < N; a++) x.noise[a * N + a] = noiseVariance;
        return x;
    }

    private static void permute(int[] p, boolean[] used, int k, java.util.function.Consumer<int[]> sink) {
        if (k == p.length) {
            sink.accept(p);
            return;
        }
        for (int i = 0; i < p.length; i++) {
            if (used[i]) continue;
            used[i] = true;
            p[k] = i;
            permute(p, used, k + 1, sink);
            used[i] = false;
        }
    }

    /** Runs {@code units} units from the exact mean after a burn-in; Moments about the sample mean. */
    private static Moments run(Sampler s, long units, long seed) {
        Rng rng = new Rng(seed);
        double[] theta = new double[N];
        for (int u = 0; u < 2000; u++) s.advance(theta, rng);
        Moments mo = Moments.aboutMean(N, (int) (units / 50));
        for (long u = 0; u < units; u++) {
            s.advance(theta, rng);
            mo.add(theta);
        }
        return mo;
    }

    /** Every mean and covariance entry within 5 SE of the exact value, and the SEs small enough to mean something. */
    private static void assertMoments(ExactAffine exact, Moments mo, String what) {
        double[] mu = exact.mean(), sigma = exact.covariance();
        double[] m = mo.mean(), mse = mo.meanSE(), c = mo.covariance(), cse = mo.covarianceSE();
        System.out.printf("%s: exact mean %s cov %s%n  sampled mean %s ± %s%n  sampled cov %s ± %s%n", what,
                Arrays.toString(mu), Arrays.toString(sigma), Arrays.toString(m), Arrays.toString(mse),
                Arrays.toString(c), Arrays.toString(cse));
        for (int a = 0; a < N; a++) assertEquals(mu[a], m[a], 5 * mse[a], what + " mean " + a);
        for (int k = 0; k < N * N; k++) assertEquals(sigma[k], c[k], 5 * cse[k], what + " covariance entry " + k);
        for (int a = 0; a < N; a++) assertTrue(cse[a * N + a] < 0.03 * sigma[a * N + a], what + ": SE too large to test anything");
    }

    @Test
    void withReplacementStationaryMomentsAreExact() {
        assertMoments(wrExact(), run(new WrSgd(MODEL, ETA, BATCH), 1_000_000, SEED + 10), "WR SGD");
    }

    /**
     * Negative control: batches drawn with repeated indices allowed (M^m ordered tuples) have a different
     * stationary covariance (no finite-population factor (M−m)/(M−1) in the noise); the exact enumeration of that
     * variant matches it, and the comparison with the distinct-index exact moments rejects it.
     */
    @Test
    void batchesWithRepeatsAreRejectedByTheSameComparison() {
        Sampler repeats = new Sampler() {
            final int[] idx = new int[BATCH];
            final double[] grad = new double[N];

            @Override public NessModel model() {
                return MODEL;
            }

            @Override public int stepsPerUnit() {
                return 1;
            }

            @Override public void advance(double[] theta, Rng rng) {
                for (int k = 0; k < BATCH; k++) idx[k] = rng.nextInt(M);
                Arrays.fill(grad, 0);
                MODEL.addExampleGradients(theta, idx, 0, BATCH, 1.0 / BATCH, grad);
                for (int a = 0; a < N; a++) theta[a] -= ETA * (grad[a] + 2 * LAMBDA * theta[a]);
            }

            @Override public Sampler fresh() {
                return this;
            }

            @Override public int[] state() {
                return new int[0];
            }

            @Override public void restore(int[] state) {
            }

            @Override public String describe() {
                return "repeats";
            }
        };
        Moments mo = run(repeats, 1_000_000, SEED + 11);
        ExactAffine withRepeats = new ExactAffine(N);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < M; j++) {
                double[][] fb = MODEL.stepMap(new int[] {i, j}, ETA);
                withRepeats.add(fb[0], fb[1]);
            }
        }
        assertMoments(withRepeats, mo, "repeats (its own exact moments)");
        double[] distinct = wrExact().covariance(), c = mo.covariance(), se = mo.covarianceSE();
        double worst = 0;
        for (int a = 0; a < N; a++) worst = Math.max(worst, Math.abs(c[a * N + a] - distinct[a * N + a]) / se[a * N + a]);
        assertTrue(worst > 10, "repeated-index batches should be ≫ 5 SE off the distinct-index covariance, were " + worst);
    }

    @Test
    void sgldStationaryMomentsAreExact() {
        ExactAffine x = wrExact();
        for (int a = 0; a < N; a++) x.noise[a * N + a] = 2 * ETA;
        assertMoments(x, run(new Sgld(MODEL, ETA, BATCH), 1_000_000, SEED + 12), "SGLD");
    }

    @Test
    void withoutReplacementEpochMomentsAreExact() {
        assertMoments(worExact(new double[N * N], new double[N], 0),
                run(new WorSgd(MODEL, ETA, BATCH), 400_000, SEED + 13), "WOR SGD (per epoch)");
    }

    @Test
    void sgWorldEpochMomentsAreExactWithAndWithoutTheCorrection() {
        int n = M / BATCH;
        double[] gLin = {-0.8, 0.3, 0.2, -1.5}, gShift = {0.4, -0.6};
        Field linear = (t, out) -> {
            for (int a = 0; a < N; a++) {
                double s = gShift[a];
                for (int b = 0; b < N; b++) s += gLin[a * N + b] * t[b];
                out[a] = s;
            }
        };
        assertMoments(worExact(gLin, gShift, 2 * ETA * n),
                run(SgWorld.corrected(MODEL, ETA, BATCH, linear), 400_000, SEED + 14), "SGWORLD corrected");
        assertMoments(worExact(new double[N * N], new double[N], 2 * ETA * n),
                run(SgWorld.uncorrected(MODEL, ETA, BATCH), 400_000, SEED + 15), "SGWORLD uncorrected");
    }

    /** Earthquake: θ' = (I − ηH)θ + ηh − ηζHz exactly for quadratic 𝓛, noise covariance η²ζ²H². */
    @Test
    void earthquakeStationaryMomentsAreExact() {
        double zeta = 0.7;
        double[][] hg = MODEL.fullGradientMap();
        ExactAffine x = new ExactAffine(N);
        x.add(Dense.add(Dense.identity(N), hg[0], -ETA), Dense.scale(hg[1], ETA));
        x.noise = Dense.scale(Dense.multiply(hg[0], hg[0], N), ETA * ETA * zeta * zeta);
        assertMoments(x, run(new Earthquake(MODEL, ETA, zeta), 1_000_000, SEED + 16), "earthquake");
    }
}
