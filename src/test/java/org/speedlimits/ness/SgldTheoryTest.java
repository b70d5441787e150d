package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.Mat;

/** Eqs. 37 and 44–46 on the linearised model of Sec. 4.6, whose posterior is known exactly. */
class SgldTheoryTest {
    static final RegressionData DATA = RegressionData.paper(0);
    static final LinearizedRegression LIN = new LinearizedRegression(DATA);
    static final double[] THETA0 = LIN.posteriorMean();
    static final double[][] SIGMA_PO = LIN.posteriorCovariance();
    static final int BATCH = 10, M = 200;

    static double rel(double[][] a, double[][] b) {
        return NessLinalg.frobenius(NessLinalg.combine(1, a, -1, b)) / NessLinalg.frobenius(b);
    }

    /**
     * ∂_μ∂_γD_{αβ} of the linearised model in closed form: ∇ℓ_i = −c r_iψ_i is affine in θ (c = M/ε²), so with
     * K = η²(M−m)/(2m(M−1)) and G = ΨΨᵀ/M, D = K[(1/M)Σ_i ∇ℓ_i∇ℓ_iᵀ − ∇L∇Lᵀ] has
     * ∂_μ∂_γD_{αβ} = Kc²[(2/M)Σ_i ψ_αψ_βψ_μψ_γ − (G_{μα}G_{γβ} + G_{γα}G_{μβ})].
     */
    static double[][][][] closedFormDiffusionHessian(double eta) {
        double c = M / (DATA.epsilon() * DATA.epsilon()), k = eta * eta * (M - BATCH) / (2.0 * BATCH * (M - 1));
        double[][] psi = new double[M][];
        double[][] g = new double[3][3];
        for (int i = 0; i < M; i++) {
            psi[i] = LinearizedRegression.features(DATA.x()[i]);
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) g[a][b] += psi[i][a] * psi[i][b] / M;
        }
        double[][][][] t = new double[3][3][3][3];
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) for (int mu = 0; mu < 3; mu++) for (int ga = 0; ga < 3; ga++) {
            double s = 0;
            for (double[] p : psi) s += p[a] * p[b] * p[mu] * p[ga];
            t[a][b][mu][ga] = k * c * c * (2 * s / M - g[mu][a] * g[ga][b] - g[ga][a] * g[mu][b]);
        }
        return t;
    }

    static double maxAbs(double[][][][] t) {
        double m = 0;
        for (double[][][] x : t) for (double[][] y : x) m = Math.max(m, NessLinalg.maxAbs(y));
        return m;
    }

    static double maxDiff(double[][][][] a, double[][][][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a.length; j++)
                for (int k = 0; k < a.length; k++)
                    for (int l = 0; l < a.length; l++) m = Math.max(m, Math.abs(a[i][j][k][l] - b[i][j][k][l]));
        return m;
    }

    @Test
    void finiteDifferenceDiffusionHessianIsExactForTheQuadraticD() {
        double eta = 1e-6;
        double[][][][] exact = closedFormDiffusionHessian(eta);
        for (double h : new double[] {1e-1, 1e-2, 1e-3}) {
            double[][][][] fd = SgldTheory.diffusionHessian(th -> WrDiffusion.exact(LIN, th, eta, BATCH), THETA0, h);
            assertTrue(maxDiff(fd, exact) <= 1e-8 * maxAbs(exact), "h = " + h + ": " + maxDiff(fd, exact) / maxAbs(exact));
        }
        // negative control: for the tanh network D is not quadratic, and a large step shows its O(h²) error
        TanhRegression tanh = new TanhRegression(DATA);
        double[] t0 = Minimum.find(tanh, Minimum.paperStart(7, 0)).theta();
        double[][][][] coarse = SgldTheory.diffusionHessian(th -> WrDiffusion.exact(tanh, th, eta, BATCH), t0, 1e-1);
        double[][][][] fine = SgldTheory.diffusionHessian(th -> WrDiffusion.exact(tanh, th, eta, BATCH), t0, 1e-3);
        double[][][][] finer = SgldTheory.diffusionHessian(th -> WrDiffusion.exact(tanh, th, eta, BATCH), t0, 1e-4);
        assertTrue(maxDiff(coarse, fine) > 1e-3 * maxAbs(fine), "h = 0.1 is visibly off for the tanh D");
        assertTrue(maxDiff(fine, finer) < 1e-3 * maxAbs(fine), "and converges as h shrinks");
    }

    @Test
    void eq44SolutionSatisfiesItsEquation() {
        double eta = 1e-6;
        double[][][][] t = closedFormDiffusionHessian(eta);
        double[][] h0 = StationaryState.hessian(LIN, THETA0), dp = SgldTheory.diffusion(LIN, THETA0, eta, BATCH);
        for (int a = 0; a < 3; a++) assertEquals(eta + WrDiffusion.exact(LIN, THETA0, eta, BATCH)[a][a], dp[a][a], 0.0);
        for (boolean discrete : new boolean[] {false, true}) {
            double[][] s = SgldTheory.sigma(h0, dp, t, eta, discrete);
            double[][] lhs = NessLinalg.combine(1, Mat.multiply(h0, s), 1, Mat.multiply(s, h0));
            if (discrete) lhs = NessLinalg.combine(1, lhs, -eta, Mat.multiply(Mat.multiply(h0, s), h0));
            double[][] rhs = NessLinalg.scale(1 / eta, NessLinalg.combine(2, dp, 1, SgldTheory.contract(t, s)));
            assertTrue(rel(lhs, rhs) < 1e-10, "Eq. 44 residual, discrete = " + discrete);
        }
        // the model-level entry point (FD 𝓗) gives the same Σ as the closed-form 𝓗
        assertTrue(rel(SgldTheory.sigma(LIN, THETA0, eta, BATCH, 1e-2, false), SgldTheory.sigma(h0, dp, t, eta, false)) < 1e-10);
        // the default step gives the same Σ for the tanh network as a ten times larger one (FD converged)
        TanhRegression tanh = new TanhRegression(DATA);
        double[] t0 = Minimum.find(tanh, Minimum.paperStart(7, 0)).theta();
        assertTrue(rel(SgldTheory.sigma(tanh, t0, eta, BATCH, false), SgldTheory.sigma(tanh, t0, eta, BATCH, 1e-3, false)) < 1e-7);
        // without 𝓗 it is the plain Lyapunov relation with D'
        assertTrue(rel(SgldTheory.sigma(h0, dp, null, eta, false), SgldTheory.sigmaLyapunov(LIN, THETA0, eta, BATCH)) < 1e-10);
    }

    /** Fig. 6's SGLD curve: Σ_SGLD → Σ_po as η → 0 and KL(P^s ‖ P_po) ∝ η². */
    @Test
    void sgldCovarianceTendsToThePosteriorWithKlProportionalToEtaSquared() {
        double[] etas = {1e-7, 3e-7, 1e-6, 3e-6, 1e-5};
        double[] logEta = new double[etas.length], logKl = new double[etas.length];
        double previousGap = Double.POSITIVE_INFINITY;
        for (int k = etas.length - 1; k >= 0; k--) {
            double[][] s = SgldTheory.sigma(LIN, THETA0, etas[k], BATCH, 1e-2, false);
            double gap = rel(s, SIGMA_PO);
            assertTrue(gap < previousGap, "Σ_SGLD → Σ_po");
            previousGap = gap;
            logEta[k] = Math.log(etas[k]);
            logKl[k] = Math.log(GaussianKl.bits(THETA0, s, THETA0, SIGMA_PO));
        }
        double slope = slope(logEta, logKl);
        assertEquals(2, slope, 0.3, "log-log slope of KL(η)");
        // the η² law itself, where KL ≪ 1: the slope between 1e-9 and 1e-8 is 2 to 1%
        double k9 = GaussianKl.bits(THETA0, SgldTheory.sigma(LIN, THETA0, 1e-9, BATCH, 1e-2, false), THETA0, SIGMA_PO);
        double k8 = GaussianKl.bits(THETA0, SgldTheory.sigma(LIN, THETA0, 1e-8, BATCH, 1e-2, false), THETA0, SIGMA_PO);
        assertEquals(2, Math.log10(k8 / k9), 0.02);
    }

    /** Least-squares slope of y on x. */
    static double slope(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) { mx += x[i] / x.length; my += y[i] / y.length; }
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        return sxy / sxx;
    }

    /**
     * SGLD (Fig. 5, left) on the linearised model simulated directly at η = 1e-5: WR minibatches of m = 10 and
     * √(2η)z. For a linear model the discrete form of Eq. 44 is its exact stationary covariance.
     */
    @Test
    void simulatedSgldMatchesTheDiscreteEq44() {
        double eta = 1e-5;
        NessTestSampling.CovarianceBatches est = simulate(eta, 8);
        double zDiscrete = est.maxZ(SgldTheory.sigma(LIN, THETA0, eta, BATCH, 1e-2, true));
        assertTrue(zDiscrete < 4, "discrete Eq. 44 within 4 standard errors: max z = " + zDiscrete);
        double zContinuum = est.maxZ(SgldTheory.sigma(LIN, THETA0, eta, BATCH, 1e-2, false));
        assertTrue(zContinuum > 10, "Eq. 44 as printed misses the O(η) discretisation term: max z = " + zContinuum);
        double zPosterior = est.maxZ(SIGMA_PO);
        assertTrue(zPosterior > 10, "the posterior is not what SGLD samples at η = 1e-5: max z = " + zPosterior);
    }

    /** 2·10⁶ SGLD steps after a burn-in of 2 000, started at θ₀; δθδθᵀ in 200 batches. */
    static NessTestSampling.CovarianceBatches simulate(double eta, long seed) {
        double[] theta = THETA0.clone(), grad = new double[3], d = new double[3];
        int[] idx = NessTestSampling.range(M);
        SplittableRandom rng = new SplittableRandom(seed);
        double sq = Math.sqrt(2 * eta);
        // ηh_min ≈ 0.0095: correlation time ≈ 100 steps
        NessTestSampling.CovarianceBatches est = new NessTestSampling.CovarianceBatches(3, 200, 10_000);
        for (long t = 0; t < est.samples() + 2_000; t++) {
            NessTestSampling.drawBatch(idx, BATCH, rng);
            for (int a = 0; a < 3; a++) grad[a] = 2 * LIN.lambda() * theta[a];
            LIN.addExampleGradients(theta, idx, 0, BATCH, 1.0 / BATCH, grad);
            for (int a = 0; a < 3; a++) theta[a] += -eta * grad[a] + sq * rng.nextGaussian();
            if (t < 2_000) continue; // burn-in
            for (int a = 0; a < 3; a++) d[a] = theta[a] - THETA0[a];
            est.add(d);
        }
        return est;
    }
}
