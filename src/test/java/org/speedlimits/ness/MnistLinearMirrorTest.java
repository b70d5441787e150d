package org.speedlimits.ness;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.speedlimits.data.MnistTestData;

import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.speedlimits.ness.MnistLinearTest.defaultsOf;
import static org.speedlimits.ness.MnistLinearTest.maxAbs;
import static org.speedlimits.ness.MnistLinearTest.maxAbsDiff;
import static org.speedlimits.ness.MnistLinearTest.norm;
import static org.speedlimits.ness.MnistLinearTest.randomTheta;

/**
 * The paper's MNIST model on the first M = 9,900 digits of the offline mirror (the paper: M = 60,000), η = 10⁻⁴,
 * m = 100: θ₀, H₀'s spectrum and D(θ₀), with the numbers printed. Skipped where the mirror is absent.
 */
class MnistLinearMirrorTest {
    private static final int M = MnistLinear.MIRROR_EXAMPLES;
    private static MnistLinear model;
    private static double[] theta0;

    @BeforeAll
    static void load() {
        Path dir = MnistTestData.mirror().orElse(null);
        assumeTrue(dir != null, "no MNIST mirror: set MNIST_MIRROR or provide ../shared/mnist-subset");
        model = MnistLinear.fromMirror(dir, M);
        theta0 = model.minimum();
    }

    @Test
    void minimumOnTheMirror() {
        assertEquals(490, model.parameters());
        assertEquals(M, model.examples());
        NessModel plain = defaultsOf(model);
        double[] g = new double[490], g0 = new double[490], fast = new double[490];
        plain.gradient(theta0, g);
        plain.gradient(new double[490], g0);
        assertTrue(norm(g) <= 1e-10 * norm(g0), "|grad L(theta0)| / |grad L(0)| = " + norm(g) / norm(g0));
        // the moment-based gradient and loss against the per-example sums on real data, away from θ₀
        double[] theta = theta0.clone();
        double[] noise = randomTheta(490, 0.05, 7);
        for (int a = 0; a < 490; a++) {
            theta[a] += noise[a];
        }
        plain.gradient(theta, g);
        model.gradient(theta, fast);
        assertTrue(maxAbsDiff(fast, g) <= 1e-12 * maxAbs(g));
        assertEquals(plain.loss(theta), model.loss(theta), 1e-12 * plain.loss(theta));
        double accuracy = model.accuracy(theta0);
        System.out.printf(Locale.ROOT, "MNIST mirror M = %d: |theta0| = %.4f, L(theta0) = %.5f, training accuracy %.4f%n",
                M, norm(theta0), model.loss(theta0), accuracy);
        // a linear least-squares classifier on 7x7 digits is far above chance (0.1) but far from perfect
        assertTrue(accuracy > 0.6 && accuracy < 0.95, "accuracy " + accuracy);
    }

    @Test
    void hessianSpectrum() {
        double[] c = MnistLinearTest.Jacobi.eigenvalues(model.secondMoment(), 49);
        double lo = 2 * (c[0] + model.lambda()), hi = 2 * (c[48] + model.lambda());
        System.out.printf(Locale.ROOT, "H0 eigenvalues (each 10 times): %.6g ... %.6g, condition number %.4g%n",
                lo, hi, hi / lo);
        assertTrue(c[0] > -1e-12, "C is positive semidefinite");
        assertTrue(lo >= 2 * model.lambda() - 1e-12 && hi > lo);
    }

    @Test
    void diffusionAtTheMinimum() {
        double eta = MnistLinear.PAPER_ETA;
        int m = MnistLinear.PAPER_BATCH;
        long start = System.nanoTime();
        double[] d = model.diffusion(theta0, eta, m);
        double seconds = (System.nanoTime() - start) * 1e-9;
        int n = 490;
        double trace = 0, maxDiag = 0;
        for (int a = 0; a < n; a++) {
            trace += d[a * n + a];
            maxDiag = Math.max(maxDiag, d[a * n + a]);
            assertTrue(d[a * n + a] >= 0, "diagonal " + a);
            for (int b = 0; b < a; b++) {
                assertEquals(d[a * n + b], d[b * n + a], 0.0, "symmetry (" + a + "," + b + ")");
            }
        }
        System.out.printf(Locale.ROOT, "D(theta0), eta = %.0e, m = %d, M = %d: tr D = %.4g, max D_aa = %.4g,"
                + " max |D| = %.4g, built in %.2f s%n", eta, m, M, trace, maxDiag, maxAbs(d), seconds);
        // a few entries straight from Eq. A8 with per-example gradients (at θ₀, ∇L = −2λθ₀ ≠ 0)
        double[][] g = new double[M][n];
        double[] gradL = new double[n];
        for (int i = 0; i < M; i++) {
            model.exampleGradient(theta0, i, g[i]);
            for (int a = 0; a < n; a++) {
                gradL[a] += g[i][a] / M;
            }
        }
        double c = eta * eta * ((double) (M - m) / m) / (2.0 * (M - 1));
        int[][] entries = {{0, 0}, {0, 1}, {13, 62}, {100, 489}, {245, 245}, {489, 49}};
        for (int[] e : entries) {
            double s = 0;
            for (int i = 0; i < M; i++) {
                s += g[i][e[0]] * g[i][e[1]];
            }
            double expected = c * (s / M - gradL[e[0]] * gradL[e[1]]);
            assertEquals(expected, d[e[0] * n + e[1]], 1e-10 * maxDiag, "D(" + e[0] + "," + e[1] + ")");
        }
        // ∇L(θ₀) = −2λθ₀: the data gradient balances the regulariser's
        for (int a = 0; a < n; a++) {
            assertEquals(-2 * model.lambda() * theta0[a], gradL[a], 1e-10);
        }
        assertTrue(seconds < 20, "D took " + seconds + " s");
        // coarse pixel (0, 0) is blank in all 9,900 digits: 10 parameters without noise, D only semidefinite
        int[] silent = model.noiselessParameters();
        assertEquals(10, silent.length);
        for (int a = 0; a < 10; a++) {
            assertEquals(a * 49, silent[a]);
            assertEquals(0.0, d[silent[a] * n + silent[a]], 0.0);
        }
    }
}
