package org.speedlimits.analysis;

import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.SymEigen;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * NtkTheory's closed forms against RK4 integration of the linearised dynamics on a random PSD kernel
 * Theta = A A^T: dtheta/dt = -c A^T (A theta - y) for K outputs (so df/dt = -c Theta r), with the path length
 * integrated alongside as dl/dt = |dtheta/dt|.
 */
class NtkTheoryTest {

    @Test
    void closedFormsMatchRk4IntegrationOfTheLinearisedDynamics() {
        int n = 10, p = 14, k = 3;
        double c = 1.0 / n;
        Random rnd = new Random(3);
        double[][] a = new double[n][p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) a[i][j] = rnd.nextGaussian() * Math.pow(j + 1, -1.0);
        double[][] r0 = new double[n][k];
        for (double[] row : r0) for (int o = 0; o < k; o++) row[o] = rnd.nextGaussian();
        // spectrum and projections of the n x n kernel
        double[][] theta = new double[n][n];
        for (int i = 0; i < n; i++) for (int l = 0; l < n; l++) for (int j = 0; j < p; j++) theta[i][l] += a[i][j] * a[l][j];
        SymEigen e = SymEigen.of(theta);
        double[] lambda = new double[n], proj2 = new double[n];
        for (int q = 0; q < n; q++) {
            lambda[q] = e.values[q];
            for (int o = 0; o < k; o++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += e.vectors[i][q] * r0[i][o];
                proj2[q] += dot * dot;
            }
        }
        NtkTheory theory = new NtkTheory(lambda, proj2, c);

        // RK4 on the state (delta theta [p x k], path length); f - y = r0 + A delta theta
        double rateMax = c * e.values[n - 1], rateMin = c * e.values[0];
        double tEnd = 3 / rateMin, h = 0.02 / rateMax;
        double[] checkpoints = {0.3 / rateMax, 3 / rateMax, 0.1 / rateMin, 1 / rateMin, tEnd};
        double[] state = new double[p * k + 1];
        double t = 0;
        int next = 0;
        double[] times = checkpoints.clone();
        double[] rkLength = new double[checkpoints.length], rkDist2 = new double[checkpoints.length], rkDrop = new double[checkpoints.length];
        double loss0 = loss(a, r0, new double[p * k + 1], c);
        while (next < checkpoints.length) {
            double step = Math.min(h, checkpoints[next] - t);
            double[] k1 = rhs(a, r0, state, c), k2 = rhs(a, r0, add(state, k1, step / 2), c);
            double[] k3 = rhs(a, r0, add(state, k2, step / 2), c), k4 = rhs(a, r0, add(state, k3, step), c);
            for (int i = 0; i < state.length; i++) state[i] += step / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
            t += step;
            if (Math.abs(t - checkpoints[next]) < 1e-12 * checkpoints[next]) {
                double d2 = 0;
                for (int i = 0; i < p * k; i++) d2 += state[i] * state[i];
                rkDist2[next] = d2;
                rkLength[next] = state[p * k];
                rkDrop[next] = loss0 - loss(a, r0, state, c);
                next++;
            }
        }
        double[] length = theory.pathLength(times);
        for (int j = 0; j < times.length; j++) {
            assertEquals(rkDist2[j], theory.dist2(times[j]), 1e-8 * rkDist2[j], "|dtheta|^2 at t=" + times[j]);
            assertEquals(rkDrop[j], theory.lossDrop(times[j]), 1e-8 * rkDrop[j], "Delta L at t=" + times[j]);
            assertEquals(times[j] * rkDrop[j] / rkDist2[j], theory.inefficiency(times[j]), 1e-7 * theory.inefficiency(times[j]));
            assertEquals(rkLength[j], length[j], 1e-6 * rkLength[j], "l_gamma at t=" + times[j]);
        }
    }

    private static double[] add(double[] x, double[] dx, double s) {
        double[] out = x.clone();
        for (int i = 0; i < out.length; i++) out[i] += s * dx[i];
        return out;
    }

    /** d(delta theta)/dt = -c A^T r, r = r0 + A delta theta; d(length)/dt = |d theta/dt|. */
    private static double[] rhs(double[][] a, double[][] r0, double[] state, double c) {
        int n = a.length, p = a[0].length, k = r0[0].length;
        double[] out = new double[p * k + 1];
        double speed2 = 0;
        for (int o = 0; o < k; o++) {
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                r[i] = r0[i][o];
                for (int j = 0; j < p; j++) r[i] += a[i][j] * state[j * k + o];
            }
            for (int j = 0; j < p; j++) {
                double g = 0;
                for (int i = 0; i < n; i++) g += a[i][j] * r[i];
                out[j * k + o] = -c * g;
                speed2 += c * c * g * g;
            }
        }
        out[p * k] = Math.sqrt(speed2);
        return out;
    }

    private static double loss(double[][] a, double[][] r0, double[] state, double c) {
        int n = a.length, p = a[0].length, k = r0[0].length;
        double s = 0;
        for (int o = 0; o < k; o++)
            for (int i = 0; i < n; i++) {
                double r = r0[i][o];
                for (int j = 0; j < p; j++) r += a[i][j] * state[j * k + o];
                s += r * r;
            }
        return 0.5 * c * s;
    }
}
