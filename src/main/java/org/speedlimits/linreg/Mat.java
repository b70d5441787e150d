package org.speedlimits.linreg;

/** Small dense float64 helpers on double[][] (row-major: m[row][col]). */
public final class Mat {
    private Mat() {}

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
