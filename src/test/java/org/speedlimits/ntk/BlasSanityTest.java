package org.speedlimits.ntk;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float64 GEMMs behind every NTK Gram matrix (A·B and A·Aᵀ through ND4J's OpenBLAS) against a naive product: the
 * bundled OpenBLAS 0.3.19 has known wrong AVX-512 float64 kernels (dtrmm), so the ones the project relies on are
 * checked on the machine that runs the tests, at sizes where blocked kernels are used.
 */
class BlasSanityTest {
    @Test
    void float64GemmMatchesANaiveProduct() {
        int n = 400;
        Nd4j.getRandom().setSeed(1);
        INDArray a = Nd4j.randn(DataType.DOUBLE, n, n);
        INDArray b = Nd4j.randn(DataType.DOUBLE, n, n);
        double[][] x = a.toDoubleMatrix();
        double[][] y = b.toDoubleMatrix();
        INDArray ab = a.mmul(b);
        INDArray aat = a.mmul(a.transpose());
        double errAb = 0;
        double errAat = 0;
        for (int i = 0; i < n; i += 3) {
            for (int j = 0; j < n; j += 5) {
                double s = 0;
                double t = 0;
                for (int k = 0; k < n; k++) {
                    s += x[i][k] * y[k][j];
                    t += x[i][k] * x[j][k];
                }
                errAb = Math.max(errAb, Math.abs(s - ab.getDouble(i, j)));
                errAat = Math.max(errAat, Math.abs(t - aat.getDouble(i, j)));
            }
        }
        // entries are O(sqrt(n)) = 20; rounding of a 400-term sum is ~1e-13
        assertTrue(errAb < 1e-10, "A·B max error " + errAb);
        assertTrue(errAat < 1e-10, "A·Aᵀ max error " + errAat);
    }
}
