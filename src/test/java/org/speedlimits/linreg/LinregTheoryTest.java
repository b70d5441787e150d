package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class LinregTheoryTest {
    static final LinregParams BASE = new LinregParams(1.0, 0.0, 2.0, 0.0);

    /** beta^{-1} R(t) = F(0) - F(t) must equal (1/eta) int_0^t <|v|^2> ds (paper Eq. 25/46) - an independent route. */
    @Test
    void entropyProductionEqualsIntegratedSquaredVelocity() {
        LinregProblem p = LinregProblem.generate(12, 20, 2.0, 5);
        for (double tau : new double[]{0.0, 0.3, 2.0}) {
            LinregTheory th = new LinregTheory(p, BASE.withNoise(tau));
            double t = 3.0;
            int n = 20000;
            double h = t / n, integral = 0;
            for (int i = 0; i < n; i++) { // Simpson-free midpoint, fine enough
                integral += th.velocitySquared((i + 0.5) * h) * h;
            }
            assertEquals(integral, th.etaEntropy(t, 0), 1e-5 * integral, "tau=" + tau);
        }
    }

    /** F(t) computed directly from the mean and covariance in the original coordinates (log-det, traces). */
    @Test
    void freeEnergyDropMatchesDirectGaussianComputation() {
        LinregProblem p = LinregProblem.generate(10, 7, 1.0, 9); // d > n: null space present
        LinregParams par = new LinregParams(1.5, 0.4, 1.0, 0.7);
        LinregTheory th = new LinregTheory(p, par);
        double cd = p.weightDecay(par), tau = par.noise();
        double f0 = directF(p, th.mean(0, 0), th.covariance(0, 0), cd, tau);
        for (double t : new double[]{0.1, 1.0, 7.0}) {
            double ft = directF(p, th.mean(t, 0), th.covariance(t, 0), cd, tau);
            assertEquals(f0 - ft, th.entropyProduction(t, 0), 1e-9 * (1 + Math.abs(f0)), "t=" + t);
            double w = Gaussians.w2Squared(th.mean(0, 0), th.covariance(0, 0), th.mean(t, 0), th.covariance(t, 0));
            assertEquals(w, th.w2Squared(t, 0), 1e-9, "W2 closed form in eigenbasis vs general formula, t=" + t);
        }
    }

    static double directF(LinregProblem p, double[] mu, double[][] s, double cd, double tau) {
        // <V> = 1/2 |y|^2 - y^T X^T mu + 1/2 Tr((K + cd)(mu mu^T + S)); F = <V> - tau * (1/2) ln det(2 pi e S)
        int d = p.d;
        double v = 0.5 * Mat.dot(p.y, p.y) - Mat.dot(p.xy, mu);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double kij = p.k[i][j] + (i == j ? cd : 0);
                v += 0.5 * kij * (mu[i] * mu[j] + s[i][j]);
            }
        return v - tau * 0.5 * (d * Math.log(2 * Math.PI * Math.E) + Gaussians.logDet(s));
    }

    /** Paper Eq. 23 at t = infinity (lambda2 = 0): beta^{-1} R = beta^{-1} ln Z_T - beta^{-1} ln Z_0 + <L(theta_0)>. */
    @Test
    void equilibriumEntropyProductionMatchesPaperEq23() {
        LinregProblem p = LinregProblem.generate(15, 25, 1.0, 21);
        double tau = 0.5;
        LinregParams par = new LinregParams(2.0, 0.0, 1.0, tau);
        LinregTheory th = new LinregTheory(p, par);
        int d = p.d;
        double cd = p.weightDecay(par);
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) { for (int j = 0; j < d; j++) a[i][j] = p.k[i][j]; a[i][i] += cd; }
        double[][] ainv = Mat.apply(a, x -> 1 / x);
        double quad = Mat.dot(p.xy, Mat.multiply(ainv, p.xy));
        double lnZT = 0.5 * d * Math.log(2 * Math.PI * tau) - 0.5 * Gaussians.logDet(a) + (-0.5 * Mat.dot(p.y, p.y) + 0.5 * quad) / tau;
        double lnZ0 = 0.5 * d * Math.log(2 * Math.PI * tau / cd);
        double loss0 = 0.5 * Mat.dot(p.y, p.y) + 0.5 * th.sigma0sq * Mat.trace(p.k);
        double eq23 = tau * lnZT - tau * lnZ0 + loss0;
        assertEquals(eq23, th.entropyProduction(Double.POSITIVE_INFINITY, 0), 1e-9 * Math.abs(eq23));
        assertEquals(eq23, th.entropyProduction(400.0, 0), 1e-6 * Math.abs(eq23));
    }

    /** Benamou-Brenier: t / T_SL(t) >= 1 at all t, for GD and Langevin; -> 1 as t -> 0. */
    @Test
    void inefficiencyIsAtLeastOne() {
        LinregProblem p = LinregProblem.generate(30, 45, 1.0, 2);
        for (double tau : new double[]{0.0, 0.1, 1.0, 10.0}) {
            LinregTheory th = new LinregTheory(p, BASE.withNoise(tau));
            for (double t = 1e-3; t < 300; t *= 1.3) {
                double ineff = th.inefficiency(t, 0);
                assertTrue(ineff >= 1 - 1e-9, "tau=" + tau + " t=" + t + " inefficiency=" + ineff);
            }
            assertEquals(1.0, th.inefficiency(1e-5, 0), 1e-3, "tau=" + tau);
        }
        // the MP-limit curves obey the same bound
        for (double tau : new double[]{0.0, 0.1, 1.0})
            for (double g : new double[]{0.3, 1.0, 3.0}) {
                LinregMpTheory mp = new LinregMpTheory(g, BASE.withNoise(tau));
                for (double t = 1e-3; t < 300; t *= 1.5) assertTrue(mp.inefficiency(t) >= 1 - 1e-9);
            }
    }

    /** Same data X, independent teachers theta_* ~ N(0, alpha/d I) (the MP theory averages over theta_*). */
    static LinregProblem[] teachers(int d, int n, double alpha, long seed, int count) {
        LinregProblem base = LinregProblem.generate(d, n, alpha, seed);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed + 1);
        LinregProblem[] out = new LinregProblem[count];
        for (int c = 0; c < count; c++) {
            double[] ts = new double[d];
            for (int i = 0; i < d; i++) ts[i] = Math.sqrt(alpha / d) * rng.nextGaussian();
            out[c] = base.withTeacher(ts);
        }
        return out;
    }

    /**
     * The beta -> infinity (GD), t -> infinity speed limit for large d, n: corrected Eq. 9 = 2 min(1, 1/gamma).
     * A single teacher draw fluctuates by ~sqrt(2/rank) (~10% at d = 240); we average W2^2 and R over 16 teachers.
     */
    @Test
    void gradientDescentLimitMatchesCorrectedEq9() {
        int[][] shapes = {{200, 400}, {240, 120}};
        for (int[] sh : shapes) {
            double g = (double) sh[0] / sh[1];
            LinregProblem[] ps = teachers(sh[0], sh[1], BASE.alpha(), 100 + sh[0] + sh[1], 16);
            var eig = Mat.eigh(ps[0].k);
            double w = 0, r = 0;
            for (LinregProblem p : ps) {
                LinregTheory th = new LinregTheory(p, BASE, eig);
                w += th.w2Squared(Double.POSITIVE_INFINITY, 0);
                r += th.etaEntropy(Double.POSITIVE_INFINITY, 0);
            }
            double finite = w / r;
            assertEquals(LinregMpTheory.gradientDescentLimit(g), finite, 0.04 * finite, "gamma=" + g);
            // MP-limit theory with beta^{-1} -> 0 and t -> infinity
            double mpVal = new LinregMpTheory(g, BASE).speedLimit(Double.POSITIVE_INFINITY);
            assertEquals(LinregMpTheory.gradientDescentLimit(g), mpVal, 1e-6);
            double mpSmallNoise = new LinregMpTheory(g, BASE.withNoise(1e-7)).speedLimit(Double.POSITIVE_INFINITY);
            assertEquals(mpVal, mpSmallNoise, 1e-3);
            // the printed Eq. 9 (2 (1 + alpha lambda) = 6 here) is not what the exact theory gives
            assertTrue(Math.abs(LinregMpTheory.paperEq9(BASE.alpha(), BASE.lambda()) - finite) > 1.0);
        }
    }

    /** Finite-sample theory (averaged over 64 teachers: one draw fluctuates by ~13% at early times) converges to the MP-limit theory at all times and noise levels. */
    @Test
    void finiteSampleTheoryApproachesMarchenkoPasturLimit() {
        LinregProblem[] ps = teachers(300, 600, BASE.alpha(), 77, 64);
        var eig = Mat.eigh(ps[0].k);
        for (double tau : new double[]{0.0, 0.2, 2.0}) {
            LinregParams par = BASE.withNoise(tau);
            LinregMpTheory mp = new LinregMpTheory(0.5, par);
            for (double t : new double[]{0.1, 1.0, 10.0, Double.POSITIVE_INFINITY}) {
                double w = 0, r = 0;
                for (LinregProblem p : ps) {
                    LinregTheory th = new LinregTheory(p, par, eig);
                    w += th.w2Squared(t, 0) / ps.length;
                    r += th.etaEntropy(t, 0) / ps.length;
                }
                assertEquals(mp.w2Squared(t), w, 0.05 * mp.w2Squared(t), "W2 tau=" + tau + " t=" + t);
                assertEquals(mp.etaEntropy(t), r, 0.05 * mp.etaEntropy(t), "R tau=" + tau + " t=" + t);
            }
        }
    }

    /** Eq. 10: beta -> 0 gives T_SL -> 0 (at t = infinity), monotonically at large noise. */
    @Test
    void highNoiseLimitEq10() {
        for (double g : new double[]{0.5, 2.0}) {
            double prev = Double.POSITIVE_INFINITY;
            for (double tau : new double[]{10, 100, 1000, 10000}) {
                double tsl = new LinregMpTheory(g, BASE.withNoise(tau)).speedLimit(Double.POSITIVE_INFINITY);
                assertTrue(tsl < prev && tsl > 0);
                prev = tsl;
            }
            assertTrue(prev < 1e-2, "T_SL(beta=1e-4) = " + prev);
            // derived asymptotics T_SL ~ beta * const: the ratio at successive decades tends to 10
            double t3 = new LinregMpTheory(g, BASE.withNoise(1000)).speedLimit(Double.POSITIVE_INFINITY);
            double t4 = new LinregMpTheory(g, BASE.withNoise(10000)).speedLimit(Double.POSITIVE_INFINITY);
            assertEquals(10, t3 / t4, 0.1);
        }
    }

    /** Eq. 11: gamma -> 0 gives a finite, noise-independent value; derived 2 (printed: 2 lambda alpha). */
    @Test
    void manySamplesLimitEq11() {
        LinregParams par = new LinregParams(1.0, 0.0, 3.0, 0.0); // 2 lambda alpha = 6 would be the printed value
        for (double tau : new double[]{0.0, 0.1, 1.0, 10.0}) {
            double tsl = new LinregMpTheory(1e-4, par.withNoise(tau)).speedLimit(Double.POSITIVE_INFINITY);
            assertEquals(2.0, tsl, 0.03, "tau=" + tau);
        }
    }

    /** Eq. 12: gamma -> infinity gives T_SL -> 0 at finite noise (and, derived, also at zero noise: 2/gamma). */
    @Test
    void overparametrisedLimitEq12() {
        for (double tau : new double[]{0.0, 0.1, 1.0}) {
            double t1 = new LinregMpTheory(100, BASE.withNoise(tau)).speedLimit(Double.POSITIVE_INFINITY);
            double t2 = new LinregMpTheory(1000, BASE.withNoise(tau)).speedLimit(Double.POSITIVE_INFINITY);
            assertTrue(t2 < t1 && t2 < 0.01, "tau=" + tau + " T_SL(gamma=1000)=" + t2);
        }
        assertEquals(2.0 / 1000, new LinregMpTheory(1000, BASE).speedLimit(Double.POSITIVE_INFINITY), 1e-9);
    }

    /** Our derivation reproduces the numerator of the printed Eq. 80 (lambda = 1, lambda2 = 0); only the denominator lacks the alpha term. */
    @Test
    void printedEq80DiffersOnlyByMissingTeacherTermInDenominator() {
        double g = 0.7, tau = 0.4;
        LinregParams par = new LinregParams(1.0, 0.0, 2.0, tau);
        LinregMpTheory ours = new LinregMpTheory(g, par);
        LinregMpTheory noTeacher = new LinregMpTheory(g, new LinregParams(1.0, 0.0, 0.0, tau));
        double c = par.c();
        double alphaTerm = 0.5 * par.alpha() * ours.mp.integrate(s -> s * s / (s + c * g));
        // printed Eq. 80 = W2^2 / (eta R without the alpha/2 int s^2/(s + c gamma) drho term)
        double expected = ours.w2Squared(Double.POSITIVE_INFINITY) / (ours.etaEntropy(Double.POSITIVE_INFINITY) - alphaTerm);
        assertEquals(expected, ours.paperEq80(), 1e-9 * expected);
        assertEquals(noTeacher.speedLimit(Double.POSITIVE_INFINITY), noTeacher.paperEq80(), 1e-9);
    }

    /** Euler-Maruyama closed form converges to the continuous one as dt -> 0 (first order). */
    @Test
    void discreteTheoryConvergesToContinuous() {
        LinregProblem p = LinregProblem.generate(20, 30, 1.0, 4);
        LinregTheory th = new LinregTheory(p, BASE.withNoise(0.5));
        double t = 2.0, cont = th.speedLimit(t, 0);
        double e1 = Math.abs(th.speedLimit(t, 0.01) - cont), e2 = Math.abs(th.speedLimit(t, 0.005) - cont);
        assertTrue(e1 < 0.02 * cont);
        assertEquals(2.0, e1 / e2, 0.2);
    }
}
