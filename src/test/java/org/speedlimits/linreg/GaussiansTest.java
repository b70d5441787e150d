package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GaussiansTest {
    static double[][] randomSpd(int d, SplittableRandom rng) {
        double[][] g = new double[d][d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) g[i][j] = rng.nextGaussian();
        double[][] s = Mat.multiply(g, Mat.transpose(g));
        for (int i = 0; i < d; i++) s[i][i] += 0.1;
        return s;
    }

    @Test
    void matchesOneDimensionalClosedForm() {
        double w = Gaussians.w2Squared(new double[]{0.3}, new double[][]{{4.0}}, new double[]{-1.2}, new double[][]{{0.25}});
        assertEquals(Gaussians.w2Squared1d(0.3, 2.0, -1.2, 0.5), w, 1e-13);
        assertEquals(1.5 * 1.5 + 1.5 * 1.5, w, 1e-13);
        // 1-D via quantile coupling integral, int_0^1 (F1^{-1}(u) - F2^{-1}(u))^2 du, by Monte Carlo over u
        SplittableRandom rng = new SplittableRandom(1);
        double s = 0;
        int nmc = 200000;
        for (int i = 0; i < nmc; i++) {
            double z = rng.nextGaussian(); // z = Phi^{-1}(u) for u uniform
            double diff = (0.3 + 2.0 * z) - (-1.2 + 0.5 * z);
            s += diff * diff;
        }
        assertEquals(w, s / nmc, 0.03 * w);
    }

    @Test
    void diagonalCovariancesAreSumsOfOneDimensionalDistances() {
        double[] m1 = {1, 2, 3}, m2 = {0, 2.5, -1};
        double[] v1 = {1, 4, 0.5}, v2 = {2, 0.3, 0.5};
        double[][] s1 = new double[3][3], s2 = new double[3][3];
        double expect = 0;
        for (int i = 0; i < 3; i++) {
            s1[i][i] = v1[i];
            s2[i][i] = v2[i];
            expect += Gaussians.w2Squared1d(m1[i], Math.sqrt(v1[i]), m2[i], Math.sqrt(v2[i]));
        }
        assertEquals(expect, Gaussians.w2Squared(m1, s1, m2, s2), 1e-12);
    }

    /** Cost of the Gaussian coupling with cross-covariance S1^{1/2} Q S2^{1/2}, Q orthogonal. */
    static double couplingCost(double[][] r1, double[][] q, double[][] r2, double[][] s1, double[][] s2, double dm2) {
        double[][] c = Mat.multiply(Mat.multiply(r1, q), r2);
        return dm2 + Mat.trace(s1) + Mat.trace(s2) - 2 * Mat.trace(c);
    }

    static double[][] rot2(double phi, boolean reflect) {
        double c = Math.cos(phi), s = Math.sin(phi);
        return reflect ? new double[][]{{c, s}, {s, -c}} : new double[][]{{c, -s}, {s, c}};
    }

    @Test
    void bruteForceOverCouplingsIn2d() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 5; trial++) {
            double[][] s1 = randomSpd(2, rng), s2 = randomSpd(2, rng);
            double[] m1 = {rng.nextGaussian(), rng.nextGaussian()}, m2 = {rng.nextGaussian(), rng.nextGaussian()};
            double dm2 = (m1[0] - m2[0]) * (m1[0] - m2[0]) + (m1[1] - m2[1]) * (m1[1] - m2[1]);
            double[][] r1 = Mat.apply(s1, Math::sqrt), r2 = Mat.apply(s2, Math::sqrt);
            // every coupling of two Gaussians has cross-covariance S1^{1/2} Q S2^{1/2} with |Q| <= 1, and the cost is
            // linear in Q, so its minimum is attained on the orthogonal group: scan it exhaustively.
            double best = Double.POSITIVE_INFINITY;
            for (int k = 0; k < 200000; k++) {
                double phi = 2 * Math.PI * k / 200000;
                best = Math.min(best, couplingCost(r1, rot2(phi, false), r2, s1, s2, dm2));
                best = Math.min(best, couplingCost(r1, rot2(phi, true), r2, s1, s2, dm2));
            }
            double w = Gaussians.w2Squared(m1, s1, m2, s2);
            assertEquals(best, w, 1e-8 * (1 + w), "trial " + trial);
        }
    }

    @Test
    void bruteForceOverCouplingsIn3dAndRealisedByTheMongeMap() {
        SplittableRandom rng = new SplittableRandom(11);
        double[][] s1 = randomSpd(3, rng), s2 = randomSpd(3, rng);
        double[] m1 = {0.5, -1, 2}, m2 = {0, 0.3, 1};
        double dm2 = 0.25 + 1.69 + 1;
        double[][] r1 = Mat.apply(s1, Math::sqrt), r2 = Mat.apply(s2, Math::sqrt);
        double w = Gaussians.w2Squared(m1, s1, m2, s2);
        // random search over O(3) (random orthogonal from QR-like Gram-Schmidt), then local refinement
        double best = Double.POSITIVE_INFINITY;
        double[][] bestQ = null;
        for (int k = 0; k < 20000; k++) {
            double[][] q = randomOrthogonal(rng);
            double c = couplingCost(r1, q, r2, s1, s2, dm2);
            if (c < best) { best = c; bestQ = q; }
        }
        double step = 0.1;
        while (step > 1e-7) {
            boolean improved = false;
            for (int trial = 0; trial < 50; trial++) {
                double[][] q = Mat.multiply(bestQ, smallRotation(rng, step));
                double c = couplingCost(r1, q, r2, s1, s2, dm2);
                if (c < best) { best = c; bestQ = q; improved = true; }
            }
            if (!improved) step /= 2;
        }
        assertTrue(best >= w - 1e-9, "no coupling may beat W2");
        assertEquals(w, best, 1e-6 * (1 + w));
        // lower bound (von Neumann): W2^2 >= |dm|^2 + sum (sqrt l_i(S1) - sqrt l_i(S2))^2 with sorted eigenvalues
        double[] l1 = Mat.eigenvalues(s1), l2 = Mat.eigenvalues(s2);
        double lb = dm2;
        for (int i = 0; i < 3; i++) lb += Math.pow(Math.sqrt(l1[i]) - Math.sqrt(l2[i]), 2);
        assertTrue(w >= lb - 1e-12);
        // the Monge map T(x) = m2 + A (x - m1), A = S1^{-1/2} (S1^{1/2} S2 S1^{1/2})^{1/2} S1^{-1/2}, realises the cost
        double[][] r1inv = Mat.apply(s1, x -> 1 / Math.sqrt(x));
        double[][] mid = Mat.multiply(Mat.multiply(r1, s2), r1);
        Gaussians.symmetrize(mid);
        double[][] amap = Mat.multiply(Mat.multiply(r1inv, Mat.apply(mid, Math::sqrt)), r1inv);
        double[][] ata = Mat.multiply(Mat.multiply(amap, s1), amap); // pushes S1 to S2
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(s2[i][j], ata[i][j], 1e-9);
        double cost = dm2 + Mat.trace(Mat.multiply(Mat.multiply(subtractIdentity(amap), s1), subtractIdentity(amap)));
        assertEquals(w, cost, 1e-9 * (1 + w));
    }

    static double[][] subtractIdentity(double[][] a) {
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) { b[i] = a[i].clone(); b[i][i] -= 1; }
        return b;
    }

    static double[][] randomOrthogonal(SplittableRandom rng) {
        double[][] q = new double[3][3];
        for (int j = 0; j < 3; j++) {
            double[] v = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            for (int k = 0; k < j; k++) {
                double p = 0;
                for (int i = 0; i < 3; i++) p += v[i] * q[i][k];
                for (int i = 0; i < 3; i++) v[i] -= p * q[i][k];
            }
            double nn = Math.sqrt(Mat.dot(v, v));
            for (int i = 0; i < 3; i++) q[i][j] = v[i] / nn;
        }
        return q;
    }

    static double[][] smallRotation(SplittableRandom rng, double eps) {
        double x = eps * rng.nextGaussian(), y = eps * rng.nextGaussian(), z = eps * rng.nextGaussian();
        double[][] skew = {{0, -z, y}, {z, 0, -x}, {-y, x, 0}};
        return expm(skew);
    }

    static double[][] expm(double[][] a) {
        double[][] r = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, term = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int k = 1; k < 30; k++) {
            term = Mat.multiply(term, a);
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) term[i][j] /= k;
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r[i][j] += term[i][j];
        }
        return r;
    }

    @Test
    void zeroBetweenIdenticalAndSymmetric() {
        SplittableRandom rng = new SplittableRandom(5);
        double[][] s1 = randomSpd(6, rng), s2 = randomSpd(6, rng);
        double[] m1 = new double[6], m2 = new double[6];
        for (int i = 0; i < 6; i++) { m1[i] = rng.nextGaussian(); m2[i] = rng.nextGaussian(); }
        assertEquals(0, Gaussians.w2Squared(m1, s1, m1, s1), 1e-9);
        assertEquals(Gaussians.w2Squared(m1, s1, m2, s2), Gaussians.w2Squared(m2, s2, m1, s1), 1e-9);
    }
}
