package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class LinregSimulationTest {
    static final LinregParams BASE = new LinregParams(1.0, 0.0, 2.0, 0.0);

    /**
     * Theory mean and covariance of theta(t) (Euler-Maruyama closed form, so no discretisation error) vs the
     * simulated ensemble: every mean component within 4.5 standard errors, covariance entries within 5 SE
     * (SE of a sample covariance of Gaussians: sqrt((S_ii S_jj + S_ij^2)/N)), and aggregate chi^2 checks.
     */
    @Test
    void meanAndCovarianceMatchTheoryWithinStatisticalError() {
        LinregProblem p = LinregProblem.generate(8, 12, BASE.alpha(), 31);
        int reps = 6000;
        double dt = 0.01;
        double[] times = {0.3, 2.0};
        for (double tau : new double[]{0.0, 0.5}) {
            LinregParams par = BASE.withNoise(tau);
            LinregTheory th = new LinregTheory(p, par);
            LinregSimulation.Ensemble ens = LinregSimulation.run(p, par, reps, dt, times, 1234);
            for (int j = 0; j <= times.length; j++) {
                double t = ens.times()[j];
                double[] mu = th.mean(t, dt);
                double[][] s = th.covariance(t, dt);
                double[] m = Gaussians.mean(ens.snapshots()[j], null);
                double[][] c = Gaussians.covariance(ens.snapshots()[j], null, m);
                double chi2 = 0;
                for (int i = 0; i < p.d; i++) {
                    double z = (m[i] - mu[i]) / Math.sqrt(s[i][i] / reps);
                    assertTrue(Math.abs(z) < 4.5, "mean tau=" + tau + " t=" + t + " i=" + i + " z=" + z);
                    chi2 += z * z;
                }
                assertTrue(chi2 < p.d + 5 * Math.sqrt(2 * p.d), "chi2=" + chi2);
                double zc2 = 0;
                for (int i = 0; i < p.d; i++)
                    for (int l = i; l < p.d; l++) {
                        double se = Math.sqrt((s[i][i] * s[l][l] + s[i][l] * s[i][l]) / reps);
                        double z = (c[i][l] - s[i][l]) / se;
                        assertTrue(Math.abs(z) < 5, "cov tau=" + tau + " t=" + t + " (" + i + "," + l + ") z=" + z);
                        zc2 += z * z;
                    }
                int ncov = p.d * (p.d + 1) / 2;
                assertTrue(zc2 < ncov + 5 * Math.sqrt(2 * ncov), "cov chi2=" + zc2);
            }
        }
    }

    /** The test above must be able to fail: a wrong noise level is detected. */
    @Test
    void wrongNoiseIsDetected() {
        LinregProblem p = LinregProblem.generate(8, 12, BASE.alpha(), 31);
        LinregSimulation.Ensemble ens = LinregSimulation.run(p, BASE.withNoise(0.5), 6000, 0.01, new double[]{2.0}, 99);
        LinregTheory wrong = new LinregTheory(p, BASE.withNoise(0.4));
        double[][] s = wrong.covariance(2.0, 0.01);
        double[] m = Gaussians.mean(ens.snapshots()[1], null);
        double[][] c = Gaussians.covariance(ens.snapshots()[1], null, m);
        double zc2 = 0;
        for (int i = 0; i < p.d; i++) {
            double z = (c[i][i] - s[i][i]) / Math.sqrt(2 * s[i][i] * s[i][i] / 6000);
            zc2 += z * z;
        }
        assertTrue(zc2 > 8 + 5 * Math.sqrt(16), "chi2 of variances under a 20% wrong noise: " + zc2);
    }

    /** Simulated W2 (Gaussian fit), entropy production and T_SL vs theory at moderate d, GD and Langevin. */
    @Test
    void speedLimitEstimatesMatchTheory() {
        LinregProblem p = LinregProblem.generate(20, 40, BASE.alpha(), 8);
        double dt = 0.01;
        double[] times = {0.2, 1.0, 5.0};
        for (double tau : new double[]{0.0, 0.3}) {
            LinregParams par = BASE.withNoise(tau);
            LinregTheory th = new LinregTheory(p, par);
            LinregSimulation.Ensemble ens = LinregSimulation.run(p, par, 3000, dt, times, 77);
            for (int j = 1; j <= times.length; j++) {
                LinregSimulation.Estimate e = LinregSimulation.estimate(p, par, ens, j, 10);
                double t = e.t();
                String ctx = "tau=" + tau + " t=" + t;
                // 4 jackknife SE plus 2% for the residual O(d/N) bias of the Gaussian-fit estimators
                assertEquals(th.w2Squared(t, dt), e.w2sq(), 4 * e.w2sqSe() + 0.02 * th.w2Squared(t, dt), "W2 " + ctx);
                assertEquals(th.etaEntropy(t, dt), e.etaEntropy(), 4 * e.etaEntropySe() + 0.02 * th.etaEntropy(t, dt), "R " + ctx);
                assertEquals(th.inefficiency(t, dt), e.inefficiency(), 4 * e.inefficiencySe() + 0.03 * th.inefficiency(t, dt), "ineff " + ctx);
                assertTrue(e.w2sqSe() < 0.1 * e.w2sq(), "error bars must be informative");
            }
        }
    }
}
