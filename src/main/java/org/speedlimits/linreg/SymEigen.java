package org.speedlimits.linreg;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Eigendecomposition of a real symmetric matrix by the cyclic Jacobi method (float64).
 * Adequate and robust for the sizes used here (d up to a few hundred): cost ~ 1.5 d^3 per sweep,
 * typically 6-10 sweeps. Eigenvalues are returned in ascending order, eigenvectors as the columns
 * of {@link #vectors} (so {@code A = V diag(values) V^T}).
 */
public final class SymEigen {
    public final double[] values;
    /** vectors[i][j] = i-th component of the j-th eigenvector. */
    public final double[][] vectors;

    private SymEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    public static SymEigen of(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) throw new IllegalArgumentException("matrix is not square");
            a[i] = matrix[i].clone();
            for (int j = 0; j < n; j++) scale += a[i][j] * a[i][j];
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (Math.abs(a[i][j] - a[j][i]) > 1e-9 * Math.sqrt(scale) + 1e-300)
                    throw new IllegalArgumentException("matrix is not symmetric at (" + i + "," + j + ")");
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) v[i][i] = 1;
        double tol = 1e-30 * scale;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
            if (off <= tol || off == 0) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (apq == 0) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = theta == 0 ? 1.0
                            : Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) { // A <- A P (columns p, q)
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    double[] rp = a[p], rq = a[q];
                    for (int k = 0; k < n; k++) { // A <- P^T A (rows p, q)
                        double apk = rp[k], aqk = rq[k];
                        rp[k] = c * apk - s * aqk;
                        rq[k] = s * apk + c * aqk;
                    }
                    a[p][q] = 0;
                    a[q][p] = 0;
                    for (int k = 0; k < n; k++) { // V <- V P
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        final double[][] fa = a;
        Arrays.sort(order, Comparator.comparingDouble(i -> fa[i][i]));
        double[] vals = new double[n];
        double[][] vecs = new double[n][n];
        for (int j = 0; j < n; j++) {
            vals[j] = a[order[j]][order[j]];
            for (int i = 0; i < n; i++) vecs[i][j] = v[i][order[j]];
        }
        return new SymEigen(vals, vecs);
    }

    /** V f(Lambda) V^T for a function applied to the eigenvalues. */
    public double[][] apply(java.util.function.DoubleUnaryOperator f) {
        int n = values.length;
        double[] fv = new double[n];
        for (int j = 0; j < n; j++) fv[j] = f.applyAsDouble(values[j]);
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int k = i; k < n; k++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += vectors[i][j] * fv[j] * vectors[k][j];
                out[i][k] = s;
                out[k][i] = s;
            }
        return out;
    }
}
