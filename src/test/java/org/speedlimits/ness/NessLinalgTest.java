package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.Mat;

class NessLinalgTest {
    static double[][] random(int n, long seed) {
        Random r = new Random(seed);
        double[][] a = new double[n][n];
        for (double[] row : a) for (int j = 0; j < n; j++) row[j] = r.nextGaussian();
        return a;
    }

    /** A Aᵀ + n I: symmetric positive definite. */
    static double[][] spd(int n, long seed) {
        double[][] a = random(n, seed);
        double[][] s = Mat.multiply(a, Mat.transpose(a));
        for (int i = 0; i < n; i++) s[i][i] += n;
        return s;
    }

    static double maxDiff(double[][] a, double[][] b) {
        return NessLinalg.maxAbs(NessLinalg.combine(1, a, -1, b));
    }

    @Test
    void solveAndInverse() {
        double[][] a = random(6, 1);
        a[0][0] = 0; // needs a row swap
        double[] x = {1, -2, 3, 0.5, -0.25, 4};
        double[] b = Mat.multiply(a, x);
        assertArrayEquals(x, NessLinalg.solve(a, b), 1e-12);
        double[][] inv = NessLinalg.inverse(a);
        assertTrue(maxDiff(NessLinalg.identity(6), Mat.multiply(a, inv)) < 1e-12);
        double[][] singular = {{1, 2}, {2, 4}};
        assertThrows(ArithmeticException.class, () -> NessLinalg.inverse(singular));
    }

    @Test
    void choleskyAndLogDetAgreeWithEigenvalues() {
        double[][] s = spd(7, 2);
        double[][] l = NessLinalg.cholesky(s);
        assertTrue(maxDiff(s, Mat.multiply(l, Mat.transpose(l))) < 1e-12);
        double ld = 0;
        for (double v : NessLinalg.eigh(s).values()) ld += Math.log(v);
        assertEquals(ld, NessLinalg.logDetSpd(s), 1e-12 * Math.abs(ld));
        assertThrows(ArithmeticException.class, () -> NessLinalg.cholesky(new double[][] {{1, 2}, {2, 1}}));
    }

    @Test
    void eighReconstructsAndIsDescending() {
        double[][] s = spd(5, 3);
        NessLinalg.Eigen e = NessLinalg.eigh(s);
        double[][] d = new double[5][5];
        for (int i = 0; i < 5; i++) d[i][i] = e.values()[i];
        assertTrue(maxDiff(s, e.fromEigenbasis(d)) < 1e-12);
        assertTrue(maxDiff(d, e.toEigenbasis(s)) < 1e-12);
        for (int i = 1; i < 5; i++) assertTrue(e.values()[i] <= e.values()[i - 1]);
    }

    @Test
    void lyapunovSolutionSatisfiesItsEquation() {
        // condition number ~1e3, like the regression H₀
        double[][] a = spd(7, 4);
        for (int i = 0; i < 7; i++) a[i][i] += i * 300;
        double[][] q = spd(7, 5);
        double[][] x = NessLinalg.lyapunov(a, q);
        double[][] res = NessLinalg.combine(1, NessLinalg.combine(1, Mat.multiply(a, x), 1, Mat.multiply(x, a)), -1, q);
        assertTrue(NessLinalg.maxAbs(res) <= 1e-10 * NessLinalg.maxAbs(q), "residual " + NessLinalg.maxAbs(res));
        // the same X from the general n²×n² solver
        double[][] y = NessLinalg.solveLinearMatrixEquation(
                z -> NessLinalg.combine(1, Mat.multiply(a, z), 1, Mat.multiply(z, a)), q);
        assertTrue(maxDiff(x, y) <= 1e-12 * NessLinalg.maxAbs(x));
        // negative control: AX alone is not Q
        assertTrue(maxDiff(Mat.multiply(a, x), q) > 0.1 * NessLinalg.maxAbs(q));
    }

    @Test
    void linearMatrixEquationWithNonSymmetricOperator() {
        double[][] a = random(4, 6), b = random(4, 7), q = random(4, 8);
        double[][] x = NessLinalg.solveLinearMatrixEquation(
                z -> NessLinalg.combine(1, Mat.multiply(a, z), 1, Mat.multiply(z, b)), q);
        double[][] back = NessLinalg.combine(1, Mat.multiply(a, x), 1, Mat.multiply(x, b));
        assertTrue(maxDiff(back, q) < 1e-10);
    }
}
