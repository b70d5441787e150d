package org.speedlimits.ness;

/**
 * Small dense linear algebra for the tests' closed forms (row-major n×n arrays), written out plainly and
 * independently of the code under test.
 */
final class Dense {
    private Dense() {
    }

    static double[] identity(int n) {
        double[] i = new double[n * n];
        for (int a = 0; a < n; a++) i[a * n + a] = 1;
        return i;
    }

    static double[] multiply(double[] x, double[] y, int n) {
        double[] z = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int c = 0; c < n; c++)
                for (int b = 0; b < n; b++) z[a * n + b] += x[a * n + c] * y[c * n + b];
        return z;
    }

    static double[] apply(double[] x, double[] v, int n) {
        double[] y = new double[n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) y[a] += x[a * n + b] * v[b];
        return y;
    }

    static double[] transpose(double[] x, int n) {
        double[] t = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) t[b * n + a] = x[a * n + b];
        return t;
    }

    static double[] add(double[] x, double[] y, double s) {
        double[] z = x.clone();
        for (int i = 0; i < z.length; i++) z[i] += s * y[i];
        return z;
    }

    static double[] scale(double[] x, double s) {
        double[] z = x.clone();
        for (int i = 0; i < z.length; i++) z[i] *= s;
        return z;
    }

    /** Solves A x = b (A k×k row-major) by Gaussian elimination with partial pivoting. */
    static double[] solve(double[] a, double[] b, int k) {
        double[] m = a.clone(), x = b.clone();
        for (int c = 0; c < k; c++) {
            int p = c;
            for (int r = c + 1; r < k; r++) if (Math.abs(m[r * k + c]) > Math.abs(m[p * k + c])) p = r;
            if (p != c) {
                for (int j = 0; j < k; j++) {
                    double t = m[c * k + j];
                    m[c * k + j] = m[p * k + j];
                    m[p * k + j] = t;
                }
                double t = x[c];
                x[c] = x[p];
                x[p] = t;
            }
            for (int r = c + 1; r < k; r++) {
                double f = m[r * k + c] / m[c * k + c];
                if (f == 0) continue;
                for (int j = c; j < k; j++) m[r * k + j] -= f * m[c * k + j];
                x[r] -= f * x[c];
            }
        }
        for (int r = k - 1; r >= 0; r--) {
            double s = x[r];
            for (int j = r + 1; j < k; j++) s -= m[r * k + j] * x[j];
            x[r] = s / m[r * k + r];
        }
        return x;
    }

    static double[] inverse(double[] a, int n) {
        double[] inv = new double[n * n];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            double[] col = solve(a, e, n);
            for (int i = 0; i < n; i++) inv[i * n + j] = col[i];
        }
        return inv;
    }

    /** Σ solving the discrete Lyapunov equation Σ = FΣFᵀ + Q, via (I − F⊗F) vec Σ = vec Q. */
    static double[] lyapunov(double[] f, double[] q, int n) {
        int k = n * n;
        double[] sys = new double[k * k];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                for (int c = 0; c < n; c++)
                    for (int d = 0; d < n; d++) sys[(a * n + b) * k + c * n + d] -= f[a * n + c] * f[b * n + d];
        for (int i = 0; i < k; i++) sys[i * k + i] += 1;
        return solve(sys, q, k);
    }

    /** The lower Cholesky factor L of a symmetric positive definite A (LLᵀ = A), for drawing correlated noise. */
    static double[] cholesky(double[] a, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = i == j ? Math.sqrt(s) : s / l[j * n + j];
            }
        }
        return l;
    }
}
