package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.speedlimits.ntk.SymmetricEigen;

/**
 * What SymEigenTest checked of linreg's former Jacobi solver, now against the shared solver
 * ({@link SymmetricEigen#eigh} through the double[][] adapter {@link Mat#eigh}), at linreg's tolerances.
 */
class EigenTest {
    static double[][] randomSymmetric(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) { a[i][j] = rng.nextGaussian(); a[j][i] = a[i][j]; }
        return a;
    }

    @Test
    void reconstructsRandomSymmetricMatrix() {
        int n = 60;
        double[][] a = randomSymmetric(n, 3);
        double[][] copy = new double[n][];
        for (int i = 0; i < n; i++) copy[i] = a[i].clone();
        SymmetricEigen.Eigenpairs e = Mat.eigh(a);
        for (int i = 0; i < n; i++) assertArrayEquals(copy[i], a[i], "input is not modified");
        double[][] rec = Mat.apply(e, x -> x);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) assertEquals(a[i][j], rec[i][j], 1e-10);
        double[][] v = Mat.eigenvectors(e);
        double[][] vtv = Mat.multiply(Mat.transpose(v), v);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) assertEquals(i == j ? 1 : 0, vtv[i][j], 1e-10);
        double[] values = e.values();
        for (int i = 1; i < n; i++) assertTrue(values[i] <= values[i - 1], "descending");
        double tr = 0;
        for (double x : values) tr += x;
        assertEquals(Mat.trace(a), tr, 1e-9);
        // A v_j = lambda_j v_j column by column
        for (int j = 0; j < n; j++) {
            double[] col = new double[n];
            for (int i = 0; i < n; i++) col[i] = v[i][j];
            double[] av = Mat.multiply(a, col);
            for (int i = 0; i < n; i++) assertEquals(values[j] * col[i], av[i], 1e-10);
        }
    }

    @Test
    void largerThanTheOpenBlasDtrmmThreshold() {
        // SymmetricEigen avoids dsyevd because its eigenvectors are wrong from n ~ 100 on some CPUs: check n = 240
        // (the size MarchenkoPasturTest uses) reconstructs too
        int n = 240;
        double[][] a = randomSymmetric(n, 11);
        double[][] rec = Mat.apply(a, x -> x);
        double worst = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) worst = Math.max(worst, Math.abs(a[i][j] - rec[i][j]));
        assertTrue(worst < 1e-9, "max reconstruction error " + worst);
    }

    @Test
    void knownTwoByTwo() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 (descending)
        SymmetricEigen.Eigenpairs e = Mat.eigh(new double[][]{{2, 1}, {1, 2}});
        assertEquals(3, e.values()[0], 1e-14);
        assertEquals(1, e.values()[1], 1e-14);
        assertEquals(Math.sqrt(0.5), Math.abs(Mat.eigenvectors(e)[0][1]), 1e-14);
        assertArrayEquals(new double[]{5}, Mat.eigenvalues(new double[][]{{5}}), 0, "1 x 1");
    }

    @Test
    void functionOfMatrix() {
        double[][] a = Mat.gram(randomSymmetric(12, 5)); // positive definite
        double[][] r = Mat.apply(a, Math::sqrt);
        double[][] rr = Mat.multiply(r, r);
        for (int i = 0; i < 12; i++) for (int j = 0; j < 12; j++) assertEquals(a[i][j], rr[i][j], 1e-9 * (1 + Math.abs(a[i][j])));
    }

    @Test
    void rejectsAsymmetric() {
        // the shared solver reads only the lower triangle; the adapter refuses rather than silently symmetrising
        assertThrows(IllegalArgumentException.class, () -> Mat.eigh(new double[][]{{1, 2}, {0, 1}}));
        assertThrows(IllegalArgumentException.class, () -> Mat.eigh(new double[][]{{1, 2}}));
    }

    @SuppressWarnings("deprecation")
    @Test
    void deprecatedSymEigenViewIsAscendingAndAgrees() {
        double[][] a = randomSymmetric(20, 7);
        SymEigen old = SymEigen.of(a);
        double[] desc = Mat.eigenvalues(a);
        for (int i = 0; i < 20; i++) assertEquals(desc[19 - i], old.values[i], 1e-12);
        double[][] rec = old.apply(x -> x);
        for (int i = 0; i < 20; i++) for (int j = 0; j < 20; j++) assertEquals(a[i][j], rec[i][j], 1e-10);
    }
}
