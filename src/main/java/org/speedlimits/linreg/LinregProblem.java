package org.speedlimits.linreg;

import java.util.SplittableRandom;

/** One sampled data set: X in R^{d x n} with i.i.d. N(0,1) entries, teacher theta_*, labels y = X^T theta_*. */
public final class LinregProblem {
    public final int d, n;
    public final double[][] x;      // d x n
    public final double[] thetaStar; // d
    public final double[] y;        // n
    public final double[][] k;      // X X^T (d x d)
    public final double[] xy;       // X y (d)

    public LinregProblem(double[][] x, double[] thetaStar) {
        this(x, thetaStar, Mat.gram(x));
    }

    private LinregProblem(double[][] x, double[] thetaStar, double[][] gram) {
        this.d = x.length;
        this.n = x[0].length;
        this.x = x;
        this.thetaStar = thetaStar;
        this.y = Mat.multiplyTransposed(x, thetaStar);
        this.k = gram;
        this.xy = Mat.multiply(x, y);
    }

    /** Same data X (and X X^T), another teacher. */
    public LinregProblem withTeacher(double[] thetaStar) {
        return new LinregProblem(x, thetaStar, k);
    }

    public static LinregProblem generate(int d, int n, double alpha, long seed) {
        if (d <= 0 || n <= 0) throw new IllegalArgumentException("d and n must be positive");
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[d][n];
        for (int i = 0; i < d; i++) for (int j = 0; j < n; j++) x[i][j] = rng.nextGaussian();
        double[] ts = new double[d];
        double sd = Math.sqrt(alpha / d);
        for (int i = 0; i < d; i++) ts[i] = sd * rng.nextGaussian();
        return new LinregProblem(x, ts);
    }

    /** Learning rate eta = 1/n (paper App. C). */
    public double eta() {
        return 1.0 / n;
    }

    /** Weight decay c_d = (lambda + lambda2) d / beta. */
    public double weightDecay(LinregParams p) {
        return p.c() * d;
    }

    /** Potential V = 1/2 |y - X^T theta|^2 + c_d/2 |theta|^2. */
    public double potential(double[] theta, double cd) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            double r = y[j];
            for (int i = 0; i < d; i++) r -= x[i][j] * theta[i];
            s += r * r;
        }
        return 0.5 * s + 0.5 * cd * Mat.dot(theta, theta);
    }
}
