package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SymEigenTest {
    @Test
    void reconstructsRandomSymmetricMatrix() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 60;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) { a[i][j] = rng.nextGaussian(); a[j][i] = a[i][j]; }
        SymEigen e = SymEigen.of(a);
        double[][] rec = e.apply(x -> x);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) assertEquals(a[i][j], rec[i][j], 1e-10);
        double[][] vtv = Mat.multiply(Mat.transpose(e.vectors), e.vectors);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) assertEquals(i == j ? 1 : 0, vtv[i][j], 1e-10);
        for (int i = 1; i < n; i++) assertTrue(e.values[i] >= e.values[i - 1]);
        double tr = 0;
        for (double v : e.values) tr += v;
        assertEquals(Mat.trace(a), tr, 1e-9);
    }

    @Test
    void knownTwoByTwo() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3
        SymEigen e = SymEigen.of(new double[][]{{2, 1}, {1, 2}});
        assertEquals(1, e.values[0], 1e-14);
        assertEquals(3, e.values[1], 1e-14);
        assertEquals(Math.abs(e.vectors[0][1]), Math.sqrt(0.5), 1e-14);
    }

    @Test
    void rejectsAsymmetric() {
        assertThrows(IllegalArgumentException.class, () -> SymEigen.of(new double[][]{{1, 2}, {0, 1}}));
    }
}
