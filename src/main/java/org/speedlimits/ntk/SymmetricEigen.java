package org.speedlimits.ntk;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.function.UnaryOperator;

/**
 * Eigenpairs of real symmetric float64 matrices: all of them by LAPACK's divide-and-conquer {@code dsyevd}
 * (OpenBLAS through bytedeco, the library ND4J itself links), or the top k of an implicitly given operator by
 * Lanczos with full reorthogonalisation (for kernels too large to store). Values are returned in descending order
 * and vectors as the columns of an [n, count] array in the same order.
 */
public final class SymmetricEigen {
    private static final int LAPACK_ROW_MAJOR = 101;

    /** Eigenvalues (descending) and the matching unit eigenvectors as columns (null when not requested). */
    public record Eigenpairs(double[] values, INDArray vectors) {
    }

    private SymmetricEigen() {
    }

    /** dsyevd workspace in doubles for an n x n problem with eigenvectors (LAPACK: 1 + 6n + 2n^2) plus the matrix. */
    public static long dsyevdBytes(long n) {
        return 8L * (n * n + 1 + 6 * n + 2 * n * n + n) + 4L * (3 + 5 * n);
    }

    /**
     * All eigenpairs of the symmetric matrix a (only its upper triangle is read); a is overwritten.
     */
    public static Eigenpairs dsyevd(INDArray a) {
        if (a.dataType() != DataType.DOUBLE || a.rank() != 2 || a.size(0) != a.size(1)) {
            throw new IllegalArgumentException("dsyevd needs a square float64 matrix, got " + a.dataType() + " "
                    + java.util.Arrays.toString(a.shape()));
        }
        INDArray m = a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
        int n = (int) m.size(0);
        INDArray w = Nd4j.create(DataType.DOUBLE, n);
        int info = openblas.LAPACKE_dsyevd(LAPACK_ROW_MAJOR, (byte) 'V', (byte) 'U', n,
                new DoublePointer(m.data().pointer()), n, new DoublePointer(w.data().pointer()));
        if (info != 0) {
            throw new IllegalStateException("LAPACKE_dsyevd failed with info = " + info + " (n = " + n + ")");
        }
        double[] ascending = w.toDoubleVector();
        double[] values = new double[n];
        long[] order = new long[n];
        for (int k = 0; k < n; k++) {
            values[k] = ascending[n - 1 - k];
            order[k] = n - 1 - k;
        }
        INDArray vectors = m.get(NDArrayIndex.all(), NDArrayIndex.indices(order)).dup('c');
        return new Eigenpairs(values, vectors);
    }

    /**
     * The k largest eigenpairs of a symmetric positive semi-definite operator on R^n by Lanczos with full
     * reorthogonalisation ({@code steps} Krylov vectors, at least k; more steps, better convergence).
     *
     * @param op maps an [n] float64 vector to op(v)
     */
    public static Eigenpairs lanczos(UnaryOperator<INDArray> op, int n, int k, int steps, long seed) {
        int m = Math.min(n, Math.max(steps, k));
        INDArray q = Nd4j.create(DataType.DOUBLE, m + 1, n);
        double[] alpha = new double[m];
        double[] beta = new double[m];
        q.putRow(0, NtkMath.unitGaussian(n, seed));
        int used = m;
        for (int j = 0; j < m; j++) {
            INDArray qj = q.getRow(j);
            INDArray w = op.apply(qj.dup()).reshape(n).dup();
            alpha[j] = w.mul(qj).sumNumber().doubleValue();
            // full reorthogonalisation against every previous vector, twice (classical Gram-Schmidt "twice is enough")
            INDArray basis = q.get(NDArrayIndex.interval(0, j + 1), NDArrayIndex.all());
            for (int pass = 0; pass < 2; pass++) {
                INDArray coeff = basis.mmul(w.reshape(n, 1));
                w.subi(basis.transpose().mmul(coeff).reshape(n));
            }
            beta[j] = w.norm2Number().doubleValue();
            if (j == m - 1) {
                break;
            }
            if (beta[j] <= 1e-12 * Math.max(Math.abs(alpha[j]), 1e-300)) { // invariant subspace found
                used = j + 1;
                break;
            }
            q.putRow(j + 1, w.divi(beta[j]));
        }
        INDArray t = Nd4j.create(DataType.DOUBLE, used, used);
        for (int j = 0; j < used; j++) {
            t.putScalar(j, j, alpha[j]);
            if (j + 1 < used) {
                t.putScalar(j, j + 1, beta[j]);
                t.putScalar(j + 1, j, beta[j]);
            }
        }
        Eigenpairs small = dsyevd(t);
        int count = Math.min(k, used);
        double[] values = java.util.Arrays.copyOf(small.values(), count);
        INDArray y = small.vectors().get(NDArrayIndex.all(), NDArrayIndex.interval(0, count));
        INDArray vectors = q.get(NDArrayIndex.interval(0, used), NDArrayIndex.all()).transpose().mmul(y);
        return new Eigenpairs(values, vectors.dup('c'));
    }
}
