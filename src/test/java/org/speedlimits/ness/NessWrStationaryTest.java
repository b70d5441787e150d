package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.Mat;

/**
 * End-to-end: WR SGD on the Sec. 4.1 regression network (data {@code RegressionData.paper(1)}, λ = 10, m = 10,
 * M = 200, θ₀ by Newton from {@code paperStart(7, 0)}) against the linearised stationary theory of Sec. 3.3.
 * Three seeded runs, each 2 chains (2 threads) started at θ₀, burnt in for ≥ 5 relaxation times 1/(ηh_min)
 * (h_min = 53.8: 1.9·10⁴ steps at η = 1e-6), then observed every step:
 * <ol>
 *   <li>η = 1e-6, 2 × 10⁷ steps: Σ (Eq. 23), the centre, ⟨A⟩/ℓ (Eq. 26/28), and ⟨σ⟩, ⟨e^{−σ}⟩ (Eq. 27), which are
 *       only checked for the breakdown described below;</li>
 *   <li>η = 1e-7 (the paper's), 2 × 2·10⁷ steps after 10⁶ (5.4 relaxation times): ⟨σ⟩(ℓ) against Eq. 29 × ℓ,
 *       the IFT and the DFT;</li>
 *   <li>η = 1e-7, 1 chain × 4·10⁶ steps: the same fluctuation statistics with K built from 2C and from −C (negative
 *       controls).</li>
 * </ol>
 * SEs are batch means over consecutive batches of 4·10⁵ steps (21 relaxation times at η = 1e-6; 25 batches per
 * chain), or of 4·10⁵ windows of ℓ steps for σ (≥ 2 relaxation times at η = 1e-7; σ's fluctuations are ≈ 80%
 * white noise, whose SE needs no long batches), per chain, pooled over the chains ({@link NessPooled#pool}).
 *
 * <p>What the runs showed (the asserted tolerances are stated at each check):
 * <ul>
 *   <li>Σ about the sample mean is 1.3% (relative Frobenius) from Eq. 23 and 0.9% from its discrete-time twin
 *       ({@link StationaryState#sigmaDiscrete}), with a sampling noise of 1.5%; along H₀'s eigenvectors the discrete
 *       Σ is within 2 SE for every mode, while Eq. 23 is 7 SE low on the two stiffest modes (ηh = 0.028: the
 *       continuum misses the factor 2/(2 − ηh)).</li>
 *   <li>The centre is not θ₀: the stationary mean is displaced by the anharmonic shift μ = −½H₀⁻¹(T:Σ),
 *       T = ∇³𝓛(θ₀) (from ⟨∇𝓛(θ)⟩ = 0, exact for WR), up to 30 SE; along H₀'s softest eigenvector μ is ≈ 1.3 standard
 *       deviations of that mode, so Σ measured about θ₀ is 2.7× Eq. 23 there. Not in the paper (O(η) relative to the
 *       fluctuations, but amplified by 1/h_min).</li>
 *   <li>At η = 1e-6 Eq. 27's σ (linear v about θ₀, constant D₀) is not the path log-ratio of the real network to
 *       the resolution of this run: ⟨σ⟩ is 4% below Eq. 29 (6 SE), ⟨e^{−σ}⟩ − 1 = +2.2·10⁻⁴ (12 SE, 7.6% of ⟨σ⟩)
 *       and the DFT slope 0.92 ± 0.01. The same estimator on the linear map with the same H₀, D₀ (Gaussian noise),
 *       or with the real minibatch noise frozen at θ₀, satisfies all three (checked outside this suite), so it is
 *       the anharmonicity of Eq. 30. The defect shrinks more slowly than η (IFT: 2.4 ± 0.9% of ⟨σ⟩ at 2e-7,
 *       2.2 ± 1.3% at 1e-7; DFT slope 0.975 at both), which is why the fluctuation theorems are tested at the
 *       paper's η = 1e-7, where it is 1.2–2.5 SE of this run (IFT z = 1.8–2.5, DFT z = −1.3 to −1.8, ⟨σ⟩
 *       z = −1.2 to −1.4): a 4× longer run would resolve it there too, so do not lengthen this one without
 *       revisiting the 3-SE criteria.</li>
 * </ul>
 * Negative controls: the equilibrium guess Σ ∝ H₀⁻¹ and Eq. 14's approximate D (its n ≫ 1 form, 4.5% larger) for
 * Σ; μ = 0 (the linear theory's centre); C = 0 (Σ's off-diagonals in H₀'s eigenbasis zeroed, so that Σ commutes
 * with H₀) and −C for the areas; K from 2C and −C for ⟨σ⟩, the IFT and the DFT.
 */
class NessWrStationaryTest {
    static final int M_BATCH = 10;
    static final int CHAINS = 2;
    static final int N = 7;
    static final int BATCH = 400_000;
    /** Windows per batch in the short control run (≥ 8 batches for ℓ = 5). */
    static final int CONTROL_BATCH = 100_000;
    static final int[] WINDOWS = {1, 2, 3, 5};
    static final long SEED = 3_141_592L;
    /** The 99.9% quantile of χ² with 21 degrees of freedom (the N(N−1)/2 independent entries of an antisymmetric C). */
    static final double CHI2_21_999 = 46.80;

    static final double ETA = 1e-6;
    static final long STEPS = 10_000_000L, BURN_IN = 100_000L;
    static final double ETA_FT = 1e-7;
    static final long STEPS_FT = 20_000_000L, BURN_IN_FT = 1_000_000L, STEPS_CONTROL = 4_000_000L;

    static TanhRegression model;
    static double[] theta0;
    static StationaryState theory, theoryFt;
    static double[][] basis;
    static Ensemble run, runFt, runControl;
    static final int MOMENTS = 0, AREAS = 1, ENTROPY = 2;

    @BeforeAll
    static void simulate() {
        model = new TanhRegression(RegressionData.paper(1));
        theta0 = Minimum.find(model, Minimum.paperStart(7, 0)).theta();
        theory = StationaryState.wr(model, theta0, ETA, M_BATCH);
        theoryFt = StationaryState.wr(model, theta0, ETA_FT, M_BATCH);
        basis = NessLinalg.eigh(theory.h0()).vectors();
        double[][] dirs = new double[N][];
        for (int j = 0; j < N; j++) dirs[j] = NessPooled.column(basis, j);

        long t = System.nanoTime();
        double[] k = NessPooled.flat(theory.velocityMatrix()), dInv = NessPooled.flat(theory.diffusionInverse());
        run = measure(new WrSgd(model, ETA, M_BATCH), SEED, BURN_IN, STEPS, CHAINS, () -> new Observer[] {
                Moments.aboutMean(N, BATCH, dirs),
                new NessRotated(basis, theta0, AreaMatrix.aboutCentre(new double[N], BATCH)),
                entropy(k, dInv, 1.0)});
        double a = (System.nanoTime() - t) * 1e-9;

        t = System.nanoTime();
        double[] kFt = NessPooled.flat(theoryFt.velocityMatrix()), dInvFt = NessPooled.flat(theoryFt.diffusionInverse());
        runFt = measure(new WrSgd(model, ETA_FT, M_BATCH), SEED + 10, BURN_IN_FT, STEPS_FT, CHAINS,
                () -> new Observer[] {entropy(kFt, dInvFt, 0.5)});
        runControl = measure(new WrSgd(model, ETA_FT, M_BATCH), SEED + 20, BURN_IN_FT, STEPS_CONTROL, 1,
                () -> new Observer[] {entropy(scale(kFt, 2), dInvFt, 0.5, CONTROL_BATCH),
                                      entropy(scale(kFt, -1), dInvFt, 0.5, CONTROL_BATCH)});
        double b = (System.nanoTime() - t) * 1e-9;
        System.out.printf("NessWrStationaryTest: eta %.0e, %d x %d steps in %.1f s; eta %.0e, %d x %d + %d steps in %.1f s%n",
                ETA, CHAINS, STEPS, a, ETA_FT, CHAINS, STEPS_FT, STEPS_CONTROL, b);
    }

    /** Burn-in from θ₀ without observers (seed), then a fresh ensemble (seed + 1) from where each chain stopped. */
    static Ensemble measure(Sampler s, long seed, long burnIn, long steps, int chains,
                            java.util.function.Supplier<Observer[]> observers) {
        Ensemble burn = new Ensemble(s, chains, seed, c -> theta0, 1, c -> new Observer[0]);
        burn.run(burnIn, chains);
        Ensemble e = new Ensemble(s, chains, seed + 1, c -> burn.chain(c).theta(), 1, c -> observers.get());
        e.run(steps, chains);
        return e;
    }

    /** σ about θ₀ for ℓ ∈ WINDOWS, no gap; histograms on [−R, R) in 200 bins and e^{−σ} on [0, 3). */
    static EntropyProduction entropy(double[] k, double[] dInv, double range) {
        return entropy(k, dInv, range, BATCH);
    }

    static EntropyProduction entropy(double[] k, double[] dInv, double range, int windowsPerBatch) {
        return new EntropyProduction(k, dInv, theta0, WINDOWS, 0, windowsPerBatch, range, 200, 3.0, 300);
    }

    static double[] scale(double[] a, double s) {
        double[] b = a.clone();
        for (int i = 0; i < b.length; i++) b[i] *= s;
        return b;
    }

    static Moments moments(Chain c) {
        return (Moments) c.observer(MOMENTS);
    }

    static AreaMatrix areas(Chain c) {
        return (AreaMatrix) ((NessRotated) c.observer(AREAS)).inner;
    }

    /** ⟨σ⟩ and ⟨e^{−σ}⟩ of window w of observer slot {@code slot}, pooled over the chains. */
    static NessPooled.Estimate sigmaStats(Ensemble e, int slot, int w) {
        return NessPooled.pool(e, c -> {
            EntropyProduction.Summary s = ((EntropyProduction) c.observer(slot)).summary(w);
            return new double[] {s.meanSigma(), s.meanExp()};
        }, c -> {
            EntropyProduction.Summary s = ((EntropyProduction) c.observer(slot)).summary(w);
            return new double[] {s.meanSigmaSE(), s.meanExpSE()};
        });
    }

    /** The DFT slope of window w, pooled: the mean of the chains' slopes, SE √(ΣSE²)/K (χ²-inflated SEs). */
    static NessPooled.Estimate dft(Ensemble e, int slot, int w) {
        return NessPooled.pool(e, c -> new double[] {((EntropyProduction) c.observer(slot)).dft(w, 20).slope()},
                c -> new double[] {((EntropyProduction) c.observer(slot)).dft(w, 20).slopeSE()});
    }

    @Test
    void newtonsMinimumHasAVanishingGradient() {
        double[] g = new double[N];
        model.gradient(theta0, g);
        for (double v : g) assertTrue(Math.abs(v) <= 1e-10, "‖∇𝓛(θ₀)‖∞ ≤ 1e-10, component " + v);
        assertTrue(theory.hessianEigenvalues()[N - 1] > 0, "H₀ positive definite");
    }

    /**
     * Σ about the sample mean against Eq. 23 and its discrete twin: relative Frobenius error ≤ 5% for both, with the
     * sampling noise √(ΣSE²)/‖Σ‖ ≤ 5%/3 so that 5% is resolvable; the variance along every eigenvector of H₀ within 4
     * SE of the discrete Σ. Eq. 23 itself fails that per-mode test on the stiffest mode (asserted, > 4 SE: the test
     * resolves the O(ηh) difference of the two). Negative controls: Σ ∝ H₀⁻¹ with Eq. 23's trace is > 15%
     * (3 × 5%) off in Frobenius norm, and Σ from Eq. 14's approximate D fails the 4-SE per-mode test.
     */
    @Test
    void covarianceMatchesEq23AndItsDiscreteTwin() {
        NessPooled.Estimate sim = NessPooled.pool(run, c -> moments(c).covariance(), c -> moments(c).covarianceSE());
        NessPooled.Estimate dir = NessPooled.pool(run, c -> moments(c).directionVariances(),
                c -> moments(c).directionVariancesSE());
        double[] cont = NessPooled.flat(theory.sigma()), disc = NessPooled.flat(theory.sigmaDiscrete());
        double relCont = NessPooled.relFrobenius(sim.value(), cont), relDisc = NessPooled.relFrobenius(sim.value(), disc);
        double noise = NessPooled.relFrobeniusNoise(sim.se(), cont);
        double[][] approxD = WrDiffusion.approximate(model, theta0, ETA, M_BATCH);
        double[] approx = NessPooled.flat(new StationaryState(theory.h0(), approxD, ETA).sigma());
        double[][] hInv = NessLinalg.inverse(theory.h0());
        double[] equilibrium = NessPooled.flat(NessLinalg.scale(Mat.trace(theory.sigma()) / Mat.trace(hInv), hInv));
        double relEq = NessPooled.relFrobenius(sim.value(), equilibrium);
        System.out.printf("Sigma (eta %.0e): rel. Frobenius error %.4f vs Eq. 23, %.4f vs discrete (noise %.4f); "
                + "equilibrium guess %.3f, Eq. 14 approx. D %.4f%n", ETA, relCont, relDisc, noise, relEq,
                NessPooled.relFrobenius(sim.value(), approx));
        double[] h = theory.hessianEigenvalues();
        double worstDisc = 0, worstApprox = 0;
        double[] zCont = new double[N];
        for (int j = 0; j < N; j++) {
            double[] u = NessPooled.column(basis, j);
            zCont[j] = dir.z(j, NessPooled.quadratic(cont, u));
            double zDisc = dir.z(j, NessPooled.quadratic(disc, u)), zApprox = dir.z(j, NessPooled.quadratic(approx, u));
            worstDisc = Math.max(worstDisc, Math.abs(zDisc));
            worstApprox = Math.max(worstApprox, Math.abs(zApprox));
            System.out.printf("  mode %d (h = %.4g): variance %.5g ± %.2g; z vs Eq. 23 %.2f, discrete %.2f, approx. D %.1f%n",
                    j, h[j], dir.value()[j], dir.se()[j], zCont[j], zDisc, zApprox);
        }
        assertTrue(noise <= 0.05 / 3, "sampling noise " + noise + " too large for a 5% test");
        assertTrue(relCont <= 0.05, "Eq. 23: relative Frobenius error " + relCont);
        assertTrue(relDisc <= 0.05, "discrete Σ: relative Frobenius error " + relDisc);
        assertTrue(worstDisc <= 4, "discrete Σ along H₀'s eigenvectors: max |z| = " + worstDisc);
        assertTrue(Math.abs(zCont[0]) > 4, "the test should resolve Eq. 23's O(ηh) deficit on the stiffest mode: z = " + zCont[0]);
        assertTrue(relEq > 0.15, "negative control: the equilibrium Σ ∝ H₀⁻¹ should fail, error " + relEq);
        assertTrue(worstApprox > 4, "negative control: Eq. 14's approximate D should fail the per-mode test, max |z| = " + worstApprox);
    }

    /** T:Σ, (T:Σ)_α = Σ_βγ ∂_γ(∇²𝓛)_αβ(θ₀) Σ_βγ, by central differences of the analytic Hessian (step 1e-5). */
    static double[] thirdDerivativeContraction(double[] sigma) {
        double[] out = new double[N], hp = new double[N * N], hm = new double[N * N];
        for (int g = 0; g < N; g++) {
            double step = 1e-5 * Math.max(1, Math.abs(theta0[g]));
            double[] t = theta0.clone();
            t[g] += step;
            model.hessian(t, hp);
            t[g] = theta0[g] - step;
            model.hessian(t, hm);
            for (int a = 0; a < N; a++)
                for (int b = 0; b < N; b++) out[a] += (hp[a * N + b] - hm[a * N + b]) / (2 * step) * sigma[b * N + g];
        }
        return out;
    }

    /**
     * The centre: WR's minibatch gradient is unbiased, so stationarity gives ⟨∇𝓛(θ)⟩ = 0 exactly, and to second
     * order H₀⟨δθ⟩ + ½T:Σ = 0: the mean sits at θ₀ + μ, μ = −½H₀⁻¹(T:Σ), not at θ₀. Every component within 4 SE of
     * θ₀ + μ (Σ the discrete one); negative control: the linear theory's centre θ₀ is > 10 SE off in some component.
     */
    @Test
    void centreIsDisplacedByTheAnharmonicShift() {
        NessPooled.Estimate mean = NessPooled.pool(run, c -> moments(c).mean(), c -> moments(c).meanSE());
        double[] mu = NessLinalg.solve(theory.h0(), thirdDerivativeContraction(NessPooled.flat(theory.sigmaDiscrete())));
        for (int a = 0; a < N; a++) mu[a] *= -0.5;
        double worst = 0, worstLinear = 0;
        for (int a = 0; a < N; a++) {
            double d = mean.value()[a] - theta0[a];
            double z = (d - mu[a]) / mean.se()[a], z0 = d / mean.se()[a];
            worst = Math.max(worst, Math.abs(z));
            worstLinear = Math.max(worstLinear, Math.abs(z0));
            System.out.printf("  centre %d: mean − θ₀ = %.4g ± %.2g, μ = %.4g: z %.2f (vs θ₀: %.1f)%n", a, d, mean.se()[a],
                    mu[a], z, z0);
        }
        double[] soft = NessPooled.column(basis, N - 1);
        System.out.printf("  along the softest mode: u·μ = %.3g, its sd %.3g%n", Mat.dot(soft, mu),
                Math.sqrt(NessPooled.quadratic(NessPooled.flat(theory.sigmaDiscrete()), soft)));
        assertTrue(worst <= 4, "mean − θ₀ against μ = −½H₀⁻¹T:Σ: max |z| = " + worst);
        assertTrue(worstLinear > 10, "negative control: the centre θ₀ should be rejected, max |z| = " + worstLinear);
    }

    /**
     * ⟨A⟩/ℓ about θ₀ (Eq. 26/28), in H₀'s eigenbasis (OᵀCO), against C of Eq. 25: the diagonal χ² over the 21
     * entries below its 99.9% quantile 46.8, and every entry with |C| > 10 SE within 3 SE. Negative controls, the
     * same χ² for C = 0 (Σ with its H₀-eigenbasis off-diagonals zeroed commutes with H₀) and for −C: both > 46.8.
     */
    @Test
    void meanAreaPerStepIsTheCirculationMatrix() {
        NessPooled.Estimate a = NessPooled.pool(run, c -> areas(c).perStep(), c -> areas(c).perStepSE());
        double[] c = NessRotated.toBasis(basis, NessPooled.flat(theory.circulation()));
        double[][] sigmaDiag = NessLinalg.eigh(theory.h0()).toEigenbasis(theory.sigma());
        for (int p = 0; p < N; p++) for (int q = 0; q < N; q++) if (p != q) sigmaDiag[p][q] = 0;
        double[][] hDiag = NessLinalg.eigh(theory.h0()).toEigenbasis(theory.h0());
        double[] wrong = NessPooled.flat(NessLinalg.combine(0.5 * ETA, Mat.multiply(hDiag, sigmaDiag), -0.5 * ETA,
                Mat.multiply(sigmaDiag, hDiag)));
        double chi2 = NessPooled.chi2Upper(a, c, N), chi2Zero = NessPooled.chi2Upper(a, wrong, N);
        double chi2Minus = NessPooled.chi2Upper(a, scale(c, -1), N);
        System.out.printf("areas (eigenbasis): chi2 %.1f vs C, %.1f vs C = 0, %.1f vs -C (21 entries)%n", chi2, chi2Zero, chi2Minus);
        int large = 0;
        double worst = 0;
        for (int p = 0; p < N; p++)
            for (int q = p + 1; q < N; q++) {
                double z = a.z(p * N + q, c[p * N + q]);
                boolean big = Math.abs(c[p * N + q]) > 10 * a.se()[p * N + q];
                System.out.printf("  A[%d,%d] = %.4g ± %.2g, C = %.4g: z %.2f%s%n", p, q, a.value()[p * N + q],
                        a.se()[p * N + q], c[p * N + q], z, big ? " (large)" : "");
                if (big) {
                    large++;
                    worst = Math.max(worst, Math.abs(z));
                }
            }
        assertTrue(chi2 < CHI2_21_999, "χ² of ⟨A⟩/ℓ against C: " + chi2);
        assertTrue(large >= 5 && worst <= 3, large + " entries with |C| > 10 SE, the worst " + worst + " SE off");
        assertTrue(NessLinalg.maxAbs(NessPooled.square(wrong)) < 1e-12 * NessLinalg.maxAbs(NessPooled.square(c)), "that control has C = 0");
        assertTrue(chi2Zero > CHI2_21_999, "negative control C = 0 should fail: χ² " + chi2Zero);
        assertTrue(chi2Minus > CHI2_21_999, "negative control −C should fail: χ² " + chi2Minus);
    }

    /**
     * At η = 1e-7: ⟨σ⟩(ℓ) within 3 SE of Eq. 29 × ℓ, |⟨e^{−σ}⟩ − 1| within 3 SE, and the DFT slope within 3 SE of 1
     * for every ℓ and within 1 ± 0.05 for ℓ ≥ 3 (whose slope SE ≤ 0.05/3, so the band is resolved). Negative
     * controls, K from 2C and from −C (σ → 2σ, −σ): ⟨σ⟩ against that theory's Eq. 29 (4× and 1×), the IFT and the
     * DFT each fail by > 3 SE, the DFT also by more than 0.05.
     */
    @Test
    void entropyProductionAndFluctuationTheorems() {
        double per = theoryFt.entropyProductionPerStep();
        java.util.List<String> failures = new java.util.ArrayList<>();
        for (int w = 0; w < WINDOWS.length; w++) {
            int l = WINDOWS[w];
            NessPooled.Estimate s = sigmaStats(runFt, 0, w), d = dft(runFt, 0, w);
            double zSigma = s.z(0, per * l), zIft = s.z(1, 1), zDft = d.z(0, 1);
            System.out.printf("eta %.0e, l = %d: <sigma> %.5g ± %.2g (Eq. 29: %.5g, z %.2f); <e^-sigma> − 1 = %.3g ± %.2g "
                    + "(z %.2f); DFT slope %.4f ± %.4f (z %.2f)%n", ETA_FT, l, s.value()[0], s.se()[0], per * l, zSigma,
                    s.value()[1] - 1, s.se()[1], zIft, d.value()[0], d.se()[0], zDft);
            if (Math.abs(zSigma) > 3) failures.add("⟨σ⟩ against Eq. 29 for ℓ = " + l + ": z = " + zSigma);
            if (Math.abs(zIft) > 3) failures.add("IFT for ℓ = " + l + ": z = " + zIft);
            if (Math.abs(zDft) > 3) failures.add("DFT for ℓ = " + l + ": z = " + zDft);
            if (l >= 3 && d.se()[0] > 0.05 / 3) failures.add("DFT slope SE " + d.se()[0] + " too large for the ±0.05 band, ℓ = " + l);
            if (l >= 3 && Math.abs(d.value()[0] - 1) > 0.05) failures.add("DFT slope for ℓ = " + l + ": " + d.value()[0]);
            // negative controls: slot 0 is K(2C), slot 1 is K(−C); their Eq. 29 is 4× and 1× the true one
            double[] factor = {4, 1};
            for (int slot = 0; slot < 2; slot++) {
                NessPooled.Estimate sc = sigmaStats(runControl, slot, w), dc = dft(runControl, slot, w);
                double zs = sc.z(0, factor[slot] * per * l), zi = sc.z(1, 1), zd = dc.z(0, 1);
                System.out.printf("  control K(%s): <sigma> z %.1f, IFT z %.1f, DFT slope %.3f (z %.1f)%n",
                        slot == 0 ? "2C" : "-C", zs, zi, dc.value()[0], zd);
                if (!(Math.abs(zs) > 3 && Math.abs(zi) > 3 && Math.abs(zd) > 3 && Math.abs(dc.value()[0] - 1) > 0.05))
                    failures.add("negative control K(" + (slot == 0 ? "2C" : "−C") + ") should fail for ℓ = " + l);
            }
        }
        assertTrue(failures.isEmpty(), String.join("; ", failures));
    }

    /**
     * The finding that sets η for the test above: at η = 1e-6 the same estimator on the same network resolves the
     * anharmonic defect of Eq. 27's σ — for ℓ = 1 ⟨e^{−σ}⟩ − 1 > 5 SE and ⟨σ⟩ < Eq. 29 by > 3 SE — while at
     * η = 1e-7 both pass (above). Relative to ⟨σ⟩ the IFT defect is then ≥ 3% (measured 7.6%).
     */
    @Test
    void linearisedEntropyProductionBreaksDownAtLargerEta() {
        double per = theory.entropyProductionPerStep();
        NessPooled.Estimate s = sigmaStats(run, ENTROPY, 0), d = dft(run, ENTROPY, 0);
        double zSigma = s.z(0, per), zIft = s.z(1, 1);
        System.out.printf("eta %.0e, l = 1: <sigma> %.5g ± %.2g (Eq. 29 %.5g, z %.2f), <e^-sigma> − 1 = %.3g ± %.2g "
                + "(z %.1f, %.1f%% of <sigma>), DFT slope %.4f ± %.4f%n", ETA, s.value()[0], s.se()[0], per, zSigma,
                s.value()[1] - 1, s.se()[1], zIft, 100 * (s.value()[1] - 1) / per, d.value()[0], d.se()[0]);
        assertTrue(zIft > 5 && (s.value()[1] - 1) > 0.03 * per, "IFT defect at η = 1e-6: z = " + zIft);
        assertTrue(zSigma < -3, "⟨σ⟩ below Eq. 29 at η = 1e-6: z = " + zSigma);
    }
}
