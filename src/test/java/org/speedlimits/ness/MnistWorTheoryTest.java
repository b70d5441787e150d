package org.speedlimits.ness;

import org.junit.jupiter.api.Test;
import org.speedlimits.data.MnistData;
import org.speedlimits.data.MnistIdxReader;
import org.speedlimits.data.MnistTestData;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The structured WOR theory of the linear model ({@link MnistWorTheory}) against the general App. B implementation
 * ({@link WorLandscape}, {@link WorDiffusion}, {@link WorTheory}), which sees the model only through the
 * {@link NessModel} interface's per-example gradients and Hessians ({@link MnistLinearTest#defaultsOf}): ∇L̂, Ĥ,
 * θ̂₀, D̂, Σ̂ and Ĉ on small random sparse data and on coarse real digits. Negative controls: the printed B18
 * coefficients, and B18 without its G term, must fail the same comparison (and the printed ones must match the
 * general {@link WorDiffusion.Form#PRINTED}).
 */
class MnistWorTheoryTest {
    /** Relative agreement required of quantities both sides compute in closed form (∇L̂, D̂). */
    private static final double EXACT = 1e-13;
    /**
     * Ĥ, θ̂₀, Σ̂, Ĉ: the general Ĥ adds a central-difference Jacobian of ∇δL (exact for this quadratic L̂ up to
     * rounding, ~1e-16/1e-5 relative to ∇δL) and Newton's tolerance; measured ≤ 1e-11 (D̂, ∇L̂: ≤ 5e-16).
     */
    private static final double DIFFERENCED = 1e-10;

    /** Random inputs with exact zeros (input 0 blank in every example, like MNIST's corner pixel) and labels. */
    private static MnistLinear sparseModel(int bigM, int d, int k, double lambda, long seed) {
        Random rnd = new Random(seed);
        double[] x = new double[bigM * d];
        for (int i = 0; i < x.length; i++) x[i] = i % d == 0 || rnd.nextDouble() < 0.3 ? 0 : rnd.nextDouble();
        int[] labels = new int[bigM];
        for (int i = 0; i < bigM; i++) labels[i] = rnd.nextInt(k);
        return new MnistLinear(x, labels, d, k, lambda);
    }

    @Test
    void matchesTheGeneralTheoryOnRandomSparseData() {
        MnistLinear model = sparseModel(24, 5, 3, 0.05, 11);
        compare(model, 4, 0.01, "random M = 24, d = 5, K = 3, m = 4");
    }

    @Test
    void matchesTheGeneralTheoryWithOneExamplePerBatch() {
        compare(sparseModel(12, 4, 2, 0.2, 5), 1, 0.004, "random M = 12, d = 4, K = 2, m = 1");
    }

    /** Real digits, 28×28 → 2×2 by 14×14 block means (d = 4, K = 10, N = 40), M = 40, m = 4: skipped without the mirror. */
    @Test
    void matchesTheGeneralTheoryOnCoarseMirrorDigits() {
        Path dir = MnistTestData.mirror().orElse(null);
        assumeTrue(dir != null, "no MNIST mirror: set MNIST_MIRROR or provide ../shared/mnist-subset");
        MnistData data = MnistIdxReader.readMirror(dir, 40);
        MnistLinear model = new MnistLinear(data.coarseGrained(14), data.labels(), 4, MnistLinear.CLASSES, MnistLinear.PAPER_LAMBDA);
        compare(model, 4, 0.05, "mirror M = 40, 14x14 blocks, m = 4");
    }

    private static void compare(MnistLinear model, int m, double eta, String what) {
        NessModel general = MnistLinearTest.defaultsOf(model);
        int nPar = model.parameters(), n = model.examples() / m;
        double[] theta0 = model.minimum();
        MnistWorTheory fast = new MnistWorTheory(model, m, eta);
        WorLandscape land = new WorLandscape(general, m, eta);
        WorDiffusion diff = new WorDiffusion(general, m, eta);
        WorTheory slow = new WorTheory(general, m, eta, theta0);

        double[] theta = theta0.clone(), noise = MnistLinearTest.randomTheta(nPar, 0.3, 3);
        for (int a = 0; a < nPar; a++) theta[a] += noise[a];
        double[] gSlow = new double[nPar];
        land.gradient(theta, gSlow);
        double gErr = rel(fast.gradient(theta), gSlow);

        // Ĥ = nH + ∇²δL: compare the O(η) part on its own, so the nH that both share cannot hide an error there
        double[] h = new double[nPar * nPar];
        general.hessian(theta, h);
        double[] hFast = fast.hessian(), jSlow = land.correctionJacobian(theta), jFast = new double[nPar * nPar];
        for (int t = 0; t < h.length; t++) jFast[t] = hFast[t] - n * h[t];
        double jErr = rel(jFast, jSlow), jSize = frob(jSlow) / frob(h) / n;

        double[] cSlow = slow.centre(), cFast = fast.centre(), shift = new double[nPar], dc = new double[nPar];
        for (int a = 0; a < nPar; a++) {
            shift[a] = cSlow[a] - theta0[a];
            dc[a] = cFast[a] - cSlow[a];
        }
        double cErr = frob(dc) / frob(shift);

        double dErr = rel(fast.diffusion(theta), diff.full(theta));
        double dPrinted = rel(fast.diffusion(theta, MnistWorTheory.Coefficients.printed(fast.moments())), diff.at(WorDiffusion.Form.PRINTED, theta));
        double badPrinted = rel(fast.diffusion(theta, MnistWorTheory.Coefficients.printed(fast.moments())), diff.full(theta));
        MnistWorTheory.Coefficients c = MnistWorTheory.Coefficients.corrected(fast.moments());
        MnistWorTheory.Coefficients noG = new MnistWorTheory.Coefficients(c.zz(), c.zSum(), c.a1(), c.bb(), c.bc(), c.f(), 0, c.t());
        double badNoG = rel(fast.diffusion(theta, noG), diff.full(theta));

        WorTheory.Stationary sSlow = slow.sgd(WorTheory.Curvature.EFFECTIVE), sFast = fast.stationary();
        double dcErr = rel(sFast.diffusion(), sSlow.diffusion());
        double sErr = rel(sFast.covariance(), sSlow.covariance());
        double ccErr = rel(sFast.circulation(), sSlow.circulation());
        System.out.printf(Locale.ROOT, "%s (N = %d, n = %d, |grad^2 dL|/|nH| = %.2g): grad %.1e, Hhat-nH %.1e, centre %.1e, "
                        + "Dhat %.1e (printed vs printed %.1e), at centre %.1e, Sigma %.1e, C %.1e; controls: printed B18 %.2g, no G %.2g%n",
                what, nPar, n, jSize, gErr, jErr, cErr, dErr, dPrinted, dcErr, sErr, ccErr, badPrinted, badNoG);
        assertTrue(jSize > 1e-3, "the O(eta) part of Hhat must be large enough to test: " + jSize);
        assertTrue(gErr <= EXACT, what + ": grad Lhat " + gErr);
        assertTrue(jErr <= DIFFERENCED, what + ": Hhat - nH " + jErr);
        assertTrue(cErr <= DIFFERENCED, what + ": centre shift " + cErr);
        assertTrue(dErr <= EXACT, what + ": Dhat " + dErr);
        assertTrue(dPrinted <= EXACT, what + ": printed Dhat " + dPrinted);
        assertTrue(dcErr <= DIFFERENCED, what + ": Dhat at the centre " + dcErr);
        assertTrue(sErr <= DIFFERENCED, what + ": Sigma " + sErr);
        assertTrue(ccErr <= DIFFERENCED, what + ": C " + ccErr);
        // negative controls: the comparison resolves a wrong coefficient or a missing term by many orders
        assertTrue(badPrinted > 1e3 * EXACT && badPrinted > 1e-4, what + ": printed B18 passes: " + badPrinted);
        assertTrue(badNoG > 1e3 * EXACT && badNoG > 1e-4, what + ": B18 without G passes: " + badNoG);
    }

    private static double rel(double[] a, double[] b) {
        double s = 0;
        for (int t = 0; t < a.length; t++) s += (a[t] - b[t]) * (a[t] - b[t]);
        return Math.sqrt(s) / frob(b);
    }

    private static double frob(double[] a) {
        double s = 0;
        for (double v : a) s += v * v;
        return Math.sqrt(s);
    }
}
