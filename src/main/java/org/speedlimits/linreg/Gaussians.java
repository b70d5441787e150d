package org.speedlimits.linreg;

/** Gaussian fits and the Wasserstein-2 distance between Gaussians (float64). */
public final class Gaussians {
    private Gaussians() {}

    /**
     * Squared W2 distance between N(m1, S1) and N(m2, S2):
     * {@code |m1-m2|^2 + Tr S1 + Tr S2 - 2 Tr (S1^{1/2} S2 S1^{1/2})^{1/2}} (Dowson & Landau 1982; Givens & Shortt 1984).
     */
    public static double w2Squared(double[] m1, double[][] s1, double[] m2, double[][] s2) {
        double dm = 0;
        for (int i = 0; i < m1.length; i++) dm += (m1[i] - m2[i]) * (m1[i] - m2[i]);
        double[][] r = Mat.apply(s1, x -> Math.sqrt(Math.max(x, 0)));
        double[][] m = Mat.multiply(Mat.multiply(r, s2), r);
        symmetrize(m);
        double cross = 0;
        for (double ev : Mat.eigenvalues(m)) cross += Math.sqrt(Math.max(ev, 0));
        return Math.max(0, dm + Mat.trace(s1) + Mat.trace(s2) - 2 * cross);
    }

    /** 1-D closed form: (m1-m2)^2 + (sigma1-sigma2)^2. */
    public static double w2Squared1d(double m1, double sd1, double m2, double sd2) {
        return (m1 - m2) * (m1 - m2) + (sd1 - sd2) * (sd1 - sd2);
    }

    static void symmetrize(double[][] m) {
        for (int i = 0; i < m.length; i++)
            for (int j = i + 1; j < m.length; j++) {
                double s = 0.5 * (m[i][j] + m[j][i]);
                m[i][j] = s;
                m[j][i] = s;
            }
    }

    /** Mean of the selected rows (samples[r] is one d-vector). rows == null means all. */
    public static double[] mean(double[][] samples, int[] rows) {
        int d = samples[0].length;
        double[] m = new double[d];
        int cnt = 0;
        for (int idx = 0; idx < (rows == null ? samples.length : rows.length); idx++) {
            double[] x = samples[rows == null ? idx : rows[idx]];
            for (int i = 0; i < d; i++) m[i] += x[i];
            cnt++;
        }
        for (int i = 0; i < d; i++) m[i] /= cnt;
        return m;
    }

    /** Unbiased sample covariance of the selected rows. */
    public static double[][] covariance(double[][] samples, int[] rows, double[] mean) {
        int d = samples[0].length;
        double[][] c = new double[d][d];
        int cnt = rows == null ? samples.length : rows.length;
        double[] dx = new double[d];
        for (int idx = 0; idx < cnt; idx++) {
            double[] x = samples[rows == null ? idx : rows[idx]];
            for (int i = 0; i < d; i++) dx[i] = x[i] - mean[i];
            for (int i = 0; i < d; i++) {
                double di = dx[i];
                double[] ci = c[i];
                for (int j = i; j < d; j++) ci[j] += di * dx[j];
            }
        }
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++) {
                c[i][j] /= (cnt - 1);
                c[j][i] = c[i][j];
            }
        return c;
    }

    /** ln det of a symmetric positive-definite matrix. */
    public static double logDet(double[][] s) {
        double ld = 0;
        for (double ev : Mat.eigenvalues(s)) {
            if (ev <= 0) throw new IllegalArgumentException("matrix not positive definite (eigenvalue " + ev + ")");
            ld += Math.log(ev);
        }
        return ld;
    }
}
