package org.speedlimits.ntk;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.function.UnaryOperator;

/**
 * Eigenpairs of real symmetric float64 matrices: all of them by LAPACK's divide and conquer (dsytrd + dstedc
 * as in {@code dsyevd}, OpenBLAS through bytedeco, the library ND4J itself links; see {@link #eigh} for why not
 * dsyevd itself), or the top k of an implicitly given operator by
 * Lanczos with full reorthogonalisation (for kernels too large to store). Values are returned in descending order
 * and vectors as the columns of an [n, count] array in the same order.
 */
public final class SymmetricEigen {
    private static final int LAPACK_COL_MAJOR = 102;

    /** Eigenvalues (descending) and the matching unit eigenvectors as columns (null when not requested). */
    public record Eigenpairs(double[] values, INDArray vectors) {
    }

    private SymmetricEigen() {
    }

    /**
     * Peak bytes of {@link #eigh} for an n x n matrix: the matrix (reflectors), Z, dstedc's workspace (about n^2),
     * the result and the back-transformation's n x 64 panels (about 4 n^2 doubles; n^2 kept in reserve).
     */
    public static long eighBytes(long n) {
        return org.speedlimits.config.NtkBudget.denseBytes(n); // defined in config: ConfigValidator checks it up front
    }

    /**
     * All eigenpairs of the symmetric float64 matrix a (its lower triangle is read; a is overwritten): LAPACK's
     * dsytrd (tridiagonal reduction) and dstedc (divide and conquer), as in dsyevd, with the back-transformation
     * V = Q Z done here by blocked Householder products (compact WY) in GEMMs.
     *
     * <p>Why not dsyevd itself: OpenBLAS 0.3.19 (the version ND4J M2.1 ships) computes {@code dtrmm} wrongly on
     * AVX-512 CPUs whose core type it auto-detects (this project's machines: Xeon with avx512ifma/vbmi), and dsyevd's
     * back-transformation (dormtr/dlarfb) uses dtrmm, so its eigenvectors are wrong for n of about 100 and more while
     * its eigenvalues are right (measured; OPENBLAS_CORETYPE=Haswell avoids it). dsytrd, dstedc and dgemm are right.
     */
    public static Eigenpairs eigh(INDArray a) {
        if (a.dataType() != DataType.DOUBLE || a.rank() != 2 || a.size(0) != a.size(1)) {
            throw new IllegalArgumentException("eigh needs a square float64 matrix, got " + a.dataType() + " "
                    + java.util.Arrays.toString(a.shape()));
        }
        INDArray m = a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
        int n = (int) m.size(0);
        INDArray d = Nd4j.create(DataType.DOUBLE, n);
        INDArray e = Nd4j.create(DataType.DOUBLE, Math.max(1, n - 1));
        INDArray tau = Nd4j.create(DataType.DOUBLE, Math.max(1, n - 1));
        // symmetric, so the row-major buffer read as column-major is the same matrix; 'L' stores the reflectors
        // v_i (i = 0..n-2) below the subdiagonal of column i, i.e. in row i of the c-order array
        check("dsytrd", openblas.LAPACKE_dsytrd(LAPACK_COL_MAJOR, (byte) 'L', n, ptr(m), n, ptr(d), ptr(e), ptr(tau)), n);
        INDArray w = Nd4j.create(DataType.DOUBLE, n, n); // column-major Z = c-order Z^T: row k = eigenvector k of T
        check("dstedc", openblas.LAPACKE_dstedc(LAPACK_COL_MAJOR, (byte) 'I', n, ptr(d), ptr(e), ptr(w), n), n);
        backTransform(w, m, tau.toDoubleVector(), n);
        double[] ascending = d.toDoubleVector();
        double[] values = new double[n];
        for (int k = 0; k < n; k++) {
            values[k] = ascending[n - 1 - k];
        }
        return new Eigenpairs(values, descendingColumns(w, n));
    }

    /**
     * The rows of w (eigenvectors, ascending eigenvalues) as the columns of a c-order [n, n] array in descending
     * order, i.e. out[i, n-1-k] = w[k, i]: a tiled transposition (64 rows of w at a time) between native buffers,
     * so no n^2 Java arrays and no cache-hostile strided loop.
     */
    private static INDArray descendingColumns(INDArray w, int n) {
        INDArray out = Nd4j.create(DataType.DOUBLE, n, n);
        DoublePointer src = ptr(w);
        DoublePointer dst = ptr(out);
        int tile = 64;
        double[] rows = new double[tile * n];
        double[] segment = new double[tile];
        for (int k0 = 0; k0 < n; k0 += tile) {
            int t = Math.min(tile, n - k0);
            src.position((long) k0 * n).get(rows, 0, t * n);
            int firstColumn = n - k0 - t; // rows k0 .. k0+t-1 become columns n-1-k0 down to n-k0-t
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < t; j++) {
                    segment[t - 1 - j] = rows[j * n + i];
                }
                dst.position((long) i * n + firstColumn).put(segment, 0, t);
            }
        }
        return out;
    }

    /**
     * W <- W Q^T with Q = H(0) H(1) ... H(n-2) (rows of W: eigenvectors of T become eigenvectors of A), one block
     * of b reflectors at a time from the last: H(j0)...H(j1-1) = I - V T V^T (forward, columnwise T as LAPACK's
     * dlarft), so W <- W - ((W V) T^T) V^T on the columns the block touches. Three cblas_dgemm calls per block on
     * the raw buffers (no ND4J views: strided views made every block copy W, 4x the time of the GEMMs themselves).
     */
    private static void backTransform(INDArray w, INDArray reflectors, double[] tau, int n) {
        int count = n - 1;
        if (count <= 0) {
            return;
        }
        int block = 64;
        DoublePointer stored = ptr(reflectors);
        DoublePointer wBase = ptr(w);
        try (DoublePointer v = new DoublePointer((long) block * n);
             DoublePointer gram = new DoublePointer((long) block * block);
             DoublePointer tPtr = new DoublePointer((long) block * block);
             DoublePointer x1 = new DoublePointer((long) n * block);
             DoublePointer x2 = new DoublePointer((long) n * block)) {
            double[] row = new double[n];
            double[] g = new double[block * block];
            for (int j0 = ((count - 1) / block) * block; j0 >= 0; j0 -= block) {
                int b = Math.min(count, j0 + block) - j0;
                int c0 = j0 + 1;
                int len = n - c0;
                // V: b x len, row j = reflector j0 + j on columns c0..n-1 (1 at i + 1, stored entries after it)
                for (int j = 0; j < b; j++) {
                    int i = j0 + j;
                    java.util.Arrays.fill(row, 0, len, 0.0);
                    row[i + 1 - c0] = 1.0;
                    int tail = n - (i + 2);
                    if (tail > 0) {
                        stored.position((long) i * n + i + 2).get(row, i + 2 - c0, tail);
                    }
                    v.position((long) j * len).put(row, 0, len);
                }
                v.position(0);
                stored.position(0);
                gemm(false, true, b, b, len, 1.0, v, len, v, len, 0.0, gram, b);
                gram.get(g, 0, b * b);
                double[] t = new double[b * b]; // upper triangular, row-major
                for (int j = 0; j < b; j++) {
                    double tj = tau[j0 + j];
                    t[j * b + j] = tj;
                    for (int i = 0; i < j; i++) {
                        double sum = 0;
                        for (int l = i; l < j; l++) {
                            sum += t[i * b + l] * g[l * b + j];
                        }
                        t[i * b + j] = -tj * sum;
                    }
                }
                tPtr.put(t, 0, b * b);
                DoublePointer cols = new DoublePointer(wBase).position(c0); // W[:, c0:n], leading dimension n
                gemm(false, true, n, b, len, 1.0, cols, n, v, len, 0.0, x1, b);    // X1 = W V^T
                gemm(false, true, n, b, b, 1.0, x1, b, tPtr, b, 0.0, x2, b);       // X2 = X1 T^T
                gemm(false, false, n, len, b, -1.0, x2, b, v, len, 1.0, cols, n);  // W -= X2 V
            }
        }
    }

    /** Row-major C = alpha op(A) op(B) + beta C (OpenBLAS dgemm; its dtrmm is avoided, see {@link #eigh}). */
    private static void gemm(boolean transA, boolean transB, int m, int nCols, int k, double alpha, DoublePointer a,
                             int lda, DoublePointer b, int ldb, double beta, DoublePointer c, int ldc) {
        openblas.cblas_dgemm(101, transA ? 112 : 111, transB ? 112 : 111, m, nCols, k, alpha, a, lda, b, ldb, beta,
                c, ldc);
    }

    private static DoublePointer ptr(INDArray a) {
        return new DoublePointer(a.data().pointer());
    }

    private static void check(String routine, int info, int n) {
        if (info != 0) {
            throw new IllegalStateException("LAPACKE_" + routine + " failed with info = " + info + " (n = " + n + ")");
        }
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
        Eigenpairs small = eigh(t);
        int count = Math.min(k, used);
        double[] values = java.util.Arrays.copyOf(small.values(), count);
        INDArray y = small.vectors().get(NDArrayIndex.all(), NDArrayIndex.interval(0, count));
        INDArray vectors = q.get(NDArrayIndex.interval(0, used), NDArrayIndex.all()).transpose().mmul(y);
        return new Eigenpairs(values, vectors.dup('c'));
    }
}
