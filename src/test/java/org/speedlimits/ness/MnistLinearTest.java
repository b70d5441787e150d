package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MnistLinear on small random instances (d = 3 inputs, K = 10 classes, M = 50, and smaller): loss against a naive
 * formula, gradients and Hessians against central finite differences, the fast overrides against the interface
 * defaults, θ₀ against ∇𝓛 = 0 (with the wrong λ convention as a negative control), and D against Eq. A8's double
 * sum and against an exact average over every minibatch (Eqs. A3, A6).
 */
class MnistLinearTest {
    private static final long SEED = 20240501L;

    /** Random inputs in [0, 1) like coarse-grained grey levels, random labels. */
    static MnistLinear randomModel(int m, int d, int k, double lambda, long seed) {
        Random rnd = new Random(seed);
        double[] x = new double[m * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble();
        }
        int[] labels = new int[m];
        for (int i = 0; i < m; i++) {
            labels[i] = rnd.nextInt(k);
        }
        return new MnistLinear(x, labels, d, k, lambda);
    }

    static double[] randomTheta(int n, double scale, long seed) {
        Random rnd = new Random(seed);
        double[] t = new double[n];
        for (int a = 0; a < n; a++) {
            t[a] = scale * rnd.nextGaussian();
        }
        return t;
    }

    /** The model seen only through the interface's abstract methods, so every default method is used. */
    static NessModel defaultsOf(NessModel m) {
        return new NessModel() {
            public int parameters() { return m.parameters(); }
            public int examples() { return m.examples(); }
            public double lambda() { return m.lambda(); }
            public double exampleLoss(double[] theta, int i) { return m.exampleLoss(theta, i); }
            public void exampleGradient(double[] theta, int i, double[] out) { m.exampleGradient(theta, i, out); }
            public void exampleHessian(double[] theta, int i, double[] out) { m.exampleHessian(theta, i, out); }
        };
    }

    /** ℓ_i written out from the definition: Σ_a (δ_{a,label} − Σ_p θ[a·d + p] x_{ip})². */
    static double naiveLoss(MnistLinear model, double[] theta, int i) {
        int d = model.inputDimension();
        double[] x = model.input(i);
        double s = 0;
        for (int a = 0; a < model.classes(); a++) {
            double f = 0;
            for (int p = 0; p < d; p++) {
                f += theta[a * d + p] * x[p];
            }
            double r = (model.label(i) == a ? 1 : 0) - f;
            s += r * r;
        }
        return s;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double a : v) {
            s += a * a;
        }
        return Math.sqrt(s);
    }

    static double maxAbs(double[] v) {
        double s = 0;
        for (double a : v) {
            s = Math.max(s, Math.abs(a));
        }
        return s;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s = Math.max(s, Math.abs(a[k] - b[k]));
        }
        return s;
    }

    @Test
    void shapesAndTheLossMatchTheDefinition() {
        MnistLinear model = randomModel(50, 3, 10, 1e-2, SEED);
        assertEquals(30, model.parameters());
        assertEquals(50, model.examples());
        double[] theta = randomTheta(30, 0.3, SEED + 1);
        double total = 0;
        for (int i = 0; i < 50; i++) {
            assertEquals(naiveLoss(model, theta, i), model.exampleLoss(theta, i), 1e-13, "example " + i);
            total += naiveLoss(model, theta, i);
        }
        double expected = total / 50 + 1e-2 * norm(theta) * norm(theta);
        assertEquals(expected, model.loss(theta), 1e-13 * expected);
        assertEquals(expected, defaultsOf(model).loss(theta), 1e-13 * expected);
        // the MNIST factory constants
        assertEquals(49, MnistLinear.INPUTS);
        assertEquals(490, MnistLinear.CLASSES * MnistLinear.INPUTS);
        assertEquals(0, MnistLinear.MIRROR_EXAMPLES % MnistLinear.PAPER_BATCH);
    }

    @Test
    void exampleGradientsAndHessiansMatchCentralDifferences() {
        MnistLinear model = randomModel(50, 3, 10, 1e-2, SEED);
        int n = model.parameters();
        double[] theta = randomTheta(n, 0.3, SEED + 2);
        double h = 1e-5;
        double[] g = new double[n], gp = new double[n], gm = new double[n], hess = new double[n * n];
        for (int i : new int[]{0, 7, 49}) {
            model.exampleGradient(theta, i, g);
            model.exampleHessian(theta, i, hess);
            for (int a = 0; a < n; a++) {
                double[] tp = theta.clone(), tm = theta.clone();
                tp[a] += h;
                tm[a] -= h;
                double fd = (naiveLoss(model, tp, i) - naiveLoss(model, tm, i)) / (2 * h);
                assertEquals(fd, g[a], 1e-8, "gradient of example " + i + ", parameter " + a);
                model.exampleGradient(tp, i, gp);
                model.exampleGradient(tm, i, gm);
                for (int b = 0; b < n; b++) {
                    assertEquals((gp[b] - gm[b]) / (2 * h), hess[b * n + a], 1e-8,
                            "Hessian of example " + i + " at (" + b + "," + a + ")");
                }
            }
        }
        // the full gradient against differences of the loss
        double[] grad = new double[n];
        model.gradient(theta, grad);
        for (int a = 0; a < n; a++) {
            double[] tp = theta.clone(), tm = theta.clone();
            tp[a] += h;
            tm[a] -= h;
            assertEquals((model.loss(tp) - model.loss(tm)) / (2 * h), grad[a], 1e-8, "loss gradient " + a);
        }
    }

    @Test
    void fastOverridesEqualTheInterfaceDefaults() {
        for (int[] shape : new int[][]{{50, 3, 10}, {23, 5, 3}}) {
            MnistLinear model = randomModel(shape[0], shape[1], shape[2], 0.05, SEED + shape[1]);
            NessModel plain = defaultsOf(model);
            int n = model.parameters();
            double[] theta = randomTheta(n, 0.5, SEED + 3);
            double[] fast = new double[n], slow = new double[n];
            model.gradient(theta, fast);
            plain.gradient(theta, slow);
            assertTrue(maxAbsDiff(fast, slow) <= 1e-13 * maxAbs(slow), "gradient " + Arrays.toString(shape));
            double[] fastH = new double[n * n], slowH = new double[n * n];
            model.hessian(theta, fastH);
            plain.hessian(theta, slowH);
            assertTrue(maxAbsDiff(fastH, slowH) <= 1e-13 * maxAbs(slowH), "Hessian " + Arrays.toString(shape));
            assertEquals(plain.loss(theta), model.loss(theta), 1e-13 * plain.loss(theta));
            // a minibatch with a repeated index, partial range and a scale
            int[] idx = {4, 0, 4, 9, 2, 1};
            double[] a = randomTheta(n, 1, SEED + 4), b = a.clone();
            model.addExampleGradients(theta, idx, 1, 5, -0.3, a);
            plain.addExampleGradients(theta, idx, 1, 5, -0.3, b);
            assertTrue(maxAbsDiff(a, b) <= 1e-14 * maxAbs(b), "addExampleGradients " + Arrays.toString(shape));
            // exampleHessianTimes = exampleHessian · v
            double[] v = randomTheta(n, 1, SEED + 5), hv = new double[n], h = new double[n * n];
            model.exampleHessianTimes(3, v, hv);
            model.exampleHessian(theta, 3, h);
            for (int r = 0; r < n; r++) {
                double s = 0;
                for (int c = 0; c < n; c++) {
                    s += h[r * n + c] * v[c];
                }
                assertEquals(s, hv[r], 1e-13, "Hessian times v, row " + r);
            }
        }
    }

    @Test
    void addExampleGradientsAllocatesNothing() {
        MnistLinear model = randomModel(200, 49, 10, 1e-2, SEED);
        double[] theta = randomTheta(490, 0.1, SEED), grad = new double[490];
        int[] idx = new int[200];
        for (int i = 0; i < 200; i++) {
            idx[i] = (i * 37) % 200;
        }
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 2000; warm++) {
            model.addExampleGradients(theta, idx, 0, 100, 0.01, grad);
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int rep = 0; rep < 2000; rep++) {
            model.addExampleGradients(theta, idx, rep % 100, rep % 100 + 100, 0.01, grad);
        }
        long allocated = bean.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000, "2000 minibatch gradients allocated " + allocated + " bytes");
        // negative control: the interface default allocates a gradient array per call
        NessModel plain = defaultsOf(model);
        long before2 = bean.getCurrentThreadAllocatedBytes();
        for (int rep = 0; rep < 100; rep++) {
            plain.addExampleGradients(theta, idx, 0, 100, 0.01, grad);
        }
        assertTrue(bean.getCurrentThreadAllocatedBytes() - before2 >= 100 * 490 * 8,
                "the allocation measurement does not see allocations");
    }

    @Test
    void minimumHasZeroGradientAndTheOtherLambdaConventionDoesNot() {
        MnistLinear model = randomModel(50, 3, 10, 1e-2, SEED);
        NessModel plain = defaultsOf(model);
        int n = model.parameters();
        double[] theta0 = model.minimum();
        double[] g = new double[n], g0 = new double[n];
        plain.gradient(theta0, g);
        plain.gradient(new double[n], g0);
        assertTrue(norm(g) <= 1e-10 * norm(g0), "|grad L(theta0)| = " + norm(g) + " vs |grad L(0)| = " + norm(g0));
        // θ₀ is a minimum: the loss rises in random directions
        for (long s = 0; s < 5; s++) {
            double[] t = theta0.clone(), dir = randomTheta(n, 1e-3, SEED + 10 + s);
            for (int a = 0; a < n; a++) {
                t[a] += dir[a];
            }
            assertTrue(model.loss(t) > model.loss(theta0));
        }
        // negative control: W = Y Xᵀ (X Xᵀ + λ I)⁻¹ (λ without the factor M) is not the minimum of this loss
        MnistLinear unscaled = randomModel(50, 3, 10, 1e-2 / 50, SEED);
        double[] wrong = unscaled.minimum();
        plain.gradient(wrong, g);
        assertTrue(norm(g) > 1e-4 * norm(g0), "the convention check cannot tell lambda from lambda/M");
        // and θ₀ solves the normal equations written out: (1/M) Σ (y_i − W x_i) x_iᵀ = λ W
        int d = 3;
        for (int a = 0; a < 10; a++) {
            for (int p = 0; p < d; p++) {
                double s = 0;
                for (int i = 0; i < 50; i++) {
                    double[] x = model.input(i);
                    double f = 0;
                    for (int q = 0; q < d; q++) {
                        f += theta0[a * d + q] * x[q];
                    }
                    s += ((model.label(i) == a ? 1 : 0) - f) * x[p];
                }
                assertEquals(1e-2 * theta0[a * d + p], s / 50, 1e-13);
            }
        }
    }

    @Test
    void hessianSpectrumIsTwiceThatOfCPlusLambdaEachKTimes() {
        MnistLinear model = randomModel(50, 3, 10, 1e-2, SEED);
        int n = model.parameters();
        double[] h = new double[n * n];
        model.hessian(model.minimum(), h);
        double[] full = Jacobi.eigenvalues(h, n);
        double[] c = Jacobi.eigenvalues(model.secondMoment(), 3);
        double[] expected = new double[n];
        for (int k = 0; k < n; k++) {
            expected[k] = 2 * (c[k / 10] + 1e-2);
        }
        Arrays.sort(expected);
        assertArrayEquals(expected, full, 1e-12);
    }

    /** Eq. A8 written out: D_αβ = η²/(2M²) · (M−m)/(m(M−1)) · Σ_ij ∂_αℓ_i ∂_βℓ_j (M δ_ij − 1). */
    static double[] naiveDiffusion(NessModel model, double[] theta, double eta, int m) {
        int n = model.parameters(), mm = model.examples();
        double[][] g = new double[mm][n];
        for (int i = 0; i < mm; i++) {
            model.exampleGradient(theta, i, g[i]);
        }
        double c = eta * eta / (2.0 * mm * mm) * (mm - m) / ((double) m * (mm - 1));
        double[] d = new double[n * n];
        for (int i = 0; i < mm; i++) {
            for (int j = 0; j < mm; j++) {
                double w = c * ((i == j ? mm : 0) - 1);
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        d[a * n + b] += w * g[i][a] * g[j][b];
                    }
                }
            }
        }
        return d;
    }

    @Test
    void diffusionEqualsTheDoubleSumOfEqA8() {
        MnistLinear model = randomModel(50, 3, 10, 1e-2, SEED);
        double eta = 1e-4;
        for (double[] theta : new double[][]{model.minimum(), randomTheta(30, 0.5, SEED + 6)}) {
            for (int m : new int[]{1, 10, 25, 50}) {
                double[] fast = model.diffusion(theta, eta, m);
                double[] naive = naiveDiffusion(model, theta, eta, m);
                double scale = Math.max(maxAbs(naive), 1e-300);
                assertTrue(maxAbsDiff(fast, naive) <= 1e-12 * scale,
                        "m = " + m + ": max |fast - naive| = " + maxAbsDiff(fast, naive) + ", scale " + scale);
                if (m == 50) {
                    assertEquals(0.0, maxAbs(fast), 0.0); // full batch: no noise
                }
            }
        }
        // M V Vᵀ from gradientOuter, and its trace
        double[] theta = randomTheta(30, 0.5, SEED + 7);
        double[] vvt = model.gradientOuter(theta);
        double[] gi = new double[30];
        double[] naive = new double[900];
        for (int i = 0; i < 50; i++) {
            model.exampleGradient(theta, i, gi);
            for (int a = 0; a < 30; a++) {
                for (int b = 0; b < 30; b++) {
                    naive[a * 30 + b] += gi[a] * gi[b] / (50.0 * 50.0);
                }
            }
        }
        assertTrue(maxAbsDiff(vvt, naive) <= 1e-13 * maxAbs(naive));
        double trace = 0;
        for (int a = 0; a < 30; a++) {
            trace += naive[a * 30 + a];
        }
        assertEquals(trace, model.traceGradientOuter(theta), 1e-13 * trace);
    }

    /**
     * Eq. A10 from its definition, D = ½⟨ξ ξᵀ⟩ with ξ = η(∇L − ∇L_B) (Eqs. A3, A6), averaged exactly over all C(M, m)
     * minibatches of m distinct examples: checks the formula, not only its implementation.
     */
    @Test
    void diffusionIsHalfTheMinibatchNoiseCovariance() {
        int mm = 7, m = 3;
        MnistLinear model = randomModel(mm, 2, 3, 0.1, SEED + 8);
        int n = model.parameters();
        double eta = 0.01;
        double[] theta = randomTheta(n, 0.4, SEED + 9);
        double[][] g = new double[mm][n];
        double[] full = new double[n];
        for (int i = 0; i < mm; i++) {
            model.exampleGradient(theta, i, g[i]);
            for (int a = 0; a < n; a++) {
                full[a] += g[i][a] / mm;
            }
        }
        double[] cov = new double[n * n];
        int batches = 0;
        for (int mask = 0; mask < 1 << mm; mask++) {
            if (Integer.bitCount(mask) != m) {
                continue;
            }
            batches++;
            double[] xi = new double[n];
            for (int a = 0; a < n; a++) {
                double batch = 0;
                for (int i = 0; i < mm; i++) {
                    if ((mask >> i & 1) == 1) {
                        batch += g[i][a] / m;
                    }
                }
                xi[a] = eta * (full[a] - batch);
            }
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    cov[a * n + b] += xi[a] * xi[b];
                }
            }
        }
        assertEquals(35, batches);
        for (int k = 0; k < cov.length; k++) {
            cov[k] /= 2.0 * batches;
        }
        double[] d = model.diffusion(theta, eta, m);
        assertTrue(maxAbsDiff(d, cov) <= 1e-12 * maxAbs(cov), "max |D - cov/2| = " + maxAbsDiff(d, cov));
        // negative control: the large-n form η²n/2 V Vᵀ (Eq. 14, second line) is visibly different at M = 7
        double[] approx = model.gradientOuter(theta);
        for (int k = 0; k < approx.length; k++) {
            approx[k] *= eta * eta * ((double) mm / m) / 2;
        }
        assertTrue(maxAbsDiff(approx, cov) > 0.05 * maxAbs(cov));
    }

    @Test
    void inputsThatAreAlwaysZeroGiveNoiselessParameters() {
        MnistLinear dense = randomModel(20, 3, 4, 1e-2, SEED);
        assertEquals(0, dense.noiselessParameters().length);
        double[] x = new double[20 * 3];
        for (int i = 0; i < 20; i++) {
            x[i * 3] = 0.1 + 0.01 * i;
            x[i * 3 + 2] = i % 3 == 0 ? 0.5 : 0; // sometimes non-zero: not noiseless
        }
        int[] labels = new int[20];
        for (int i = 0; i < 20; i++) {
            labels[i] = i % 4;
        }
        MnistLinear model = new MnistLinear(x, labels, 3, 4, 1e-2);
        assertArrayEquals(new int[]{1, 4, 7, 10}, model.noiselessParameters());
        double[] theta = randomTheta(12, 0.3, SEED);
        double[] d = model.diffusion(theta, 1e-2, 5);
        for (int alpha : model.noiselessParameters()) {
            for (int b = 0; b < 12; b++) {
                assertEquals(0.0, d[alpha * 12 + b], 0.0);
                assertEquals(0.0, d[b * 12 + alpha], 0.0);
            }
            assertEquals(0.0, model.minimum()[alpha], 0.0);
        }
        assertTrue(d[0] > 0 && d[2 * 12 + 2] > 0);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new MnistLinear(new double[5], new int[]{0, 1}, 3, 10, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new MnistLinear(new double[6], new int[]{0, 10}, 3, 10, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new MnistLinear(new double[6], new int[]{0, 1}, 3, 10, -1));
        assertThrows(IllegalArgumentException.class,
                () -> new MnistLinear(new double[]{0, 0, Double.NaN, 0, 0, 0}, new int[]{0, 1}, 3, 10, 0.01));
        MnistLinear model = randomModel(10, 3, 10, 1e-2, SEED);
        assertThrows(IllegalArgumentException.class, () -> model.diffusion(new double[30], 1e-4, 0));
        assertThrows(IllegalArgumentException.class, () -> model.diffusion(new double[30], 1e-4, 11));
        assertThrows(IllegalArgumentException.class, () -> model.diffusion(new double[29], 1e-4, 5));
        assertThrows(IllegalArgumentException.class, () -> model.gradient(new double[29], new double[30]));
        // λ = 0 with rank-deficient inputs has no unique minimum
        MnistLinear flat = new MnistLinear(new double[]{1, 0, 2, 0}, new int[]{0, 1}, 2, 2, 0);
        assertThrows(IllegalStateException.class, flat::minimum);
    }

    /** Cyclic Jacobi eigenvalues of a small symmetric matrix (row-major), ascending: independent of the model code. */
    static final class Jacobi {
        static double[] eigenvalues(double[] matrix, int n) {
            double[] a = matrix.clone();
            for (int sweep = 0; sweep < 100; sweep++) {
                double off = 0;
                for (int p = 0; p < n; p++) {
                    for (int q = p + 1; q < n; q++) {
                        off += a[p * n + q] * a[p * n + q];
                    }
                }
                if (off < 1e-30) {
                    break;
                }
                for (int p = 0; p < n; p++) {
                    for (int q = p + 1; q < n; q++) {
                        double apq = a[p * n + q];
                        if (Math.abs(apq) < 1e-300) {
                            continue;
                        }
                        double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                        if (theta == 0) {
                            t = 1;
                        }
                        double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                        for (int k = 0; k < n; k++) { // columns p, q
                            double akp = a[k * n + p], akq = a[k * n + q];
                            a[k * n + p] = c * akp - s * akq;
                            a[k * n + q] = s * akp + c * akq;
                        }
                        for (int k = 0; k < n; k++) { // rows p, q
                            double apk = a[p * n + k], aqk = a[q * n + k];
                            a[p * n + k] = c * apk - s * aqk;
                            a[q * n + k] = s * apk + c * aqk;
                        }
                    }
                }
            }
            double[] values = new double[n];
            for (int k = 0; k < n; k++) {
                values[k] = a[k * n + k];
            }
            Arrays.sort(values);
            return values;
        }
    }
}
