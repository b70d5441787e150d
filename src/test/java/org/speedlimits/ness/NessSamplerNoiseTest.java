package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The Langevin parts of SGLD and SGWORLD (Fig. 5) on their own, on the linearised regression network of Sec. 4.6
 * (Eq. 39, paper(1) data, λ = 10, m = 10, n = 20, M = 200), from fixed starting points, each unit drawn afresh from
 * the same point so the displacements are independent (SEs by batch means over 100 batches, i.e. of iid draws).
 * SamplersTest checks the samplers' structure against hand-written steps and their stationary moments on a small
 * quadratic model with an arbitrary linear field; what is added here is the real M = 200 model and the real SGWORLD
 * correction field {@link WorLandscape#correctionField()}:
 * <ul>
 *   <li>one SGLD step from θ₀ (where ∇𝓛 = 0) has displacement covariance 2D₀ + 2ηI, D₀ of Eq. A10 (exact for WR
 *       minibatches): the Langevin kick adds 2η per coordinate;</li>
 *   <li>one SGWORLD epoch from θ₀ has displacement covariance 2D̂(θ₀) + 2ηnI: the kick adds 2ηn;</li>
 *   <li>from θ ≠ θ₀ the uncorrected SGWORLD epoch moves θ by −η∇L̂(θ) on average (Eq. 15/16) and the corrected one
 *       by −ηn∇𝓛(θ) (Fig. 5: the +η∇δL(θ_{t−n}) term cancels δL).</li>
 * </ul>
 */
class NessSamplerNoiseTest {
    static final LinearizedRegression MODEL = new LinearizedRegression(RegressionData.paper(1));
    static final double[] THETA0 = Minimum.find(MODEL, new double[3]).theta();
    static final int N = 3, M_BATCH = 10, STEPS_PER_EPOCH = 20;
    static final long SEED = 5_772_156L;

    /** Displacements θ' − θ of {@code draws} units of {@code s}, each from θ (batch-means over 100 batches). */
    static Moments displacements(Sampler s, double[] theta, int draws, long seed) {
        Rng rng = new Rng(seed);
        Moments m = Moments.aboutMean(N, draws / 100);
        double[] t = new double[N], d = new double[N];
        for (int k = 0; k < draws; k++) {
            System.arraycopy(theta, 0, t, 0, N);
            s.advance(t, rng);
            for (int a = 0; a < N; a++) d[a] = t[a] - theta[a];
            m.add(d);
        }
        return m;
    }

    /** max over entries of |estimate − theory|/SE. */
    static double maxZ(double[] est, double[] se, double[] theory) {
        double z = 0;
        for (int k = 0; k < est.length; k++) z = Math.max(z, Math.abs(est[k] - theory[k]) / se[k]);
        return z;
    }

    static double[] plusDiagonal(double[] a, double c) {
        double[] b = a.clone();
        for (int i = 0; i < N; i++) b[i * N + i] += c;
        return b;
    }

    /**
     * η = 1e-6 (D₀ ≈ 0.16η, so both parts are resolved), 4·10⁵ steps: every covariance entry within 4 SE of
     * 2D₀ + 2ηI, and Var − 2D₀_aa = 2η per coordinate within 4 SE. Negative controls, each > 10 SE off in some entry:
     * a kick of variance η (2D₀ + ηI), and the kick alone (2ηI, no minibatch noise).
     */
    @Test
    void sgldStepAddsTwoEtaPerCoordinate() {
        double eta = 1e-6;
        Moments m = displacements(new Sgld(MODEL, eta, M_BATCH), THETA0, 400_000, SEED);
        double[] twoD = NessPooled.flat(NessLinalg.scale(2, WrDiffusion.exact(MODEL, THETA0, eta, M_BATCH)));
        double[] c = m.covariance(), se = m.covarianceSE();
        double z = maxZ(c, se, plusDiagonal(twoD, 2 * eta));
        double zHalf = maxZ(c, se, plusDiagonal(twoD, eta)), zNoSgd = maxZ(c, se, plusDiagonal(new double[N * N], 2 * eta));
        for (int a = 0; a < N; a++)
            System.out.printf("SGLD step, coordinate %d: Var − 2D0 = %.5g ± %.2g (2 eta = %.3g); 2D0 = %.3g%n", a,
                    c[a * N + a] - twoD[a * N + a], se[a * N + a], 2 * eta, twoD[a * N + a]);
        System.out.printf("SGLD step covariance: max |z| %.2f vs 2D0 + 2 eta I; controls: %.1f (2D0 + eta I), %.1f (2 eta I)%n",
                z, zHalf, zNoSgd);
        assertTrue(z <= 4, "SGLD one-step covariance against 2D₀ + 2ηI: max |z| = " + z);
        assertTrue(zHalf > 10 && zNoSgd > 10, "negative controls should fail: " + zHalf + ", " + zNoSgd);
    }

    /**
     * η = 1e-6, 4·10⁵ epochs: every entry within 4 SE of 2D̂(θ₀) + 2ηnI (2D̂ is 0.3% of the kick, ≈ 1.5 SE; its own
     * O(η) error is below 0.5 SE). Negative control: one SGLD-sized kick per epoch, 2D̂ + 2ηI, > 10 SE off.
     */
    @Test
    void sgworldEpochAddsTwoEtaNPerCoordinate() {
        double eta = 1e-6;
        Moments m = displacements(SgWorld.uncorrected(MODEL, eta, M_BATCH), THETA0, 400_000, SEED + 1);
        double[] twoDHat = new WorDiffusion(MODEL, M_BATCH, eta).at(WorDiffusion.Form.FULL, THETA0);
        for (int k = 0; k < twoDHat.length; k++) twoDHat[k] *= 2;
        double[] c = m.covariance(), se = m.covarianceSE();
        double z = maxZ(c, se, plusDiagonal(twoDHat, 2 * eta * STEPS_PER_EPOCH)), zOne = maxZ(c, se, plusDiagonal(twoDHat, 2 * eta));
        for (int a = 0; a < N; a++)
            System.out.printf("SGWORLD epoch, coordinate %d: Var − 2Dhat = %.5g ± %.2g (2 eta n = %.3g)%n", a,
                    c[a * N + a] - twoDHat[a * N + a], se[a * N + a], 2 * eta * STEPS_PER_EPOCH);
        System.out.printf("SGWORLD epoch covariance: max |z| %.2f vs 2Dhat + 2 eta n I; control 2Dhat + 2 eta I: %.0f%n", z, zOne);
        assertTrue(z <= 4, "SGWORLD epoch covariance against 2D̂ + 2ηnI: max |z| = " + z);
        assertTrue(zOne > 10, "negative control should fail: " + zOne);
    }

    /**
     * From θ = θ₀ + 0.2u (u H₀'s stiffest eigenvector) at η = 4e-8 (ηnh_max = 0.02), 4·10⁵ epochs each: the mean
     * uncorrected epoch displacement within 4 SE of −η∇L̂(θ) and the corrected one within 4 SE of −ηn∇𝓛(θ), every
     * coordinate. The difference η∇δL(θ) is ≈ 20 SE, the O(η³) remainder ≈ ηnh/3 of it (≈ 0.1 SE). Negative
     * controls: each mean against the other's prediction is > 10 SE off.
     */
    @Test
    void correctionTurnsTheEpochDriftIntoTheTrueGradient() {
        double eta = 4e-8;
        WorLandscape landscape = new WorLandscape(MODEL, M_BATCH, eta);
        NessLinalg.Eigen e = NessLinalg.eigh(StationaryState.hessian(MODEL, THETA0));
        double[] theta = THETA0.clone();
        for (int a = 0; a < N; a++) theta[a] += 0.2 * e.vectors()[a][0];
        double[] hatDrift = new double[N], trueDrift = new double[N];
        landscape.gradient(theta, hatDrift);
        MODEL.gradient(theta, trueDrift);
        for (int a = 0; a < N; a++) {
            hatDrift[a] *= -eta;
            trueDrift[a] *= -eta * STEPS_PER_EPOCH;
        }
        Moments unc = displacements(SgWorld.uncorrected(MODEL, eta, M_BATCH), theta, 400_000, SEED + 2);
        Moments cor = displacements(SgWorld.corrected(MODEL, eta, M_BATCH, landscape.correctionField()), theta, 400_000, SEED + 3);
        double zUnc = maxZ(unc.mean(), unc.meanSE(), hatDrift), zCor = maxZ(cor.mean(), cor.meanSE(), trueDrift);
        double zUncWrong = maxZ(unc.mean(), unc.meanSE(), trueDrift), zCorWrong = maxZ(cor.mean(), cor.meanSE(), hatDrift);
        for (int a = 0; a < N; a++)
            System.out.printf("coordinate %d: uncorrected %.5g ± %.2g (−η∇L̂ %.5g), corrected %.5g ± %.2g (−ηn∇𝓛 %.5g)%n", a,
                    unc.mean()[a], unc.meanSE()[a], hatDrift[a], cor.mean()[a], cor.meanSE()[a], trueDrift[a]);
        System.out.printf("SGWORLD drift: max |z| %.2f (uncorrected vs −η∇L̂), %.2f (corrected vs −ηn∇𝓛); swapped: %.1f, %.1f%n",
                zUnc, zCor, zUncWrong, zCorWrong);
        assertTrue(zUnc <= 4, "uncorrected SGWORLD epoch drift against −η∇L̂: max |z| = " + zUnc);
        assertTrue(zCor <= 4, "corrected SGWORLD epoch drift against −ηn∇𝓛: max |z| = " + zCor);
        assertTrue(zUncWrong > 10 && zCorWrong > 10, "the swapped predictions should fail: " + zUncWrong + ", " + zCorWrong);
    }
}
