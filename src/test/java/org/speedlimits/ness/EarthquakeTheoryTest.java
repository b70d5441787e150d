package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.Mat;

class EarthquakeTheoryTest {
    static final TanhRegression MODEL = new TanhRegression(RegressionData.paper(0));
    static final double[][] H0 = StationaryState.hessian(MODEL, Minimum.find(MODEL, Minimum.paperStart(7, 0)).theta());
    static final double ZETA = 1e-4;

    static double rel(double[][] a, double[][] b) {
        return NessLinalg.frobenius(NessLinalg.combine(1, a, -1, b)) / NessLinalg.frobenius(b);
    }

    @Test
    void einsteinRelationHoldsWithBetaTwoOverEtaZetaSquared() {
        double eta = 1e-7;
        double[][] mu = EarthquakeTheory.mobility(H0, eta), d = EarthquakeTheory.diffusion(H0, eta, ZETA);
        assertTrue(rel(NessLinalg.scale(EarthquakeTheory.beta(eta, ZETA), d), mu) < 1e-14, "μ = βD");
        assertTrue(rel(NessLinalg.scale(EarthquakeTheory.printedBeta(eta, ZETA), d), mu) > 0.99, "the printed β fails");
        // the Boltzmann state exp(−β𝓛^quake) has the covariance the Lyapunov relation gives
        StationaryState s = EarthquakeTheory.stationaryState(H0, eta, ZETA);
        assertTrue(rel(EarthquakeTheory.boltzmannSigma(H0, EarthquakeTheory.beta(eta, ZETA)), s.sigma()) < 1e-10);
        assertTrue(rel(EarthquakeTheory.sigma(H0, eta, ZETA), s.sigma()) < 1e-10, "Σ = ½ηζ²H₀ solves Eq. 21");
        assertTrue(rel(EarthquakeTheory.boltzmannSigma(H0, EarthquakeTheory.printedBeta(eta, ZETA)), s.sigma()) > 1e6);
        // equilibrium: C = 0, no entropy production
        assertTrue(NessLinalg.maxAbs(s.circulation()) <= 1e-9 * NessLinalg.maxAbs(s.d0()));
        assertEquals(0, s.entropyProductionPerStep(), 1e-9);
    }

    @Test
    void discreteCovarianceTendsToTheContinuum() {
        for (double eta : new double[] {1e-5, 1e-6, 1e-7}) {
            double gap = rel(EarthquakeTheory.sigmaDiscrete(H0, eta, ZETA), EarthquakeTheory.sigma(H0, eta, ZETA));
            double hMax = NessLinalg.eigh(H0).values()[0];
            assertTrue(gap <= eta * hMax / (2 - eta * hMax), "O(η) gap " + gap);
            assertTrue(gap >= 0.1 * eta * hMax, "but not smaller: " + gap);
        }
    }

    /**
     * The linear map δθ' = (I − ηH₀)δθ − ηζH₀z simulated directly, at ηh_max = 1.2 where the exact discrete
     * covariance and the continuum ½ηζ²H₀ differ by 2.5× on the stiffest mode.
     */
    @Test
    void simulatedLinearMapMatchesTheDiscreteFormula() {
        double eta = 1.2 / NessLinalg.eigh(H0).values()[0];
        NessTestSampling.CovarianceBatches est = simulate(eta, 5);
        double zDiscrete = est.maxZ(EarthquakeTheory.sigmaDiscrete(H0, eta, ZETA));
        assertTrue(zDiscrete < 4, "ηζ²h/(2−ηh) within 4 standard errors per entry: max z = " + zDiscrete);
        double zContinuum = est.maxZ(EarthquakeTheory.sigma(H0, eta, ZETA));
        assertTrue(zContinuum > 10, "the continuum ½ηζ²H₀ is rejected at ηh_max = 1.2: max z = " + zContinuum);
        double zPrinted = est.maxZ(EarthquakeTheory.boltzmannSigma(H0, EarthquakeTheory.printedBeta(eta, ZETA)));
        assertTrue(zPrinted > 1e3, "the printed β is rejected: max z = " + zPrinted);
    }

    /** 4·10⁶ steps of the linear map from a N(0, Σ_discrete) draw; δθδθᵀ in 200 batches. */
    static NessTestSampling.CovarianceBatches simulate(double eta, long seed) {
        int n = 7;
        double[][] a = NessLinalg.combine(1, NessLinalg.identity(n), -eta, H0);
        double[][] b = NessLinalg.scale(-eta * ZETA, H0);
        // slowest mode: ηh_min ≈ 2.3e-3, correlation time ≈ 430 steps; batches of 20 000 steps
        NessTestSampling.CovarianceBatches est = new NessTestSampling.CovarianceBatches(n, 200, 20_000);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] y = new double[n], z = new double[n];
        for (int k = 0; k < n; k++) z[k] = rng.nextGaussian();
        double[] x = Mat.multiply(NessLinalg.cholesky(EarthquakeTheory.sigmaDiscrete(H0, eta, ZETA)), z);
        for (long t = 0; t < est.samples(); t++) {
            for (int k = 0; k < n; k++) z[k] = rng.nextGaussian();
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += a[i][j] * x[j] + b[i][j] * z[j];
                y[i] = s;
            }
            double[] tmp = x;
            x = y;
            y = tmp;
            est.add(x);
        }
        return est;
    }
}
