package org.speedlimits.ness;

import java.util.ArrayList;
import java.util.List;

/**
 * Exact stationary mean and covariance of a random affine map θ' = F_j θ + b_j + w, j drawn uniformly from a finite
 * list independently each unit, w ~ N(0, Q) independent: μ = (I − E F)⁻¹ E b, and the second moment S = E θθᵀ
 * solving S = E[F S Fᵀ + F μ bᵀ + b μᵀ Fᵀ + b bᵀ] + Q, a linear system in the N² entries of S (Σ = S − μμᵀ).
 * With quadratic per-example losses one SGD step (or epoch) is such a map for each possible minibatch (or
 * permutation), so enumerating them gives the samplers' stationary moments with no approximation.
 */
final class ExactAffine {
    final int n;
    final List<double[]> maps = new ArrayList<>();
    final List<double[]> shifts = new ArrayList<>();
    double[] noise;

    ExactAffine(int n) {
        this.n = n;
        this.noise = new double[n * n];
    }

    void add(double[] f, double[] b) {
        maps.add(f);
        shifts.add(b);
    }

    double[] mean() {
        int j = maps.size();
        double[] ef = new double[n * n], eb = new double[n];
        for (int i = 0; i < j; i++) {
            ef = Dense.add(ef, maps.get(i), 1.0 / j);
            eb = Dense.add(eb, shifts.get(i), 1.0 / j);
        }
        return Dense.solve(Dense.add(Dense.identity(n), ef, -1), eb, n);
    }

    double[] covariance() {
        int j = maps.size(), k = n * n;
        double[] mu = mean();
        double[] sys = new double[k * k], rhs = noise.clone();
        for (int i = 0; i < j; i++) {
            double[] f = maps.get(i), b = shifts.get(i), fm = Dense.apply(f, mu, n);
            for (int a = 0; a < n; a++)
                for (int c = 0; c < n; c++) {
                    rhs[a * n + c] += (fm[a] * b[c] + b[a] * fm[c] + b[a] * b[c]) / j;
                    for (int p = 0; p < n; p++)
                        for (int q = 0; q < n; q++) sys[(a * n + c) * k + p * n + q] -= f[a * n + p] * f[c * n + q] / j;
                }
        }
        for (int i = 0; i < k; i++) sys[i * k + i] += 1;
        double[] s = Dense.solve(sys, rhs, k);
        for (int a = 0; a < n; a++)
            for (int c = 0; c < n; c++) s[a * n + c] -= mu[a] * mu[c];
        return s;
    }
}
