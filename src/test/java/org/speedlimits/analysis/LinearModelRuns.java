package org.speedlimits.analysis;

import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.io.Npy;
import org.speedlimits.linreg.SymEigen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongToDoubleFunction;

/**
 * Synthetic run directories of a linear model f(x_i) = theta^T phi_i (K outputs) trained by exact gradient flow on
 * L = c/2 sum_i |f_i - y_i|^2, sampled at t = eta * epoch. The solution is computed in WEIGHT space (eigenbasis of
 * Phi^T Phi, p x p), independently of the function-space (n x n Gram) formulas of NtkTheory:
 * theta(t) = theta_0 - sum_j u_j u_j^T g_0 (1 - e^{-c s_j t}) / (c s_j), g_0 = c Phi^T r_0, and the path length is
 * integrated numerically from |dtheta/dt| = |e^{-c Phi^T Phi t} g_0|.
 */
final class LinearModelRuns {
    final int n, p, k;
    final double c, eta;
    final String loss;
    final double[][] phi;
    final double[][] y;
    private final SymEigen weightSpace;

    LinearModelRuns(int n, int p, int k, String loss, double eta, long dataSeed) {
        this.n = n;
        this.p = p;
        this.k = k;
        this.loss = loss;
        this.c = loss.equals("mean") ? 1.0 / n : 1.0;
        this.eta = eta;
        Random rnd = new Random(dataSeed);
        phi = new double[n][p];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < p; j++) phi[i][j] = rnd.nextGaussian() * Math.pow(j + 1, -0.8);
        y = new double[n][k];
        for (int i = 0; i < n; i++) y[i][rnd.nextInt(k)] = 1;
        double[][] gram = new double[p][p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
                for (int i = 0; i < n; i++) gram[a][b] += phi[i][a] * phi[i][b];
        weightSpace = SymEigen.of(gram);
    }

    double[][] theta0(long seed) {
        Random rnd = new Random(1000 + seed);
        double[][] t = new double[p][k];
        for (double[] row : t) for (int a = 0; a < k; a++) row[a] = rnd.nextGaussian() * 0.7;
        return t;
    }

    double[][] residue(double[][] theta) {
        double[][] r = new double[n][k];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++) {
                double f = 0;
                for (int j = 0; j < p; j++) f += phi[i][j] * theta[j][a];
                r[i][a] = f - y[i][a];
            }
        return r;
    }

    double loss(double[][] theta) {
        double s = 0;
        for (double[] row : residue(theta)) for (double v : row) s += v * v;
        return 0.5 * c * s;
    }

    /** g_0 projected on the weight-space eigenvectors: coef[j][a] = u_j^T g0_a. */
    private double[][] g0Coefficients(double[][] theta0) {
        double[][] r = residue(theta0);
        double[][] coef = new double[p][k];
        for (int j = 0; j < p; j++)
            for (int a = 0; a < k; a++) {
                double s = 0;
                for (int q = 0; q < p; q++) {
                    double g = 0;
                    for (int i = 0; i < n; i++) g += phi[i][q] * r[i][a];
                    s += weightSpace.vectors[q][j] * c * g;
                }
                coef[j][a] = s;
            }
        return coef;
    }

    double[][] theta(double[][] theta0, double t) {
        double[][] coef = g0Coefficients(theta0);
        double[][] th = new double[p][k];
        for (int q = 0; q < p; q++) th[q] = theta0[q].clone();
        for (int j = 0; j < p; j++) {
            double rate = c * weightSpace.values[j];
            if (rate <= 1e-12 * c * weightSpace.values[p - 1]) continue; // null space: g0 has no component there
            double factor = -Math.expm1(-rate * t) / rate;
            for (int q = 0; q < p; q++)
                for (int a = 0; a < k; a++) th[q][a] -= weightSpace.vectors[q][j] * coef[j][a] * factor;
        }
        return th;
    }

    double speed(double[][] coef, double t) {
        double s = 0;
        for (int j = 0; j < p; j++)
            for (int a = 0; a < k; a++) {
                double v = coef[j][a] * Math.exp(-c * weightSpace.values[j] * t);
                s += v * v;
            }
        return Math.sqrt(s);
    }

    static double dist2(double[][] a, double[][] b) {
        double s = 0;
        for (int q = 0; q < a.length; q++) for (int i = 0; i < a[q].length; i++) s += (a[q][i] - b[q][i]) * (a[q][i] - b[q][i]);
        return s;
    }

    /** The n x n Gram Phi Phi^T eigenpairs, eigenvalues descending, and proj2_k = sum_a (v_k^T r_a)^2. */
    double[][] ntkTable(double[][] theta) {
        double[][] gram = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int l = 0; l < n; l++)
                for (int j = 0; j < p; j++) gram[i][l] += phi[i][j] * phi[l][j];
        SymEigen e = SymEigen.of(gram);
        double[][] r = residue(theta);
        double norm2 = 0;
        for (double[] row : r) for (double v : row) norm2 += v * v;
        double[][] table = new double[n][4];
        double cum = 0;
        for (int row = 0; row < n; row++) {
            int col = n - 1 - row; // descending
            double proj2 = 0;
            for (int a = 0; a < k; a++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += e.vectors[i][col] * r[i][a];
                proj2 += dot * dot;
            }
            cum += proj2 / norm2;
            table[row] = new double[]{e.values[col], proj2, proj2 / norm2, cum};
        }
        return table;
    }

    /** Options of one synthetic run directory. */
    record Spec(long seed, long epochs, long[] anchors, long[] ntkEpochs, LongToDoubleFunction testAccuracy, String state) {
    }

    /** Writes a complete run directory and returns it. */
    Path write(Path dir, Spec spec) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), "experiment: synthetic\nseed: " + spec.seed() + "\ndata:\n  n_train: " + n
                + "\nmodel:\n  type: linear\ntrain:\n  epochs: " + spec.epochs() + "\n  lr: " + eta + "\n  loss: " + loss
                + "\noutput:\n  run_id: " + dir.getFileName() + "\n");
        Files.writeString(dir.resolve("status.json"), "{\"state\": \"" + spec.state() + "\", \"epoch\": " + spec.epochs()
                + ", \"epochs\": " + spec.epochs() + "}\n");
        double[][] theta0 = theta0(spec.seed());
        double[][] coef = g0Coefficients(theta0);
        StringBuilder header = new StringBuilder("epoch,time,train_loss,train_acc,test_loss,test_acc,grad_norm2,dist2_init,path_length");
        for (long s : spec.anchors()) header.append(",dist2_anchor_").append(s);
        List<String> lines = new ArrayList<>(List.of(header.toString()));
        StringBuilder triplets = new StringBuilder("epoch");
        int[] idx = new int[18];
        for (int i = 0; i < idx.length; i++) idx[i] = (i * 7) % (p * k);
        for (int i = 0; i < idx.length; i++) triplets.append(",t").append(i / 3 + 1).append('_').append(idx[i]);
        triplets.append('\n');
        double[][][] anchorTheta = new double[spec.anchors().length][][];
        for (int a = 0; a < anchorTheta.length; a++) anchorTheta[a] = theta(theta0, eta * spec.anchors()[a]);
        double length = 0;
        for (long e = 0; e <= spec.epochs(); e++) {
            double t = eta * e;
            if (e > 0) length += simpson(coef, eta * (e - 1), t);
            double[][] th = theta(theta0, t);
            double acc = spec.testAccuracy().applyAsDouble(e);
            StringBuilder line = new StringBuilder().append(e).append(',').append(t).append(',').append(loss(th)).append(",0.5,,")
                    .append(Double.isNaN(acc) ? "" : Double.toString(acc)).append(",,").append(dist2(th, theta0)).append(',').append(length);
            for (int a = 0; a < anchorTheta.length; a++) {
                line.append(',').append(e >= spec.anchors()[a] ? Double.toString(dist2(th, anchorTheta[a])) : "");
            }
            lines.add(line.toString());
            triplets.append(e);
            for (int i : idx) triplets.append(',').append(th[i / k][i % k]);
            triplets.append('\n');
        }
        Files.write(dir.resolve("metrics.csv"), lines);
        Files.writeString(dir.resolve("triplets.csv"), triplets);
        if (spec.ntkEpochs().length > 0) {
            Files.createDirectories(dir.resolve("ntk"));
            for (long e : spec.ntkEpochs()) {
                Npy.write(dir.resolve("ntk").resolve("epoch_" + e + ".npy"), Nd4j.create(ntkTable(theta(theta0, eta * e))));
            }
        }
        return dir;
    }

    private double simpson(double[][] coef, double a, double b) {
        int m = 16;
        double h = (b - a) / m, s = speed(coef, a) + speed(coef, b);
        for (int i = 1; i < m; i++) s += (i % 2 == 1 ? 4 : 2) * speed(coef, a + i * h);
        return s * h / 3;
    }
}
