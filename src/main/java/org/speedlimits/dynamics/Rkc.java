package org.speedlimits.dynamics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stabilized explicit second-order Runge–Kutta–Chebyshev integrator (RKC; van der Houwen &amp; Sommeijer 1980,
 * Verwer, Hundsdorfer &amp; Sommeijer 1990, Sommeijer, Shampine &amp; Verwer 1998) for autonomous fields over
 * {@code double[]}.
 *
 * <p><b>Why RKC.</b> Gradient flow dθ/dt = -∇L(θ) (or a preconditioned flow with Jacobian
 * -S<sup>1/2</sup> H S<sup>1/2</sup>, symmetric) has a real, non-positive Jacobian spectrum. RKC's stability region
 * is a thin strip around the negative real axis whose length grows quadratically in the stage count s,
 * β(s) ≈ (2/3)(1 - 2ε/15) s² ≈ 0.653 s² for the damping ε = 2/13 used here, so the stage count can be chosen
 * per step from a spectral-radius estimate ρ as s = 1 + ⌊√(1 + 1.54 h ρ)⌋. The coefficients are closed-form
 * functions of shifted Chebyshev polynomials (no tables), the method is second order (also for nonlinear
 * fields) and needs only five vectors of memory. The damping keeps |R(z)| ≤ ~1 - ε/3 strictly inside the strip, so
 * stiff components are damped rather than marginally stable.
 *
 * <p><b>Cost.</b> A step of size h costs s evaluations (s-1 stages plus the FSAL evaluation at the new point),
 * s ≈ 1.24 √(h ρ). Over a span T covered by N accepted steps, Cauchy–Schwarz gives
 * Σ s_n ≤ 2N + √(1.54 ρ N T): on a stiff linear problem the cost to reach T grows like √(ρ T) (times √N, and N
 * is set by the accuracy of the slow components, not by ρ), versus ρ T / 2 evaluations for explicit Euler /
 * gradient descent at its stability limit η = 2/ρ. Verified in {@code RkcTest} (diagonal quadratic, λ in
 * [1, 1e4], T = 10, rtol 1e-4): 2728 evaluations (≈ 0.74 √(N λ_max T), 5.5% of GD's 50000), and λ_max 1e3 → 1e4
 * raised the cost 2.8× (√10 ≈ 3.2; GD: 10×). Each spectral-radius estimate adds up to 50 evaluations every
 * {@value #SPECTRAL_EVERY} steps (typically 5-15).
 *
 * <p><b>Accuracy.</b> The controller bounds the local error per step, so h ~ tol^{1/3} and the global error
 * scales like rtol^{2/3}, not rtol (measured: ≈ 2 rtol at 1e-4, 9 rtol at 1e-6, 40 rtol at 1e-8 on a
 * least-squares flow).
 *
 * <p><b>Stage recurrence</b> (w0 = 1 + ε/s², w1 = T_s'(w0)/T_s''(w0), b_j = T_j''(w0)/T_j'(w0)² for j ≥ 2,
 * b_0 = b_1 = b_2, a_j = 1 - b_j T_j(w0)):
 * Y_0 = y_n, Y_1 = Y_0 + μ̃_1 h F_0 with μ̃_1 = b_1 w1, and for j ≥ 2
 * Y_j = (1-μ_j-ν_j) Y_0 + μ_j Y_{j-1} + ν_j Y_{j-2} + μ̃_j h F(Y_{j-1}) + γ̃_j h F_0,
 * μ_j = 2 b_j w0 / b_{j-1}, ν_j = -b_j / b_{j-2}, μ̃_j = 2 b_j w1 / b_{j-1}, γ̃_j = -a_{j-1} μ̃_j;
 * y_{n+1} = Y_s. Its stability polynomial is a_s + b_s T_s(w0 + w1 z), which matches e^z to second order.
 *
 * <p><b>Error control</b> as in RKC: Est = 0.8 (y_n - y_{n+1}) + 0.4 h (F_n + F_{n+1}), err = weighted RMS with
 * weights atol + rtol max(|y_n,i|, |y_{n+1},i|); accept if err ≤ 1. Step-size proposal:
 * fac = 0.8 (h/h_prev) err_prev^{1/3} / err^{2/3} after consecutive accepted steps, 0.8 / err^{1/3} on the first step
 * and right after a rejection, clamped to [0.1, 10] (err = 0 gives 10). F_{n+1} is evaluated at the rounded
 * candidate and reused as the next F_n (FSAL).
 *
 * <p><b>Initial step</b> (no proposal known yet): h = min(span, 1/ρ) (span alone if ρ = 0); no extra trial
 * evaluations are spent, the controller corrects h from the first step's error (rejecting if needed).
 *
 * <p>Not thread-safe. Deterministic: with the same field, settings, {@link #state()} and (y, F(y)) it reproduces
 * the same steps bit for bit.
 */
public final class Rkc {
    /** Observer of accepted steps. The arrays are the integrator's own: read them, do not modify or keep them. */
    public interface StepObserver {
        void onAccepted(double tOld, double h, double[] yOld, double[] fOld, double[] yNew, double[] fNew);
    }

    /** State keys (see {@link #state()}). */
    public static final String ACCEPTED = "rkc.acceptedSteps", REJECTED = "rkc.rejectedSteps",
            EVALUATIONS = "rkc.evaluations", SPECTRAL_EVALUATIONS = "rkc.spectralEvaluations",
            TOTAL_STAGES = "rkc.totalStages";

    public static final int MAX_STAGES = 200;
    public static final int SPECTRAL_EVERY = 25;
    public static final double DAMPING = 2.0 / 13.0;
    /** Safety factor applied to the power-iteration estimate. */
    public static final double RHO_SAFETY = 1.2;
    static final int POWER_MAX_ITER = 50;
    static final double POWER_TOL = 0.01;

    private final VectorField field;
    private final int n;
    private final double rtol, atol, unitRoundoff;

    /** Test hook: scales γ̃_j (1 = the method; 0 deliberately breaks it for a negative control). */
    double gammaScale = 1.0;

    // controller / estimator state (all in state())
    private double hProposal = Double.NaN; // NaN: not known yet
    private double hPrev = Double.NaN;
    private double errPrev = Double.NaN;
    private boolean simpleNext = true; // first step, or right after a rejection: elementary controller
    private double rho = Double.NaN; // spectral radius in use (safety factor included); NaN: not estimated
    private double rawRho = Double.NaN;
    private int stepsSinceRho = 0;
    private boolean rhoAtCurrentY = false; // rho was estimated at the current y (skip re-estimating after rejection)
    private double rhoOverride = Double.NaN;

    // counters
    private long evaluations, spectralEvaluations, acceptedSteps, rejectedSteps, totalStages;
    private int lastStages;
    private double lastErr = Double.NaN;

    // work arrays
    private final double[] yNew, fNew, yjm1, yjm2, fj;

    // coefficient cache for the current s
    private int coefS = -1;
    private double[] cMu, cNu, cMuT, cGamT;
    private double cMuT1;

    public Rkc(VectorField field, double rtol, double atol, double unitRoundoff) {
        if (!(rtol > 0) || !Double.isFinite(rtol)) throw new IllegalArgumentException("rtol must be > 0, got " + rtol);
        if (!(atol > 0) || !Double.isFinite(atol)) throw new IllegalArgumentException("atol must be > 0, got " + atol);
        if (!(unitRoundoff > 0) || !(unitRoundoff < 1))
            throw new IllegalArgumentException("unitRoundoff must be in (0,1), got " + unitRoundoff);
        this.field = field;
        this.n = field.dimension();
        this.rtol = rtol;
        this.atol = atol;
        this.unitRoundoff = unitRoundoff;
        yNew = new double[n];
        fNew = new double[n];
        yjm1 = new double[n];
        yjm2 = new double[n];
        fj = new double[n];
    }

    /** Double-precision field (unit roundoff 1.1e-16). */
    public Rkc(VectorField field, double rtol, double atol) {
        this(field, rtol, atol, 1.1e-16);
    }

    /**
     * Uses {@code rho} (a known bound on the Jacobian's spectral radius, used as is: no safety factor) instead of
     * the power iteration; NaN restores the estimate.
     */
    public void setSpectralRadiusOverride(double rho) {
        if (!Double.isNaN(rho) && !(rho >= 0)) throw new IllegalArgumentException("override must be >= 0 or NaN");
        this.rhoOverride = rho;
        this.rho = Double.NaN; // force re-evaluation on the next step
    }

    /**
     * Integrates in place from t to exactly tEnd. On entry fy must hold F(y) (not counted here); on exit y = y(tEnd),
     * rounded by {@link VectorField#round}, and fy = F(y).
     */
    public void advance(double t, double tEnd, double[] y, double[] fy, StepObserver observer) {
        checkArgs(t, tEnd, y, fy);
        if (tEnd == t) return;
        if (needRho()) estimate(y, fy);
        if (!(hProposal > 0)) hProposal = rho > 0 ? Math.min(tEnd - t, 1.0 / rho) : tEnd - t;
        while (t < tEnd) {
            if (needRho()) estimate(y, fy);
            double hStep = hProposal;
            if (rho > 0) {
                double hMax = ((double) (MAX_STAGES - 1) * (MAX_STAGES - 1) - 1) / (1.54 * rho);
                if (hStep > hMax) hStep = hProposal = hMax; // the proposal itself is infeasible: shrink it
            }
            boolean clipped = false;
            if (t + hStep >= tEnd) {
                hStep = tEnd - t;
                clipped = true;
            }
            if (!clipped && hStep <= 4 * Math.ulp(t)) // a clipped step may be tiny: it only closes the span
                throw new IllegalStateException("RKC step size underflow at t=" + t + " (h=" + hStep + ")");
            int s = stagesFor(hStep);
            step(y, fy, hStep, s);
            field.round(yNew);
            field.evaluate(yNew, fNew);
            evaluations++;
            double err = errorNorm(y, fy, yNew, fNew, hStep);
            lastErr = err;
            if (err <= 1) {
                double fac;
                if (err == 0) fac = 10;
                else if (simpleNext || !(errPrev > 0)) fac = 0.8 / Math.cbrt(err);
                else fac = 0.8 * (hStep / hPrev) * Math.cbrt(errPrev) / Math.pow(err, 2.0 / 3.0);
                fac = Math.min(10, Math.max(0.1, fac));
                double hNext = fac * hStep;
                if (clipped) hNext = Math.max(hNext, hProposal); // a clipped step does not shrink the proposal
                hProposal = hNext;
                hPrev = hStep;
                errPrev = err;
                simpleNext = false;
                acceptedSteps++;
                stepsSinceRho++;
                rhoAtCurrentY = false;
                if (observer != null) observer.onAccepted(t, hStep, y, fy, yNew, fNew);
                System.arraycopy(yNew, 0, y, 0, n);
                System.arraycopy(fNew, 0, fy, 0, n);
                t = clipped ? tEnd : t + hStep;
            } else {
                rejectedSteps++;
                double fac = Double.isNaN(err) || Double.isInfinite(err) ? 0.1 : Math.max(0.1, 0.8 / Math.cbrt(err));
                hProposal = fac * hStep;
                simpleNext = true;
                if (!rhoAtCurrentY && Double.isNaN(rhoOverride)) estimate(y, fy); // once per rejection chain
            }
        }
    }

    /**
     * Fixed-step integration without error control (for order tests): {@code steps} equal steps of
     * (tEnd - t)/steps, each with {@code stages} stages, or with s from ρ if stages ≤ 0. Touches no controller state
     * except ρ; counts evaluations and stages but not accepted steps.
     */
    public void advanceFixed(double t, double tEnd, double[] y, double[] fy, int steps, int stages) {
        checkArgs(t, tEnd, y, fy);
        if (steps <= 0) throw new IllegalArgumentException("steps must be > 0");
        double h = (tEnd - t) / steps;
        int s;
        if (stages > 0) {
            if (stages < 2 || stages > MAX_STAGES) throw new IllegalArgumentException("stages must be in [2, " + MAX_STAGES + "]");
            s = stages;
        } else {
            if (needRho()) estimate(y, fy);
            s = stagesFor(h);
        }
        for (int k = 0; k < steps; k++) {
            step(y, fy, h, s);
            field.round(yNew);
            field.evaluate(yNew, fNew);
            evaluations++;
            System.arraycopy(yNew, 0, y, 0, n);
            System.arraycopy(fNew, 0, fy, 0, n);
        }
    }

    /**
     * Nonlinear power iteration for the Jacobian's spectral radius at y (fy = F(y)); stores and returns the raw
     * estimate (without the safety factor). Each iteration is one counted evaluation.
     */
    public double estimateSpectralRadius(double[] y, double[] fy) {
        double norm0 = norm(y);
        double delta = Math.sqrt(unitRoundoff) * Math.max(1, norm0);
        double[] dir = fj, v = yjm1, fv = yjm2;
        System.arraycopy(fy, 0, dir, 0, n); // start from F(y): the estimate depends on y only
        double dn = norm(dir);
        if (dn == 0) { // at a stationary point: fixed fallback direction
            java.util.Arrays.fill(dir, 1.0);
            dn = Math.sqrt(n);
        }
        double est = 0, prev = Double.NaN;
        for (int k = 1; k <= POWER_MAX_ITER; k++) {
            double sc = delta / dn;
            for (int i = 0; i < n; i++) v[i] = y[i] + sc * dir[i];
            field.round(v); // measure the perturbation the field actually sees
            field.evaluate(v, fv);
            evaluations++;
            spectralEvaluations++;
            double num = 0, den = 0;
            for (int i = 0; i < n; i++) {
                double d = fv[i] - fy[i], e = v[i] - y[i];
                dir[i] = d;
                num += d * d;
                den += e * e;
            }
            if (den == 0) break; // perturbation vanished in rounding; keep the previous estimate
            est = Math.sqrt(num / den);
            if (est == 0) break;
            if (k > 1 && Math.abs(est - prev) <= POWER_TOL * est) break;
            prev = est;
            dn = Math.sqrt(num);
        }
        rawRho = est;
        rho = RHO_SAFETY * est;
        stepsSinceRho = 0;
        rhoAtCurrentY = true;
        return est;
    }

    // ---------------------------------------------------------------------------------------------------------

    private void checkArgs(double t, double tEnd, double[] y, double[] fy) {
        if (y.length != n || fy.length != n) throw new IllegalArgumentException("y/fy length != dimension " + n);
        if (!(tEnd >= t)) throw new IllegalArgumentException("tEnd must be >= t: " + t + " -> " + tEnd);
    }

    private boolean needRho() {
        if (!Double.isNaN(rhoOverride)) {
            if (Double.isNaN(rho)) rho = rhoOverride;
            return false;
        }
        return Double.isNaN(rho) || stepsSinceRho >= SPECTRAL_EVERY;
    }

    private void estimate(double[] y, double[] fy) {
        estimateSpectralRadius(y, fy);
    }

    private int stagesFor(double h) {
        long s = 1 + (long) Math.floor(Math.sqrt(1 + 1.54 * h * rho));
        return (int) Math.max(2, Math.min(MAX_STAGES, s));
    }

    /** One RKC step of size h with s stages from (y, fy); leaves Y_s in yNew. */
    private void step(double[] y0, double[] f0, double h, int s) {
        coefficients(s);
        lastStages = s;
        totalStages += s;
        double[] a = yjm2, b = yjm1; // a = Y_{j-2}, b = Y_{j-1}
        System.arraycopy(y0, 0, a, 0, n);
        double m1 = cMuT1 * h;
        for (int i = 0; i < n; i++) b[i] = y0[i] + m1 * f0[i];
        double[] c = yNew;
        for (int j = 2; j <= s; j++) {
            field.evaluate(b, fj);
            evaluations++;
            double mu = cMu[j], nu = cNu[j], c0 = 1 - mu - nu, mt = cMuT[j] * h, gt = gammaScale * cGamT[j] * h;
            for (int i = 0; i < n; i++)
                c[i] = c0 * y0[i] + mu * b[i] + nu * a[i] + mt * fj[i] + gt * f0[i];
            double[] tmp = a; // rotate: Y_{j-2} <- Y_{j-1}, Y_{j-1} <- Y_j, Y_j <- free buffer
            a = b;
            b = c;
            c = tmp;
        }
        if (b != yNew) System.arraycopy(b, 0, yNew, 0, n);
    }

    /** Damped Chebyshev coefficients for s stages (three-term recurrences for T_j, T_j', T_j'' at w0). */
    private void coefficients(int s) {
        if (s == coefS) return;
        double w0 = 1 + DAMPING / ((double) s * s);
        double[] t = new double[s + 1], dt = new double[s + 1], ddt = new double[s + 1];
        t[0] = 1; t[1] = w0;
        dt[0] = 0; dt[1] = 1;
        ddt[0] = 0; ddt[1] = 0;
        for (int j = 2; j <= s; j++) {
            t[j] = 2 * w0 * t[j - 1] - t[j - 2];
            dt[j] = 2 * t[j - 1] + 2 * w0 * dt[j - 1] - dt[j - 2];
            ddt[j] = 4 * dt[j - 1] + 2 * w0 * ddt[j - 1] - ddt[j - 2];
        }
        double w1 = dt[s] / ddt[s];
        double[] bj = new double[s + 1], aj = new double[s + 1];
        for (int j = 2; j <= s; j++) bj[j] = ddt[j] / (dt[j] * dt[j]);
        bj[0] = bj[1] = bj[2];
        for (int j = 0; j <= s; j++) aj[j] = 1 - bj[j] * t[j];
        cMu = new double[s + 1];
        cNu = new double[s + 1];
        cMuT = new double[s + 1];
        cGamT = new double[s + 1];
        cMuT1 = bj[1] * w1;
        for (int j = 2; j <= s; j++) {
            cMu[j] = 2 * bj[j] * w0 / bj[j - 1];
            cNu[j] = -bj[j] / bj[j - 2];
            cMuT[j] = 2 * bj[j] * w1 / bj[j - 1];
            cGamT[j] = -aj[j - 1] * cMuT[j];
        }
        coefS = s;
    }

    private double errorNorm(double[] y0, double[] f0, double[] y1, double[] f1, double h) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double est = 0.8 * (y0[i] - y1[i]) + 0.4 * h * (f0[i] + f1[i]);
            double w = atol + rtol * Math.max(Math.abs(y0[i]), Math.abs(y1[i]));
            double q = est / w;
            sum += q * q;
        }
        return Math.sqrt(sum / n);
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return Math.sqrt(s);
    }

    // ---------------------------------------------------------------------------------------------------------
    // checkpoint state

    /**
     * Everything needed to continue bit-identically (keys prefixed "rkc.", finite values only: quantities not known
     * yet are -1). Settings (rtol, atol, unit roundoff) are not included; the spectral-radius override is.
     */
    public Map<String, Double> state() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rkc.hProposal", unset(hProposal));
        m.put("rkc.hPrev", unset(hPrev));
        m.put("rkc.errPrev", unset(errPrev));
        m.put("rkc.simpleNext", simpleNext ? 1.0 : 0.0);
        m.put("rkc.rho", unset(rho));
        m.put("rkc.rawRho", unset(rawRho));
        m.put("rkc.stepsSinceRho", (double) stepsSinceRho);
        m.put("rkc.rhoAtCurrentY", rhoAtCurrentY ? 1.0 : 0.0);
        m.put("rkc.rhoOverride", unset(rhoOverride));
        m.put(EVALUATIONS, (double) evaluations);
        m.put(SPECTRAL_EVALUATIONS, (double) spectralEvaluations);
        m.put(ACCEPTED, (double) acceptedSteps);
        m.put(REJECTED, (double) rejectedSteps);
        m.put(TOTAL_STAGES, (double) totalStages);
        m.put("rkc.lastStages", (double) lastStages);
        m.put("rkc.lastErr", unset(lastErr));
        return m;
    }

    /**
     * Restores {@link #state()}. Keys without the "rkc." prefix are ignored; a map with no "rkc." key at all resets
     * to a fresh integrator (a run that has not stepped yet); otherwise every key must be present.
     */
    public void restore(Map<String, Double> m) {
        if (m.keySet().stream().noneMatch(k -> k.startsWith("rkc."))) {
            reset();
            return;
        }
        hProposal = optional(get(m, "rkc.hProposal"));
        hPrev = optional(get(m, "rkc.hPrev"));
        errPrev = optional(get(m, "rkc.errPrev"));
        simpleNext = get(m, "rkc.simpleNext") != 0;
        rho = optional(get(m, "rkc.rho"));
        rawRho = optional(get(m, "rkc.rawRho"));
        stepsSinceRho = (int) get(m, "rkc.stepsSinceRho");
        rhoAtCurrentY = get(m, "rkc.rhoAtCurrentY") != 0;
        rhoOverride = optional(get(m, "rkc.rhoOverride"));
        evaluations = (long) get(m, EVALUATIONS);
        spectralEvaluations = (long) get(m, SPECTRAL_EVALUATIONS);
        acceptedSteps = (long) get(m, ACCEPTED);
        rejectedSteps = (long) get(m, REJECTED);
        totalStages = (long) get(m, TOTAL_STAGES);
        lastStages = (int) get(m, "rkc.lastStages");
        lastErr = optional(get(m, "rkc.lastErr"));
    }

    private void reset() {
        hProposal = hPrev = errPrev = rho = rawRho = lastErr = rhoOverride = Double.NaN;
        simpleNext = true;
        stepsSinceRho = 0;
        rhoAtCurrentY = false;
        evaluations = spectralEvaluations = acceptedSteps = rejectedSteps = totalStages = 0;
        lastStages = 0;
    }

    // "not known yet" (NaN) is stored as -1 so checkpoints hold finite numbers only; these values are otherwise >= 0
    private static double unset(double v) { return Double.isFinite(v) ? v : -1; }

    private static double optional(double v) { return v < 0 ? Double.NaN : v; }

    private static double get(Map<String, Double> m, String k) {
        Double v = m.get(k);
        if (v == null) throw new IllegalArgumentException("missing checkpoint key " + k);
        return v;
    }

    // ---------------------------------------------------------------------------------------------------------
    // counters and settings

    /** All F evaluations made by the integrator (stages, FSAL evaluations, power iteration). */
    public long evaluations() { return evaluations; }
    /** Evaluations spent in the power iteration (a subset of {@link #evaluations()}). */
    public long spectralEvaluations() { return spectralEvaluations; }
    public long acceptedSteps() { return acceptedSteps; }
    public long rejectedSteps() { return rejectedSteps; }
    /** Σ s over all attempted steps (each costs s evaluations). */
    public long totalStages() { return totalStages; }
    public int lastStages() { return lastStages; }
    /** Spectral radius in use (safety factor included, or the override); NaN before the first estimate. */
    public double lastSpectralRadius() { return rho; }
    /** Last power-iteration result before the safety factor. */
    public double lastRawSpectralRadius() { return rawRho; }
    public double lastError() { return lastErr; }
    /** Proposed size of the next step (NaN before the first step). */
    public double proposedStep() { return hProposal; }
    /** Alias of {@link #lastSpectralRadius()}. */
    public double spectralRadius() { return rho; }
    /** Alias of {@link #proposedStep()}. */
    public double stepSize() { return hProposal; }
    public double rtol() { return rtol; }
    public double atol() { return atol; }
    public double unitRoundoff() { return unitRoundoff; }
}
