package org.speedlimits.linreg;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Ensemble simulation in the original coordinates: gradient descent (beta^{-1} = 0) or Euler-Maruyama
 * Langevin dynamics theta <- theta - eta dt (X X^T theta - X y + c_d theta) + sqrt(2 eta dt / beta) xi,
 * many replicas from independent theta_0 ~ N(0, (lambda d)^{-1} I), on one fixed data set.
 * Each replica has its own random stream (seed, replica index), so results do not depend on threading.
 */
public final class LinregSimulation {
    private LinregSimulation() {}

    /** snapshots[j][r] = theta of replica r at times[j]; snapshots[0] is t = 0. */
    public record Ensemble(double[] times, double[][][] snapshots, double dt) {}

    /**
     * @param times observation times (> 0, ascending); each is rounded to a whole number of steps of dt
     */
    public static Ensemble run(LinregProblem prob, LinregParams par, int replicas, double dt, double[] times, long seed) {
        if (replicas < 2) throw new IllegalArgumentException("replicas must be >= 2");
        if (!(dt > 0)) throw new IllegalArgumentException("dt must be > 0");
        int d = prob.d;
        double eta = prob.eta(), cd = prob.weightDecay(par), tau = par.noise();
        double sigma0 = Math.sqrt(1.0 / (par.lambda() * d));
        double noiseSd = Math.sqrt(2 * eta * dt * tau);
        // one step: theta <- M theta + b + noiseSd xi, M = I - eta dt (K + c_d I), b = eta dt X y
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) m[i][j] = -eta * dt * prob.k[i][j];
            m[i][i] += 1 - eta * dt * cd;
        }
        double[] b = new double[d];
        for (int i = 0; i < d; i++) b[i] = eta * dt * prob.xy[i];
        long[] stepAt = new long[times.length];
        double[] actual = new double[times.length + 1];
        for (int j = 0; j < times.length; j++) {
            stepAt[j] = Math.round(times[j] / dt);
            actual[j + 1] = stepAt[j] * dt;
            if (j > 0 && stepAt[j] < stepAt[j - 1]) throw new IllegalArgumentException("times must be ascending");
        }
        double[][][] snaps = new double[times.length + 1][replicas][];
        IntStream.range(0, replicas).parallel().forEach(r -> {
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + r);
            double[] th = new double[d], nx = new double[d];
            for (int i = 0; i < d; i++) th[i] = sigma0 * rng.nextGaussian();
            snaps[0][r] = th.clone();
            long step = 0;
            for (int j = 0; j < times.length; j++) {
                for (; step < stepAt[j]; step++) {
                    for (int i = 0; i < d; i++) {
                        double s = b[i];
                        double[] mi = m[i];
                        for (int l = 0; l < d; l++) s += mi[l] * th[l];
                        nx[i] = s;
                    }
                    if (tau > 0) for (int i = 0; i < d; i++) nx[i] += noiseSd * rng.nextGaussian();
                    double[] tmp = th; th = nx; nx = tmp;
                }
                snaps[j + 1][r] = th.clone();
            }
        });
        return new Ensemble(actual, snaps, dt);
    }

    /** Point estimate with a jackknife (delete-one-group) standard error; value is bias-corrected. */
    public record Estimate(double t, double w2sq, double w2sqSe, double etaEntropy, double etaEntropySe,
                           double speedLimit, double speedLimitSe, double inefficiency, double inefficiencySe) {}

    /**
     * Estimates W2^2 between Gaussian fits of the initial and time-t ensembles and the entropy production
     * eta [F(0) - F(t)], F = mean V + beta^{-1} (- Gaussian-fit entropy). The Gaussian-fit entropy enters as a
     * difference of log-determinants of sample covariances with the same sample size and dimension, so its
     * finite-sample bias cancels.
     */
    public static Estimate estimate(LinregProblem prob, LinregParams par, Ensemble ens, int timeIndex, int groups) {
        double[][] s0 = ens.snapshots()[0], st = ens.snapshots()[timeIndex];
        int rTot = s0.length;
        if (groups < 2 || groups > rTot) throw new IllegalArgumentException("need 2 <= groups <= replicas");
        double cd = prob.weightDecay(par);
        double[] v0 = new double[rTot], vt = new double[rTot];
        IntStream.range(0, rTot).parallel().forEach(r -> {
            v0[r] = prob.potential(s0[r], cd);
            vt[r] = prob.potential(st[r], cd);
        });
        double t = ens.times()[timeIndex];
        double[] full = stats(prob, par, s0, st, v0, vt, null, t);
        double[][] jk = new double[groups][];
        for (int g = 0; g < groups; g++) {
            int cnt = 0;
            for (int r = 0; r < rTot; r++) if (r % groups != g) cnt++;
            int[] rows = new int[cnt];
            int c = 0;
            for (int r = 0; r < rTot; r++) if (r % groups != g) rows[c++] = r;
            jk[g] = stats(prob, par, s0, st, v0, vt, rows, t);
        }
        double[] val = new double[4], se = new double[4];
        for (int q = 0; q < 4; q++) {
            double mean = 0;
            for (int g = 0; g < groups; g++) mean += jk[g][q];
            mean /= groups;
            double var = 0;
            for (int g = 0; g < groups; g++) var += (jk[g][q] - mean) * (jk[g][q] - mean);
            se[q] = Math.sqrt((groups - 1.0) / groups * var);
            val[q] = groups * full[q] - (groups - 1) * mean;
        }
        return new Estimate(t, val[0], se[0], val[1], se[1], val[2], se[2], val[3], se[3]);
    }

    private static double[] stats(LinregProblem prob, LinregParams par, double[][] s0, double[][] st,
                                  double[] v0, double[] vt, int[] rows, double t) {
        double[] m0 = Gaussians.mean(s0, rows), mt = Gaussians.mean(st, rows);
        double[][] c0 = Gaussians.covariance(s0, rows, m0), ct = Gaussians.covariance(st, rows, mt);
        double w2 = Gaussians.w2Squared(m0, c0, mt, ct);
        double sum0 = 0, sumt = 0;
        int cnt = rows == null ? s0.length : rows.length;
        for (int q = 0; q < cnt; q++) {
            int r = rows == null ? q : rows[q];
            sum0 += v0[r];
            sumt += vt[r];
        }
        double df = (sum0 - sumt) / cnt;
        if (par.noise() > 0) df += 0.5 * par.noise() * (Gaussians.logDet(ct) - Gaussians.logDet(c0));
        double etaDf = prob.eta() * df;
        double tsl = w2 / etaDf;
        return new double[]{w2, etaDf, tsl, t / tsl};
    }
}
