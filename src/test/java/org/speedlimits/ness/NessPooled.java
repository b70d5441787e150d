package org.speedlimits.ness;

import java.util.function.Function;

/**
 * Test-side helpers for the end-to-end Ness*Test classes: pooling an estimate over the K independent chains of an
 * {@link Ensemble} (equal lengths: the mean of the K estimates, SE = √(Σ_k SE_k²)/K), flattening, and the
 * comparison statistics (relative Frobenius error, z-scores, a diagonal χ²).
 */
final class NessPooled {
    private NessPooled() {}

    /** An estimate (flat) and its standard errors. */
    record Estimate(double[] value, double[] se) {
        double z(int k, double theory) {
            return (value[k] - theory) / se[k];
        }
    }

    /** The chains' estimates pooled: mean over chains, SE = √(ΣSE²)/K. */
    static Estimate pool(Ensemble e, Function<Chain, double[]> value, Function<Chain, double[]> se) {
        int k = e.size();
        double[] v = null, s = null;
        for (int c = 0; c < k; c++) {
            double[] vc = value.apply(e.chain(c)), sc = se.apply(e.chain(c));
            if (v == null) {
                v = new double[vc.length];
                s = new double[vc.length];
            }
            for (int i = 0; i < vc.length; i++) {
                v[i] += vc[i] / k;
                s[i] += sc[i] * sc[i];
            }
        }
        for (int i = 0; i < s.length; i++) s[i] = Math.sqrt(s[i]) / k;
        return new Estimate(v, s);
    }

    static double[] flat(double[][] a) {
        int n = a.length;
        double[] f = new double[n * n];
        for (int i = 0; i < n; i++) System.arraycopy(a[i], 0, f, i * n, n);
        return f;
    }

    static double[][] square(double[] f) {
        return NessLinalg.square(f, (int) Math.round(Math.sqrt(f.length)));
    }

    /** ‖a − b‖_F / ‖b‖_F. */
    static double relFrobenius(double[] a, double[] b) {
        double d = 0, n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            n += b[i] * b[i];
        }
        return Math.sqrt(d / n);
    }

    /** √(Σ SE²) / ‖b‖_F: the relative Frobenius error that the sampling noise alone produces, typically. */
    static double relFrobeniusNoise(double[] se, double[] b) {
        double d = 0, n = 0;
        for (int i = 0; i < se.length; i++) {
            d += se[i] * se[i];
            n += b[i] * b[i];
        }
        return Math.sqrt(d / n);
    }

    /** Euclidean norm. */
    static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    /** Σ over the strict upper triangle of ((x − theory)/SE)² (N(N−1)/2 terms, for antisymmetric matrices). */
    static double chi2Upper(Estimate x, double[] theory, int n) {
        double s = 0;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                double z = x.z(a * n + b, theory[a * n + b]);
                s += z * z;
            }
        return s;
    }

    /** uᵀ A u for a flat N×N A. */
    static double quadratic(double[] a, double[] u) {
        int n = u.length;
        double q = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) q += u[i] * a[i * n + j] * u[j];
        return q;
    }

    /** Column j of an eigenvector matrix (vectors[i][j] = i-th component of the j-th vector). */
    static double[] column(double[][] v, int j) {
        double[] c = new double[v.length];
        for (int i = 0; i < v.length; i++) c[i] = v[i][j];
        return c;
    }

    static String fmt(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) s.append(i == 0 ? "" : ", ").append(String.format("%.4g", v[i]));
        return s.append(']').toString();
    }
}
