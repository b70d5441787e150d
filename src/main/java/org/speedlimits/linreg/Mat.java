package org.speedlimits.linreg;

import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.ntk.SymmetricEigen;

/** Small dense float64 helpers on double[][] (row-major: m[row][col]). */
public final class Mat {
    private Mat() {}

    /**
     * All eigenpairs of a real symmetric matrix by the project's one symmetric eigensolver,
     * {@link SymmetricEigen#eigh} (LAPACK dsytrd + dstedc): eigenvalues in descending order, unit eigenvectors as the
     * columns of {@code vectors()} in the same order (A = V diag(values) V^T). That solver reads only the lower
     * triangle, so an asymmetric matrix (relative asymmetry above 1e-9) is rejected here rather than silently
     * symmetrised. {@code a} is not modified.
     */
    public static SymmetricEigen.Eigenpairs eigh(double[][] a) {
        int n = a.length;
        double scale = 0;
        for (double[] row : a) {
            if (row.length != n) throw new IllegalArgumentException("matrix is not square");
            for (double v : row) scale += v * v;
        }
        double tol = 1e-9 * Math.sqrt(scale) + 1e-300;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (!(Math.abs(a[i][j] - a[j][i]) <= tol))
                    throw new IllegalArgumentException("matrix is not symmetric at (" + i + "," + j + ")");
        return SymmetricEigen.eigh(Nd4j.createFromArray(a)); // a fresh float64 copy: eigh overwrites its input
    }

    /** The eigenvalues of a symmetric matrix, descending (see {@link #eigh}). */
    public static double[] eigenvalues(double[][] a) {
        return eigh(a).values();
    }

    /** vectors[i][j] = i-th component of the j-th eigenvector (descending eigenvalues). */
    public static double[][] eigenvectors(SymmetricEigen.Eigenpairs e) {
        INDArray v = e.vectors();
        if (v.ordering() != 'c' || v.isView()) v = v.dup('c');
        int rows = (int) v.size(0), cols = (int) v.size(1);
        double[] flat = v.data().asDouble(); // one bulk copy (toDoubleMatrix reads element by element)
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) out[i] = java.util.Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        return out;
    }

    /** V f(Lambda) V^T: a function of the symmetric matrix whose eigenpairs are {@code e}. */
    public static double[][] apply(SymmetricEigen.Eigenpairs e, DoubleUnaryOperator f) {
        double[] values = e.values();
        double[] fv = new double[values.length];
        for (int j = 0; j < values.length; j++) fv[j] = f.applyAsDouble(values[j]);
        return basisTimesDiagonal(eigenvectors(e), fv);
    }

    /** U diag(v) U^T (symmetric), with u[i][l] the i-th component of the l-th basis vector. */
    public static double[][] basisTimesDiagonal(double[][] u, double[] v) {
        int n = u.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int k = i; k < n; k++) {
                double s = 0;
                for (int l = 0; l < v.length; l++) s += u[i][l] * v[l] * u[k][l];
                out[i][k] = s;
                out[k][i] = s;
            }
        return out;
    }

    /** f(A) = V f(Lambda) V^T for a symmetric matrix A. */
    public static double[][] apply(double[][] a, DoubleUnaryOperator f) {
        return apply(eigh(a), f);
    }

    public static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length, m = b[0].length, k = b.length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] ci = c[i], ai = a[i];
            for (int l = 0; l < k; l++) {
                double ail = ai[l];
                if (ail == 0) continue;
                double[] bl = b[l];
                for (int j = 0; j < m; j++) ci[j] += ail * bl[j];
            }
        }
        return c;
    }

    public static double[] multiply(double[][] a, double[] x) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int j = 0; j < x.length; j++) s += a[i][j] * x[j];
            y[i] = s;
        }
        return y;
    }

    /** a^T x. */
    public static double[] multiplyTransposed(double[][] a, double[] x) {
        double[] y = new double[a[0].length];
        for (int i = 0; i < a.length; i++) {
            double xi = x[i];
            for (int j = 0; j < y.length; j++) y[j] += a[i][j] * xi;
        }
        return y;
    }

    /** X X^T for X of shape d x n. */
    public static double[][] gram(double[][] x) {
        int d = x.length;
        double[][] g = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++) {
                double s = 0;
                double[] xi = x[i], xj = x[j];
                for (int k = 0; k < xi.length; k++) s += xi[k] * xj[k];
                g[i][j] = s;
                g[j][i] = s;
            }
        return g;
    }

    public static double trace(double[][] a) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i][i];
        return s;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    public static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) t[j][i] = a[i][j];
        return t;
    }
}
