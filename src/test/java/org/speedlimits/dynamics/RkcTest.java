package org.speedlimits.dynamics;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.speedlimits.linreg.SymEigen;

class RkcTest {
    static final long SEED = 20240611L;

    /** Gradient flow of ½|Xθ - b|²: F(θ) = -(Aθ - g), A = XᵀX, g = Xᵀb; optionally computed in float32. */
    static final class LeastSquares implements VectorField {
        final double[][] a;
        final double[] g;
        final boolean float32;
        long calls;

        LeastSquares(double[][] a, double[] g, boolean float32) {
            this.a = a;
            this.g = g;
            this.float32 = float32;
        }

        public int dimension() { return g.length; }

        public void evaluate(double[] y, double[] f) {
            calls++;
            int n = g.length;
            for (int i = 0; i < n; i++) {
                if (float32) {
                    float s = 0;
                    for (int j = 0; j < n; j++) s += (float) a[i][j] * (float) y[j];
                    f[i] = -(s - (float) g[i]);
                } else {
                    double s = 0;
                    for (int j = 0; j < n; j++) s += a[i][j] * y[j];
                    f[i] = -(s - g[i]);
                }
            }
        }

        @Override public void round(double[] y) {
            if (float32) for (int i = 0; i < y.length; i++) y[i] = (float) y[i];
        }
    }

    /** Exact flow θ(t) = θ* + V e^{-tΛ} Vᵀ (θ0 - θ*). */
    static final class ExactLinear {
        final SymEigen eig;
        final double[] thetaStar, c; // c = Vᵀ(θ0 - θ*)

        ExactLinear(double[][] a, double[] g, double[] theta0) {
            eig = SymEigen.of(a);
            int n = g.length;
            // θ* = V Λ^{-1} Vᵀ g
            thetaStar = new double[n];
            double[] vg = new double[n];
            for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) vg[j] += eig.vectors[i][j] * g[i];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) thetaStar[i] += eig.vectors[i][j] * vg[j] / eig.values[j];
            c = new double[n];
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) c[j] += eig.vectors[i][j] * (theta0[i] - thetaStar[i]);
        }

        double[] at(double t) {
            int n = c.length;
            double[] y = thetaStar.clone();
            for (int j = 0; j < n; j++) {
                double e = Math.exp(-t * eig.values[j]) * c[j];
                for (int i = 0; i < n; i++) y[i] += eig.vectors[i][j] * e;
            }
            return y;
        }
    }

    static LeastSquares randomLeastSquares(long seed, int m, int d, boolean float32) {
        Random r = new Random(seed);
        double[][] x = new double[m][d];
        double[] b = new double[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) x[i][j] = r.nextGaussian();
            b[i] = r.nextGaussian();
        }
        double[][] a = new double[d][d];
        double[] g = new double[d];
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < m; k++) g[i] += x[k][i] * b[k];
            for (int j = 0; j < d; j++) for (int k = 0; k < m; k++) a[i][j] += x[k][i] * x[k][j];
        }
        return new LeastSquares(a, g, float32);
    }

    /** Quadratic ½(y-c)ᵀ diag(λ) (y-c): F_i = -λ_i (y_i - c_i). */
    static final class Diagonal implements VectorField {
        final double[] lam, c;

        Diagonal(double[] lam, double[] c) { this.lam = lam; this.c = c; }

        public int dimension() { return lam.length; }

        public void evaluate(double[] y, double[] f) {
            for (int i = 0; i < lam.length; i++) f[i] = -lam[i] * (y[i] - c[i]);
        }
    }

    static double[] logSpaced(double lo, double hi, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo * Math.pow(hi / lo, i / (double) (n - 1));
        return v;
    }

    /** Smooth nonlinear, mildly stiff field (order test beyond linear problems). */
    static final class Nonlinear implements VectorField {
        final double[] lam = {1, 3, 10, 30, 60};

        public int dimension() { return lam.length; }

        public void evaluate(double[] y, double[] f) {
            int n = lam.length;
            for (int i = 0; i < n; i++)
                f[i] = -lam[i] * y[i] - 0.5 * y[i] * y[i] * y[i] + Math.sin(y[(i + 1) % n]) + 0.3 * y[(i + n - 1) % n] * y[i];
        }
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    static double maxDiff(double[] u, double[] v) {
        double m = 0;
        for (int i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i] - v[i]));
        return m;
    }

    static double[] f(VectorField fld, double[] y) {
        double[] out = new double[y.length];
        fld.evaluate(y, out);
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void leastSquaresMatchesExactFlowWithinRtol() {
        System.out.println("RKC least squares: seed=" + SEED + " X 40x12");
        LeastSquares fld = randomLeastSquares(SEED, 40, 12, false);
        double[] theta0 = new double[12];
        ExactLinear ex = new ExactLinear(fld.a, fld.g, theta0);
        System.out.printf("  eig(A) in [%.3g, %.3g]%n", ex.eig.values[0], ex.eig.values[11]);
        double tEnd = 30 / ex.eig.values[0]; // e^{-30}: converged
        double[] times = logSpaced(1e-3, tEnd, 12);
        double prev = Double.POSITIVE_INFINITY;
        for (double rtol : new double[] {1e-4, 1e-6, 1e-8}) {
            Rkc rkc = new Rkc(fld, rtol, 1e-3 * rtol);
            double[] y = theta0.clone(), fy = f(fld, y);
            double t = 0, worst = 0;
            for (double tk : times) {
                rkc.advance(t, tk, y, fy, null);
                t = tk;
                double[] e = ex.at(tk);
                worst = Math.max(worst, maxDiff(y, e) / maxAbs(e));
            }
            System.out.printf("  rtol=%.0e: max rel err=%.3e (=%.2f rtol) accepted=%d rejected=%d evals=%d (spectral %d)%n",
                    rtol, worst, worst / rtol, rkc.acceptedSteps(), rkc.rejectedSteps(), rkc.evaluations(),
                    rkc.spectralEvaluations());
            // RKC controls the local error per step (O(h^3) = tol), so h ~ tol^{1/3} and the global error ~ tol^{2/3}:
            // within 20x rtol down to 1e-6, and below rtol^{2/3} throughout (measured ~0.09 rtol^{2/3} here).
            if (rtol >= 1e-6) assertTrue(worst <= 20 * rtol, "error " + worst + " > 20 rtol");
            assertTrue(worst <= Math.pow(rtol, 2.0 / 3.0), "error " + worst + " > rtol^(2/3)");
            if (prev < Double.POSITIVE_INFINITY) {
                double slope = Math.log(prev / worst) / Math.log(100);
                System.out.printf("    error ~ rtol^%.3f%n", slope);
                assertTrue(slope >= 0.55 && slope <= 1.05, "error must decrease like rtol^(2/3)..rtol: " + slope);
            }
            prev = worst;
            assertEquals(rkc.evaluations(), rkc.totalStages() + rkc.spectralEvaluations(), "each attempt costs s evals");
        }
    }

    /** Global error at T of fixed-step RKC with s stages; steps k·base for k = 1, 2, 4, 8. */
    static double[] fixedErrors(VectorField fld, double[] y0, double tEnd, double[] exact, int stages, int base, double gamma) {
        double[] errs = new double[4];
        for (int r = 0; r < 4; r++) {
            Rkc rkc = new Rkc(fld, 1e-6, 1e-9);
            rkc.gammaScale = gamma;
            double[] y = y0.clone(), fy = f(fld, y);
            rkc.advanceFixed(0, tEnd, y, fy, base << r, stages);
            errs[r] = maxDiff(y, exact);
        }
        return errs;
    }

    @Test
    void fixedStepIsSecondOrder() {
        LeastSquares fld = randomLeastSquares(SEED, 40, 12, false);
        double[] theta0 = new double[12];
        ExactLinear ex = new ExactLinear(fld.a, fld.g, theta0);
        double tEnd = 0.2;
        double[] exact = ex.at(tEnd);
        // s = 5 for every refinement: h λ_max ≤ 0.2/20·λ_max ≈ 1 is well inside β(5) ≈ 15.7
        double[] e = fixedErrors(fld, theta0, tEnd, exact, 5, 20, 1.0);
        for (int r = 1; r < 4; r++) {
            double ratio = e[r - 1] / e[r];
            System.out.printf("RKC order (least squares, s=5): steps %d->%d err %.3e->%.3e ratio %.3f%n",
                    20 << (r - 1), 20 << r, e[r - 1], e[r], ratio);
            assertTrue(ratio >= 3.4 && ratio <= 4.6, "ratio " + ratio);
        }
        // nonlinear field, reference from a much finer run (same s)
        Nonlinear nl = new Nonlinear();
        double[] y0 = {1.0, -0.7, 0.5, 0.9, -1.2};
        double[] ref = y0.clone(), fr = f(nl, ref);
        new Rkc(nl, 1e-6, 1e-9).advanceFixed(0, 1.0, ref, fr, 80 * 256, 7);
        // base 80 steps: h λ_max = 0.75, in the asymptotic range (20 steps, h λ_max = 3, gave ratio 5.9)
        double[] en = fixedErrors(nl, y0, 1.0, ref, 7, 80, 1.0);
        for (int r = 1; r < 4; r++) {
            double ratio = en[r - 1] / en[r];
            System.out.printf("RKC order (nonlinear, s=7): steps %d->%d err %.3e->%.3e ratio %.3f%n",
                    80 << (r - 1), 80 << r, en[r - 1], en[r], ratio);
            assertTrue(ratio >= 3.4 && ratio <= 4.6, "ratio " + ratio);
        }
        // negative control: dropping γ̃_j breaks the order conditions, and the test notices
        double[] bad = fixedErrors(fld, theta0, tEnd, exact, 5, 20, 0.0);
        for (int r = 1; r < 4; r++) {
            double ratio = bad[r - 1] / bad[r];
            System.out.printf("RKC negative control (gamma~=0): err %.3e->%.3e ratio %.3f%n", bad[r - 1], bad[r], ratio);
            assertFalse(ratio >= 3.4 && ratio <= 4.6, "broken method must not look second order: " + ratio);
        }
    }

    /** Runs the stiff diagonal quadratic to T; returns {evals, accepted, rejected, rel err, Σs accepted, spectral evals}. */
    static double[] stiffRun(double lamMax, double tEnd, double rtol, List<double[]> steps) {
        int n = 50;
        double[] lam = logSpaced(1, lamMax, n), c = new double[n];
        for (int i = 0; i < n; i++) c[i] = 1 + i / (double) n;
        Diagonal fld = new Diagonal(lam, c);
        Rkc rkc = new Rkc(fld, rtol, 1e-4 * rtol);
        double[] y = new double[n], fy = f(fld, y);
        rkc.advance(0, tEnd, y, fy, (tOld, h, yo, fo, yn, fn) -> steps.add(new double[] {h, rkc.lastStages()}));
        double err = 0, scale = 0;
        for (int i = 0; i < n; i++) {
            double exact = c[i] * (1 - Math.exp(-lam[i] * tEnd));
            err = Math.max(err, Math.abs(y[i] - exact));
            scale = Math.max(scale, Math.abs(exact));
        }
        double acceptedStages = 0;
        for (double[] s : steps) acceptedStages += s[1];
        return new double[] {rkc.evaluations(), rkc.acceptedSteps(), rkc.rejectedSteps(), err / scale, acceptedStages,
                rkc.spectralEvaluations(), rkc.lastSpectralRadius()};
    }

    @Test
    void stiffQuadraticCostsFarLessThanGradientDescent() {
        double tEnd = 10, rtol = 1e-4;
        List<double[]> steps = new ArrayList<>();
        double[] r4 = stiffRun(1e4, tEnd, rtol, steps);
        double lamMax = 1e4, gd = lamMax * tEnd / 2; // GD at its stability limit η = 2/λ_max
        double evals = r4[0], nAcc = r4[1], rho = r4[6];
        System.out.printf("RKC stiff (n=50, lambda in [1,1e4], T=%.0f, rtol=%.0e): evals=%.0f (spectral %.0f) accepted=%.0f "
                        + "rejected=%.0f rel err=%.3e; GD evals=%.0f (ratio %.4f); sqrt(lambda T)=%.1f, evals/sqrt(lambda T)=%.2f, "
                        + "evals/sqrt(N lambda T)=%.2f%n",
                tEnd, rtol, evals, r4[5], nAcc, r4[2], r4[3], gd, evals / gd, Math.sqrt(lamMax * tEnd),
                evals / Math.sqrt(lamMax * tEnd), evals / Math.sqrt(nAcc * lamMax * tEnd));
        assertTrue(evals <= 0.1 * gd, "RKC evals " + evals + " > 0.1 x GD " + gd);
        assertTrue(r4[3] <= 20 * rtol, "stiff result error " + r4[3]);
        // s_n = 1 + ⌊√(1 + 1.54 h_n ρ)⌋ ≤ 2 + √(1.54 h_n ρ), and Σ√h_n ≤ √(N T) (Cauchy–Schwarz)
        double bound = 2 * nAcc + Math.sqrt(1.54 * rho * nAcc * tEnd);
        System.out.printf("  accepted stages %.0f <= 2N + sqrt(1.54 rho N T) = %.0f%n", r4[4], bound);
        assertTrue(r4[4] <= bound);
        // sqrt scaling: 10x larger λ_max must cost well under 10x (theory √10 ≈ 3.2; GD would pay 10x)
        double[] r3 = stiffRun(1e3, tEnd, rtol, new ArrayList<>());
        double growth = evals / r3[0];
        System.out.printf("  lambda_max 1e3 -> 1e4: evals %.0f -> %.0f (x%.2f; sqrt(10)=3.16, GD x10)%n", r3[0], evals, growth);
        assertTrue(growth <= 5, "cost growth " + growth);
    }

    /** Raw power-iteration estimate on diag(λ), λ log-spaced in [1, 1e4], at a random point (not the minimum). */
    static double[] powerEstimate(int n) {
        double[] lam = logSpaced(1, 1e4, n), c = new double[n];
        Random r = new Random(SEED);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = r.nextGaussian();
            y[i] = r.nextGaussian();
        }
        Diagonal fld = new Diagonal(lam, c);
        Rkc rkc = new Rkc(fld, 1e-4, 1e-8);
        double raw = rkc.estimateSpectralRadius(y, f(fld, y));
        System.out.printf("RKC power iteration (n=%d, top gap x%.3f): raw rho=%.2f (lambda_max=1e4, rel %+.4f) after %d evals; used %.1f%n",
                n, lam[n - 1] / lam[n - 2], raw, raw / 1e4 - 1, rkc.spectralEvaluations(), rkc.lastSpectralRadius());
        assertEquals(raw, rkc.lastRawSpectralRadius());
        assertEquals(Rkc.RHO_SAFETY * raw, rkc.lastSpectralRadius(), 1e-9 * raw);
        assertEquals(rkc.evaluations(), rkc.spectralEvaluations());
        assertTrue(rkc.spectralEvaluations() <= 50);
        // |A d|/|d| <= λ_max for symmetric A: the estimate approaches from below
        assertTrue(raw <= 1e4 * (1 + 1e-6));
        return new double[] {raw, rkc.spectralEvaluations()};
    }

    @Test
    void powerIterationFindsLambdaMax() {
        // clear top gap (λ_n/λ_{n-1} = 2.3): within 2%
        assertEquals(1e4, powerEstimate(12)[0], 0.02 * 1e4);
        // n = 50: gap only 1.207, the 1%-change stopping rule stops ~2.4% low; the 1.2 safety factor covers it
        double raw = powerEstimate(50)[0];
        assertEquals(1e4, raw, 0.05 * 1e4);
        assertTrue(Rkc.RHO_SAFETY * raw >= 1e4);
    }

    @Test
    void landsExactlyAndKeepsProposal() {
        LeastSquares fld = randomLeastSquares(SEED, 40, 12, false);
        Rkc rkc = new Rkc(fld, 1e-6, 1e-9);
        double[] y = new double[12], fy = f(fld, y);
        List<double[]> log = new ArrayList<>();
        Rkc.StepObserver obs = (tOld, h, yo, fo, yn, fn) -> log.add(new double[] {tOld, h});
        double tEnd = 0.7;
        rkc.advance(0, tEnd, y, fy, obs);
        double[] last = log.get(log.size() - 1);
        assertEquals(tEnd - last[0], last[1], 0.0, "last step clipped to tEnd - tOld");
        for (int k = 1; k < log.size(); k++) assertEquals(log.get(k - 1)[0] + log.get(k - 1)[1], log.get(k)[0], 0.0);
        double p = rkc.proposedStep();
        // a tiny clipped step must not shrink the proposal (its own fac·h ≤ 10·0.01 p < p)
        log.clear();
        double t2 = tEnd + 0.01 * p;
        rkc.advance(tEnd, t2, y, fy, obs);
        assertEquals(1, log.size());
        assertEquals(t2 - tEnd, log.get(0)[1], 0.0);
        assertEquals(p, rkc.proposedStep(), 0.0, "proposal kept after clipped step");
        // F(y) on exit matches the state
        assertArrayEquals(f(fld, y), fy, 0.0);
        // a grid of advance calls agrees with one call to within tolerance
        Rkc one = new Rkc(fld, 1e-8, 1e-11), grid = new Rkc(fld, 1e-8, 1e-11);
        double[] y1 = new double[12], f1 = f(fld, y1), y2 = new double[12], f2 = f(fld, y2);
        one.advance(0, 1.0, y1, f1, null);
        double t = 0;
        for (int k = 1; k <= 37; k++) {
            double tk = k / 37.0;
            if (k == 37) tk = 1.0;
            grid.advance(t, tk, y2, f2, null);
            t = tk;
        }
        System.out.printf("RKC grid vs single call: max diff %.3e (one: %d steps, grid: %d steps)%n",
                maxDiff(y1, y2), one.acceptedSteps(), grid.acceptedSteps());
        assertTrue(maxDiff(y1, y2) <= 1e-6 * maxAbs(y1));
    }

    @Test
    void resumeFromStateIsBitIdentical() {
        LeastSquares fld = randomLeastSquares(SEED, 40, 12, false);
        Rkc a = new Rkc(fld, 1e-8, 1e-11);
        double[] y = new double[12], fy = f(fld, y);
        a.advance(0, 0.05, y, fy, null);
        Map<String, Double> st = a.state();
        assertTrue(st.keySet().stream().allMatch(k -> k.startsWith("rkc.")));
        Rkc b = new Rkc(fld, 1e-8, 1e-11);
        b.restore(st);
        double[] ya = y.clone(), fa = fy.clone(), yb = y.clone(), fb = fy.clone();
        a.advance(0.05, 2.0, ya, fa, null);
        b.advance(0.05, 2.0, yb, fb, null);
        assertArrayEquals(ya, yb, 0.0);
        assertArrayEquals(fa, fb, 0.0);
        assertEquals(a.state(), b.state());
        assertTrue(a.acceptedSteps() > Rkc.SPECTRAL_EVERY, "run long enough to re-estimate rho");
        // negative control: without the state the continuation differs
        Rkc c = new Rkc(fld, 1e-8, 1e-11);
        double[] yc = y.clone(), fc = fy.clone();
        c.advance(0.05, 2.0, yc, fc, null);
        assertNotEquals(a.state(), c.state());
    }

    @Test
    void validatesTolerances() {
        Diagonal fld = new Diagonal(new double[] {1}, new double[] {0});
        for (double bad : new double[] {0, -1e-6, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Rkc(fld, bad, 1e-8));
            assertTrue(e.getMessage().contains("rtol"));
            e = assertThrows(IllegalArgumentException.class, () -> new Rkc(fld, 1e-6, bad));
            assertTrue(e.getMessage().contains("atol"));
        }
    }

    @Test
    void float32FieldConvergesOnFloatGrid() {
        LeastSquares fld = randomLeastSquares(SEED, 40, 12, true);
        double[] theta0 = new double[12];
        ExactLinear ex = new ExactLinear(fld.a, fld.g, theta0);
        Rkc rkc = new Rkc(fld, 1e-4, 1e-7, 6e-8);
        double[] y = theta0.clone(), fy = f(fld, y);
        boolean[] onGrid = {true};
        Rkc.StepObserver obs = (tOld, h, yo, fo, yn, fn) -> {
            for (double v : yn) if ((double) (float) v != v) onGrid[0] = false;
        };
        double tEnd = 30 / ex.eig.values[0], t = 0, worst = 0;
        for (double tk : logSpaced(1e-3, tEnd, 8)) {
            rkc.advance(t, tk, y, fy, obs);
            t = tk;
            double[] e = ex.at(tk);
            worst = Math.max(worst, maxDiff(y, e) / maxAbs(e));
        }
        double finalErr = maxDiff(y, ex.thetaStar) / maxAbs(ex.thetaStar);
        System.out.printf("RKC float32 field: max rel err=%.3e, final rel err vs theta*=%.3e, accepted=%d rejected=%d%n",
                worst, finalErr, rkc.acceptedSteps(), rkc.rejectedSteps());
        assertTrue(onGrid[0], "accepted states must be float-representable");
        for (double v : y) assertEquals((double) (float) v, v, 0.0);
        assertTrue(worst <= 20 * 1e-4, "float run error " + worst);
        assertTrue(finalErr <= 1e-4);
    }
}
