package org.speedlimits.ness;

import java.util.SplittableRandom;

/** Test-side Monte Carlo helpers: minibatch draws and batch-means estimates of a stationary covariance. */
final class NessTestSampling {
    private NessTestSampling() {}

    /** Puts a uniform set of m distinct indices of 0..M−1 into idx[0..m) (partial Fisher–Yates; idx is a permutation). */
    static void drawBatch(int[] idx, int m, SplittableRandom rng) {
        for (int k = 0; k < m; k++) {
            int j = k + rng.nextInt(idx.length - k);
            int t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
        }
    }

    /** 0, 1, …, n−1. */
    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** Accumulates δθδθᵀ about a known mean in consecutive batches; the batch means give the standard errors. */
    static final class CovarianceBatches {
        private final int n, batchLength, batches;
        private final double[][] current, sum, sumSq;
        private int inBatch, done;

        CovarianceBatches(int n, int batches, int batchLength) {
            this.n = n;
            this.batches = batches;
            this.batchLength = batchLength;
            current = new double[n][n];
            sum = new double[n][n];
            sumSq = new double[n][n];
        }

        /** Total samples wanted. */
        long samples() {
            return (long) batches * batchLength;
        }

        void add(double[] d) {
            for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) current[a][b] += d[a] * d[b];
            if (++inBatch == batchLength) {
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++) {
                        double v = current[a][b] / batchLength;
                        sum[a][b] += v;
                        sumSq[a][b] += v * v;
                        current[a][b] = 0;
                    }
                inBatch = 0;
                done++;
            }
        }

        double[][] mean() {
            return NessLinalg.scale(1.0 / done, sum);
        }

        double[][] standardError() {
            double[][] se = new double[n][n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) {
                    double m = sum[a][b] / done;
                    se[a][b] = Math.sqrt(Math.max(0, sumSq[a][b] / done - m * m) / (done - 1));
                }
            return se;
        }

        /** max over entries of |theory − estimate| / SE. */
        double maxZ(double[][] theory) {
            double[][] m = mean(), se = standardError();
            double z = 0;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) z = Math.max(z, Math.abs(theory[a][b] - m[a][b]) / se[a][b]);
            return z;
        }
    }
}
