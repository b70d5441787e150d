package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class LinearizedRegressionTest {
    static final RegressionData DATA = RegressionData.paper(0);
    static final LinearizedRegression MODEL = new LinearizedRegression(DATA);

    @Test
    void gradientsAndHessiansMatchFiniteDifferences() {
        double[] t = {0.4, -1.3, 0.7}, g = new double[3], h = new double[9];
        for (int i : new int[] {-1, 0, 99, 199}) {
            ModelFiniteDifferences.grad(MODEL, t, i, g);
            assertTrue(ModelFiniteDifferences.relativeError(g, ModelFiniteDifferences.gradient(MODEL, t, i, 1e-5)) <= 1e-6);
            if (i < 0) MODEL.hessian(t, h);
            else MODEL.exampleHessian(t, i, h);
            assertTrue(ModelFiniteDifferences.relativeError(h, ModelFiniteDifferences.hessian(MODEL, t, i, 1e-4)) <= 1e-6);
        }
        double[] sum = new double[3], want = new double[3];
        int[] idx = {3, 150, 3};
        MODEL.addExampleGradients(t, idx, 0, 3, 0.5, sum);
        for (int k : idx) {
            MODEL.exampleGradient(t, k, g);
            for (int a = 0; a < 3; a++) want[a] += 0.5 * g[a];
        }
        assertArrayEquals(want, sum, 1e-9);
        // f = θᵀψ with Eq. 39's ψ
        int i = 42;
        double x = DATA.x()[i];
        double f = t[0] * Math.tanh(0.5 - x) + t[1] * Math.tanh(0.5 + x) + t[2];
        assertEquals(200 / 0.02 * Math.pow(DATA.y()[i] - f, 2), MODEL.exampleLoss(t, i), 1e-9);
    }

    @Test
    void newtonMinimumIsTheExactPosterior() {
        Minimum.Result r = Minimum.find(MODEL, Minimum.paperStart(3, 0));
        assertTrue(r.gradientNorm() <= 1e-10);
        double[] theta0 = MODEL.posteriorMean(); // Eq. 43
        assertArrayEquals(theta0, r.theta(), 1e-12);
        double[][] h0 = StationaryState.hessian(MODEL, r.theta());
        double[][] prec = MODEL.posteriorPrecision(); // Eq. 42
        for (int a = 0; a < 3; a++) assertArrayEquals(prec[a], h0[a], 1e-9 * prec[0][0]);
        double[][] prod = org.speedlimits.linreg.Mat.multiply(NessLinalg.inverse(h0), prec);
        for (int a = 0; a < 3; a++) assertArrayEquals(NessLinalg.identity(3)[a], prod[a], 1e-12);
        // Eq. 43 written out: θ₀ = ε⁻²Σ_po Ψy, with Σ_po from the explicit inverse
        double[][] spo = MODEL.posteriorCovariance();
        double[] psiY = new double[3];
        for (int i = 0; i < 200; i++) {
            double[] p = LinearizedRegression.features(DATA.x()[i]);
            for (int a = 0; a < 3; a++) psiY[a] += p[a] * DATA.y()[i] / 0.01;
        }
        assertArrayEquals(org.speedlimits.linreg.Mat.multiply(spo, psiY), theta0, 1e-12);
    }
}
