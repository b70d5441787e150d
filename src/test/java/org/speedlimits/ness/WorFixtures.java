package org.speedlimits.ness;

import java.util.Random;
import java.util.function.Consumer;

/** Test-only models, the exact enumeration of WOR epochs, and a little linear algebra for the Wor*Test classes. */
final class WorFixtures {
    private WorFixtures() {}

    /**
     * Calls {@code visit} with batchOf[i] = the step (0…n−1) at which example i is used, once for every ordered
     * partition of M examples into n batches of m (M!/(m!)ⁿ of them, each equally likely under a uniform permutation).
     */
    static void forEachPartition(int m, int bigM, Consumer<int[]> visit) {
        int n = bigM / m;
        int[] batchOf = new int[bigM];
        int[] fill = new int[n];
        assign(0, m, n, batchOf, fill, visit);
    }

    private static void assign(int i, int m, int n, int[] batchOf, int[] fill, Consumer<int[]> visit) {
        if (i == batchOf.length) {
            visit.accept(batchOf);
            return;
        }
        for (int b = 0; b < n; b++) {
            if (fill[b] == m) continue;
            fill[b]++;
            batchOf[i] = b;
            assign(i + 1, m, n, batchOf, fill, visit);
            fill[b]--;
        }
    }

    /** The examples of each step, in index order: batches[t] (length m) from batchOf. */
    static int[] order(int[] batchOf, int m) {
        int n = batchOf.length / m;
        int[] idx = new int[batchOf.length];
        int[] fill = new int[n];
        for (int i = 0; i < batchOf.length; i++) idx[batchOf[i] * m + fill[batchOf[i]]++] = i;
        return idx;
    }

    /** A uniformly random permutation of 0…M−1 (Fisher–Yates). */
    static void shuffle(int[] idx, Random rnd) {
        for (int i = idx.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
    }

    /**
     * One WOR epoch of Eq. B2 from θ (overwritten): n steps θ ← θ − η[(1/m)Σ_{i∈B_t}∇ℓ_i + 2λθ], batch t being
     * idx[t·m … t·m+m−1].
     */
    static void epoch(NessModel model, int m, double eta, int[] idx, double[] theta) {
        int nPar = theta.length, n = idx.length / m;
        double[] g = new double[nPar];
        double lam = model.lambda();
        for (int t = 0; t < n; t++) {
            java.util.Arrays.fill(g, 0);
            model.addExampleGradients(theta, idx, t * m, t * m + m, 1.0 / m, g);
            for (int a = 0; a < nPar; a++) theta[a] -= eta * (g[a] + 2 * lam * theta[a]);
        }
    }

    /** ℓ_i = ½(θ−c_i)ᵀA_i(θ−c_i) with random symmetric A_i (positive definite when {@code definite}). */
    static final class Quadratic implements NessModel {
        final int nPar, bigM;
        final double lam;
        final double[][] a; // a[i] row-major N×N
        final double[][] c;

        Quadratic(int nPar, int bigM, double lam, long seed, boolean definite) {
            this(nPar, bigM, lam, seed, definite, 1.5);
        }

        /** {@code spread}: the scale of the per-example centres c_i. */
        Quadratic(int nPar, int bigM, double lam, long seed, boolean definite, double spread) {
            this.nPar = nPar;
            this.bigM = bigM;
            this.lam = lam;
            Random rnd = new Random(seed);
            a = new double[bigM][nPar * nPar];
            c = new double[bigM][nPar];
            for (int i = 0; i < bigM; i++) {
                double[] r = new double[nPar * nPar];
                for (int k = 0; k < r.length; k++) r[k] = rnd.nextGaussian();
                for (int p = 0; p < nPar; p++)
                    for (int q = 0; q < nPar; q++) {
                        double s = 0;
                        if (definite) {
                            for (int k = 0; k < nPar; k++) s += r[p * nPar + k] * r[q * nPar + k];
                            s = s / nPar + (p == q ? 0.3 : 0);
                        } else {
                            s = 0.5 * (r[p * nPar + q] + r[q * nPar + p]) + (p == q ? 1.0 : 0);
                        }
                        a[i][p * nPar + q] = s;
                    }
                for (int p = 0; p < nPar; p++) c[i][p] = spread * rnd.nextGaussian();
            }
        }

        @Override public int parameters() { return nPar; }
        @Override public int examples() { return bigM; }
        @Override public double lambda() { return lam; }

        @Override public double exampleLoss(double[] th, int i) {
            double s = 0;
            for (int p = 0; p < nPar; p++)
                for (int q = 0; q < nPar; q++) s += (th[p] - c[i][p]) * a[i][p * nPar + q] * (th[q] - c[i][q]);
            return 0.5 * s;
        }

        @Override public void exampleGradient(double[] th, int i, double[] out) {
            for (int p = 0; p < nPar; p++) {
                double s = 0;
                for (int q = 0; q < nPar; q++) s += a[i][p * nPar + q] * (th[q] - c[i][q]);
                out[p] = s;
            }
        }

        @Override public void exampleHessian(double[] th, int i, double[] out) {
            System.arraycopy(a[i], 0, out, 0, nPar * nPar);
        }

        /** θ₀ = argmin 𝓛: (ΣA_i/M + 2λI)θ = ΣA_ic_i/M. */
        double[] minimum() {
            double[] h = new double[nPar * nPar], rhs = new double[nPar];
            for (int i = 0; i < bigM; i++)
                for (int p = 0; p < nPar; p++)
                    for (int q = 0; q < nPar; q++) {
                        h[p * nPar + q] += a[i][p * nPar + q] / bigM;
                        rhs[p] += a[i][p * nPar + q] * c[i][q] / bigM;
                    }
            for (int p = 0; p < nPar; p++) h[p * nPar + p] += 2 * lam;
            return solve(h, rhs, nPar);
        }
    }

    /** The 2-parameter tanh regression ℓ_i = ½(y_i − θ₂ tanh(θ₁x_i))², a small nonlinear test model. */
    static final class Tanh implements NessModel {
        final double[] x, y;
        final double lam;

        Tanh(int bigM, double lam, long seed) {
            Random rnd = new Random(seed);
            x = new double[bigM];
            y = new double[bigM];
            for (int i = 0; i < bigM; i++) {
                x[i] = -1.5 + 3.0 * rnd.nextDouble();
                y[i] = 1.3 * Math.tanh(0.8 * x[i]) + 0.4 * rnd.nextGaussian();
            }
            this.lam = lam;
        }

        @Override public int parameters() { return 2; }
        @Override public int examples() { return x.length; }
        @Override public double lambda() { return lam; }

        @Override public double exampleLoss(double[] th, int i) {
            double r = y[i] - th[1] * Math.tanh(th[0] * x[i]);
            return 0.5 * r * r;
        }

        @Override public void exampleGradient(double[] th, int i, double[] out) {
            double t = Math.tanh(th[0] * x[i]), s = 1 - t * t, r = y[i] - th[1] * t;
            out[0] = -r * th[1] * s * x[i];
            out[1] = -r * t;
        }

        @Override public void exampleHessian(double[] th, int i, double[] out) {
            double xi = x[i], t = Math.tanh(th[0] * xi), s = 1 - t * t, r = y[i] - th[1] * t;
            double f0 = th[1] * s * xi, f1 = t; // ∂f
            double f00 = -2 * th[1] * t * s * xi * xi, f01 = s * xi; // ∂²f
            out[0] = f0 * f0 - r * f00;
            out[1] = f0 * f1 - r * f01;
            out[2] = out[1];
            out[3] = f1 * f1;
        }
    }

    /** Newton on ∇𝓛 from a start (test-side θ₀; analytic Hessian). */
    static double[] minimum(NessModel model, double[] start) {
        int nPar = model.parameters();
        double[] th = start.clone(), g = new double[nPar], h = new double[nPar * nPar];
        for (int it = 0; it < 100; it++) {
            model.gradient(th, g);
            model.hessian(th, h);
            double[] step = solve(h, g, nPar);
            double max = 0;
            for (int a = 0; a < nPar; a++) {
                th[a] -= step[a];
                max = Math.max(max, Math.abs(step[a]));
            }
            if (max < 1e-15) break;
        }
        return th;
    }

    /** Solves A x = b (A row-major k×k) by Gaussian elimination with partial pivoting. */
    static double[] solve(double[] a0, double[] b0, int k) {
        double[] a = a0.clone(), b = b0.clone();
        for (int col = 0; col < k; col++) {
            int p = col;
            for (int r = col + 1; r < k; r++) if (Math.abs(a[r * k + col]) > Math.abs(a[p * k + col])) p = r;
            if (p != col) {
                for (int c = 0; c < k; c++) {
                    double t = a[col * k + c]; a[col * k + c] = a[p * k + c]; a[p * k + c] = t;
                }
                double t = b[col]; b[col] = b[p]; b[p] = t;
            }
            for (int r = col + 1; r < k; r++) {
                double f = a[r * k + col] / a[col * k + col];
                for (int c = col; c < k; c++) a[r * k + c] -= f * a[col * k + c];
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[k];
        for (int r = k - 1; r >= 0; r--) {
            double s = b[r];
            for (int c = r + 1; c < k; c++) s -= a[r * k + c] * x[c];
            x[r] = s / a[r * k + r];
        }
        return x;
    }

    static double maxAbs(double[] v) {
        double s = 0;
        for (double x : v) s = Math.max(s, Math.abs(x));
        return s;
    }

    static double maxAbsDiff(double[] u, double[] v) {
        double s = 0;
        for (int k = 0; k < u.length; k++) s = Math.max(s, Math.abs(u[k] - v[k]));
        return s;
    }

    /** ‖u−v‖_F / ‖v‖_F. */
    static double relFrob(double[] u, double[] v) {
        double d = 0, s = 0;
        for (int k = 0; k < u.length; k++) {
            d += (u[k] - v[k]) * (u[k] - v[k]);
            s += v[k] * v[k];
        }
        return Math.sqrt(d / s);
    }

    static double[] randomPoint(int nPar, double scale, long seed) {
        Random rnd = new Random(seed);
        double[] th = new double[nPar];
        for (int a = 0; a < nPar; a++) th[a] = scale * rnd.nextGaussian();
        return th;
    }
}
