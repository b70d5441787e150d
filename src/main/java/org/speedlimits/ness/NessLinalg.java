package org.speedlimits.ness;

import java.util.function.DoubleBinaryOperator;
import java.util.function.UnaryOperator;
import org.speedlimits.linreg.Mat;
import org.speedlimits.ntk.SymmetricEigen;

/**
 * The small dense linear algebra of paper 003's theory, on double[][] (m[row][col]); products, transposes and traces
 * are {@link Mat}'s. Symmetric eigenproblems go to the project's one solver ({@link Mat#eigh}); everything else here
 * is plain Java for N ≤ a few dozen.
 */
public final class NessLinalg {
    private NessLinalg() {}

    /** A symmetric matrix's eigenpairs: values descending, vectors[i][j] = i-th component of the j-th eigenvector. */
    public record Eigen(double[] values, double[][] vectors) {
        /** Oᵀ A O: a matrix in this eigenbasis. */
        public double[][] toEigenbasis(double[][] a) {
            return Mat.multiply(Mat.transpose(vectors), Mat.multiply(a, vectors));
        }

        /** O B Oᵀ: back from this eigenbasis. */
        public double[][] fromEigenbasis(double[][] b) {
            return Mat.multiply(vectors, Mat.multiply(b, Mat.transpose(vectors)));
        }
    }

    /** Eigendecomposition A = O diag(h) Oᵀ of a symmetric matrix (Mat.eigh: asymmetry above 1e-9 is rejected). */
    public static Eigen eigh(double[][] a) {
        SymmetricEigen.Eigenpairs e = Mat.eigh(a);
        return new Eigen(e.values(), Mat.eigenvectors(e));
    }

    /**
     * The solution of a Sylvester-type equation that is diagonal in A's eigenbasis: X = O X̃ Oᵀ with
     * X̃_ab = (OᵀQO)_ab / g(h_a, h_b). With g = h_a + h_b this solves AX + XA = Q (Eq. 23); other g give the
     * discrete-time relations of {@link StationaryState}.
     */
    public static double[][] solveInEigenbasis(Eigen a, double[][] q, DoubleBinaryOperator g) {
        double[][] qt = a.toEigenbasis(q);
        double[] h = a.values();
        for (int i = 0; i < h.length; i++)
            for (int j = 0; j < h.length; j++) qt[i][j] /= g.applyAsDouble(h[i], h[j]);
        return symmetrize(a.fromEigenbasis(qt));
    }

    /** Eq. 23: the solution X of AX + XA = Q for symmetric positive-definite A and symmetric Q. */
    public static double[][] lyapunov(double[][] a, double[][] q) {
        return solveInEigenbasis(eigh(a), q, Double::sum);
    }

    /** x solving A x = b, by Gaussian elimination with partial pivoting (A is not modified). */
    public static double[] solve(double[][] a, double[] b) {
        double[][] col = new double[b.length][1];
        for (int i = 0; i < b.length; i++) col[i][0] = b[i];
        double[][] x = solve(a, col);
        double[] out = new double[b.length];
        for (int i = 0; i < b.length; i++) out[i] = x[i][0];
        return out;
    }

    /** X solving A X = B (several right-hand sides), Gaussian elimination with partial pivoting; fails if singular. */
    public static double[][] solve(double[][] a, double[][] b) {
        int n = a.length, k = b[0].length;
        double[][] m = copy(a), x = copy(b);
        double scale = 0;
        for (double[] row : m) for (double v : row) scale = Math.max(scale, Math.abs(v));
        for (int p = 0; p < n; p++) {
            int piv = p;
            for (int i = p + 1; i < n; i++) if (Math.abs(m[i][p]) > Math.abs(m[piv][p])) piv = i;
            if (!(Math.abs(m[piv][p]) > 1e-14 * scale))
                throw new ArithmeticException("matrix is singular to working precision at column " + p);
            double[] t = m[p]; m[p] = m[piv]; m[piv] = t;
            t = x[p]; x[p] = x[piv]; x[piv] = t;
            for (int i = p + 1; i < n; i++) {
                double f = m[i][p] / m[p][p];
                if (f == 0) continue;
                for (int j = p; j < n; j++) m[i][j] -= f * m[p][j];
                for (int j = 0; j < k; j++) x[i][j] -= f * x[p][j];
            }
        }
        for (int p = n - 1; p >= 0; p--)
            for (int j = 0; j < k; j++) {
                double s = x[p][j];
                for (int c = p + 1; c < n; c++) s -= m[p][c] * x[c][j];
                x[p][j] = s / m[p][p];
            }
        return x;
    }

    /**
     * X solving 𝒜(X) = Q for a linear map 𝒜 on n×n matrices (e.g. Eq. 44's X ↦ η(H₀X + XH₀) − 𝓗_{D'}X): 𝒜 is
     * tabulated on the n² unit matrices and the n²×n² system solved by {@link #solve(double[][], double[])}.
     */
    public static double[][] solveLinearMatrixEquation(UnaryOperator<double[][]> op, double[][] q) {
        int n = q.length, nn = n * n;
        double[][] a = new double[nn][nn];
        for (int k = 0; k < nn; k++) {
            double[][] unit = new double[n][n];
            unit[k / n][k % n] = 1;
            double[][] image = op.apply(unit);
            for (int r = 0; r < nn; r++) a[r][k] = image[r / n][r % n];
        }
        double[] rhs = new double[nn];
        for (int r = 0; r < nn; r++) rhs[r] = q[r / n][r % n];
        double[] x = solve(a, rhs);
        double[][] out = new double[n][n];
        for (int r = 0; r < nn; r++) out[r / n][r % n] = x[r];
        return out;
    }

    /** A⁻¹ (Gaussian elimination with partial pivoting). */
    public static double[][] inverse(double[][] a) {
        return solve(a, identity(a.length));
    }

    /** The lower Cholesky factor L (A = L Lᵀ) of a symmetric positive-definite matrix; fails if A is not SPD. */
    public static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) {
                    if (!(s > 0)) throw new ArithmeticException("matrix is not positive definite (pivot " + i + ")");
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        return l;
    }

    /** ln det A of a symmetric positive-definite A, from its Cholesky factor. */
    public static double logDetSpd(double[][] a) {
        double[][] l = cholesky(a);
        double s = 0;
        for (int i = 0; i < l.length; i++) s += Math.log(l[i][i]);
        return 2 * s;
    }

    /** The N×N identity. */
    public static double[][] identity(int n) {
        double[][] e = new double[n][n];
        for (int i = 0; i < n; i++) e[i][i] = 1;
        return e;
    }

    /** A deep copy. */
    public static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    /** a A + b B. */
    public static double[][] combine(double a, double[][] x, double b, double[][] y) {
        double[][] out = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++)
            for (int j = 0; j < x[0].length; j++) out[i][j] = a * x[i][j] + b * y[i][j];
        return out;
    }

    /** a A. */
    public static double[][] scale(double a, double[][] x) {
        double[][] out = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++)
            for (int j = 0; j < x[0].length; j++) out[i][j] = a * x[i][j];
        return out;
    }

    /** ½(A + Aᵀ), in place; returns A. */
    public static double[][] symmetrize(double[][] a) {
        for (int i = 0; i < a.length; i++)
            for (int j = i + 1; j < a.length; j++) {
                double s = 0.5 * (a[i][j] + a[j][i]);
                a[i][j] = s;
                a[j][i] = s;
            }
        return a;
    }

    /** A row-major n×n array as double[n][n]. */
    public static double[][] square(double[] rowMajor, int n) {
        if (rowMajor.length != n * n) throw new IllegalArgumentException("expected " + n * n + " entries");
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = java.util.Arrays.copyOfRange(rowMajor, i * n, (i + 1) * n);
        return a;
    }

    /** max_ij |A_ij|. */
    public static double maxAbs(double[][] a) {
        double m = 0;
        for (double[] row : a) for (double v : row) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** The Frobenius norm ‖A‖_F. */
    public static double frobenius(double[][] a) {
        double s = 0;
        for (double[] row : a) for (double v : row) s += v * v;
        return Math.sqrt(s);
    }
}
