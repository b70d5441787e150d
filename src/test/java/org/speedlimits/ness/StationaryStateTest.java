package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.Mat;

class StationaryStateTest {
    static final TanhRegression MODEL = new TanhRegression(RegressionData.paper(0));
    static final double[] THETA0 = Minimum.find(MODEL, Minimum.paperStart(7, 0)).theta();
    static final double ETA = 1e-7;
    static final int BATCH = 10;

    static double rel(double[][] a, double[][] b) {
        return NessLinalg.frobenius(NessLinalg.combine(1, a, -1, b)) / NessLinalg.frobenius(b);
    }

    @Test
    void sigmaSolvesTheLyapunovRelation() {
        StationaryState s = StationaryState.wr(MODEL, THETA0, ETA, BATCH);
        double[][] h = s.h0(), sig = s.sigma();
        double[][] lhs = NessLinalg.combine(1, Mat.multiply(h, sig), 1, Mat.multiply(sig, h));
        double[][] rhs = NessLinalg.scale(2 / ETA, s.d0());
        assertTrue(NessLinalg.maxAbs(NessLinalg.combine(1, lhs, -1, rhs)) <= 1e-10 * NessLinalg.maxAbs(rhs),
                "Eq. 21 residual");
        assertTrue(NessLinalg.eigh(sig).values()[6] > 0, "Σ positive definite");
        // Eq. 22: tr⟨∇𝓛 δθᵀ⟩ = tr(H₀Σ) = η⁻¹ tr D₀
        assertEquals(Mat.trace(s.d0()) / ETA, Mat.trace(Mat.multiply(h, sig)), 1e-10 * Mat.trace(s.d0()) / ETA);
    }

    @Test
    void circulationFromEq25EqualsEq24AndIsAntisymmetricAndNonzero() {
        StationaryState s = StationaryState.wr(MODEL, THETA0, ETA, BATCH);
        double[][] c = s.circulation(), c24 = s.circulationEq24();
        double scale = NessLinalg.maxAbs(s.d0());
        assertTrue(NessLinalg.maxAbs(NessLinalg.combine(1, c, -1, c24)) <= 1e-9 * scale);
        assertTrue(NessLinalg.maxAbs(NessLinalg.combine(1, c, 1, Mat.transpose(c))) == 0, "antisymmetric");
        assertTrue(NessLinalg.maxAbs(c) > 1e-3 * scale, "SGD is out of equilibrium: C ≠ 0");
    }

    @Test
    void velocityFieldIsEq3AndItsCurrentIsDivergenceFree() {
        StationaryState s = StationaryState.wr(MODEL, THETA0, ETA, BATCH);
        double[] dt = {1e-3, -2e-3, 5e-4, 0, 1e-3, 7e-4, -3e-4};
        // Eq. 3 with ∇Φ = Σ⁻¹δθ, μ∇𝓛 = ηH₀δθ and ∇·D₀ = 0
        double[] eq3 = Mat.multiply(NessLinalg.combine(1, Mat.multiply(s.d0(), s.sigmaInverse()), -ETA, s.h0()), dt);
        double[] v = s.velocity(dt);
        double norm = Math.sqrt(Mat.dot(eq3, eq3));
        for (int a = 0; a < 7; a++) assertEquals(eq3[a], v[a], 1e-9 * norm);
        // ∇·(vP) = P (tr V − δθᵀVᵀΣ⁻¹δθ) = 0 for all δθ: tr V = 0 and VᵀΣ⁻¹ antisymmetric
        double[][] vm = s.velocityMatrix(), q = Mat.multiply(Mat.transpose(vm), s.sigmaInverse());
        double vScale = NessLinalg.maxAbs(vm);
        assertEquals(0, Mat.trace(vm), 1e-9 * vScale);
        assertTrue(NessLinalg.maxAbs(NessLinalg.combine(1, q, 1, Mat.transpose(q))) <= 1e-9 * NessLinalg.maxAbs(q));
    }

    @Test
    void entropyProductionAgreesWithTwoIndependentForms() {
        StationaryState s = StationaryState.wr(MODEL, THETA0, ETA, BATCH);
        double sigma = s.entropyProductionPerStep();
        assertTrue(sigma > 0, "second law for an NESS: " + sigma);
        // continuum: ⟨vᵀD⁻¹v⟩ over P^s = tr(Vᵀ D⁻¹ V Σ)
        double[][] v = s.velocityMatrix();
        double cont = Mat.trace(Mat.multiply(Mat.multiply(Mat.transpose(v), s.diffusionInverse()), Mat.multiply(v, s.sigma())));
        assertEquals(cont, sigma, 1e-8 * sigma);
        // Eq. 27's increment averaged over the linear map: E[v(θ_k)·D⁻¹(−ηH₀δθ_k)] = −η tr(C D⁻¹ H₀)
        double ito = -ETA * Mat.trace(Mat.multiply(Mat.multiply(s.circulation(), s.diffusionInverse()), s.h0()));
        assertEquals(ito, sigma, 1e-6 * sigma);
    }

    /** Negative control for C ≠ 0: with D₀ = kI the Einstein relation μ = ηI = βD₀ holds (β = η/k). */
    @Test
    void einsteinRelationGivesBoltzmannEquilibrium() {
        double[][] h = StationaryState.hessian(MODEL, THETA0);
        double k = 1e-12;
        StationaryState s = new StationaryState(h, NessLinalg.scale(k, NessLinalg.identity(7)), ETA);
        assertTrue(NessLinalg.maxAbs(s.circulation()) <= 1e-10 * k);
        assertEquals(0, s.entropyProductionPerStep(), 1e-12);
        // P^s ∝ exp(−β𝓛): Σ = β⁻¹H₀⁻¹
        assertTrue(rel(s.sigma(), NessLinalg.scale(k / ETA, NessLinalg.inverse(h))) < 1e-10);
    }

    @Test
    void discreteCovarianceIsTheMapsFixedPointAndTendsToTheContinuumAtOrderEta() {
        double[] rel = new double[3];
        double[] etas = {1e-6, 1e-7, 1e-8};
        for (int k = 0; k < 3; k++) {
            StationaryState s = StationaryState.wr(MODEL, THETA0, etas[k], BATCH);
            double[][] sd = s.sigmaDiscrete();
            double[][] a = NessLinalg.combine(1, NessLinalg.identity(7), -etas[k], s.h0());
            double[][] fixed = NessLinalg.combine(1, Mat.multiply(Mat.multiply(a, sd), a), 2, s.d0());
            assertTrue(rel(fixed, sd) < 1e-10, "Σ = (I−ηH₀)Σ(I−ηH₀) + 2D₀");
            rel[k] = rel(sd, s.sigma());
            double hMax = s.hessianEigenvalues()[0];
            assertTrue(rel[k] <= etas[k] * hMax, "relative gap ≤ ηh_max: " + rel[k]);
        }
        assertEquals(10, rel[0] / rel[1], 0.2, "O(η)");
        assertEquals(10, rel[1] / rel[2], 0.02, "O(η)");
    }
}
