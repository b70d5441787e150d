package org.speedlimits.linreg;

import java.util.function.DoubleUnaryOperator;
import org.speedlimits.ntk.SymmetricEigen;

/**
 * Test helper: {@link SymmetricEigen} (the project's one symmetric eigensolver) in the shape the exact-solution
 * tests want (ascending eigenvalues, eigenvectors as double[][] columns). It has no solver of its own.
 */
public final class SymEigen {
    /** Eigenvalues, ascending. */
    public final double[] values;
    /** vectors[i][j] = i-th component of the j-th eigenvector (ascending eigenvalues). */
    public final double[][] vectors;

    private SymEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    public static SymEigen of(double[][] matrix) {
        SymmetricEigen.Eigenpairs e = Mat.eigh(matrix);
        double[] descending = e.values();
        double[][] v = Mat.eigenvectors(e);
        int n = descending.length;
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int j = 0; j < n; j++) {
            values[j] = descending[n - 1 - j];
            for (int i = 0; i < n; i++) vectors[i][j] = v[i][n - 1 - j];
        }
        return new SymEigen(values, vectors);
    }

    /** V f(Lambda) V^T for a function applied to the eigenvalues. */
    public double[][] apply(DoubleUnaryOperator f) {
        double[] fv = new double[values.length];
        for (int j = 0; j < values.length; j++) fv[j] = f.applyAsDouble(values[j]);
        return Mat.basisTimesDiagonal(vectors, fv);
    }
}
