package org.speedlimits.linreg;

/**
 * The d, n -> infinity limit (d/n -> gamma) of {@link LinregTheory}, averaged over theta_* and theta_0
 * (concentration of quadratic forms) and over the Marchenko-Pastur law rho of the eigenvalues s of XX^T/n.
 * Per mode a(s) = s + c gamma, e = exp(-a t), w(s,t) = d v = lambda^{-1} e^2 + gamma beta^{-1} (1 - e^2)/a:
 * <pre>
 *   W2^2(t)            = int drho [ alpha (s/a)^2 (1-e)^2 + (lambda^{-1/2} - sqrt w)^2 ]
 *   eta beta^{-1} R(t) = int drho [ alpha/2 s^2/a (1-e^2) + a/2 (lambda^{-1} - w) + gamma beta^{-1}/2 ln(lambda w) ]
 * </pre>
 */
public final class LinregMpTheory {
    public final double gamma;
    public final LinregParams p;
    public final MarchenkoPastur mp;

    public LinregMpTheory(double gamma, LinregParams p) {
        this(new MarchenkoPastur(gamma), p);
    }

    public LinregMpTheory(MarchenkoPastur mp, LinregParams p) {
        this.gamma = mp.gamma;
        this.p = p;
        this.mp = mp;
    }

    private double rate(double s) {
        return s + p.c() * gamma;
    }

    private double e(double s, double t) {
        double a = rate(s);
        if (Double.isInfinite(t)) return a > 0 ? 0 : 1;
        return Math.exp(-a * t);
    }

    private double w(double s, double t) {
        double a = rate(s), e = e(s, t), tau = p.noise();
        double noise;
        if (tau == 0 || t == 0) noise = 0;
        else if (a == 0) noise = 2 * gamma * tau * t;
        else noise = gamma * tau * (Double.isInfinite(t) ? 1 : -Math.expm1(-2 * a * t)) / a;
        return e * e / p.lambda() + noise;
    }

    public double w2Squared(double t) {
        double li = 1 / p.lambda(), sl = Math.sqrt(li);
        return mp.integrate(s -> {
            double a = rate(s), e = e(s, t);
            double mean = s == 0 ? 0 : p.alpha() * (s / a) * (s / a) * (1 - e) * (1 - e);
            double dv = sl - Math.sqrt(w(s, t));
            return mean + dv * dv;
        });
    }

    public double etaEntropy(double t) {
        double li = 1 / p.lambda(), tau = p.noise();
        return mp.integrate(s -> {
            double a = rate(s), e = e(s, t), ww = w(s, t);
            double r = (s == 0 ? 0 : 0.5 * p.alpha() * s * s / a * (1 - e * e)) + 0.5 * a * (li - ww);
            if (tau > 0) r += 0.5 * gamma * tau * Math.log(p.lambda() * ww);
            return r;
        });
    }

    public double speedLimit(double t) {
        return w2Squared(t) / etaEntropy(t);
    }

    public double inefficiency(double t) {
        return t / speedLimit(t);
    }

    /** Derived beta -> infinity, t -> infinity value (lambda2 = 0): T_SL = 2 min(1, 1/gamma) / int s drho = 2 min(1, 1/gamma). */
    public static double gradientDescentLimit(double gamma) {
        return 2 * Math.min(1, 1 / gamma);
    }

    /** Paper Eq. 9 / Eq. 81 as printed: 2 (1 + alpha lambda) / int s drho (= 2 (1 + alpha lambda), the MP mean is 1). */
    public static double paperEq9(double alpha, double lambda) {
        return 2 * (1 + alpha * lambda);
    }

    /** Paper Eq. 80 as printed (t -> infinity), kept to document the discrepancy. */
    public double paperEq80() {
        double tau = p.noise(), c = p.c(), li = 1 / p.lambda();
        double num = li + p.alpha() * mp.integrate(s -> s * s / ((c * gamma + s) * (c * gamma + s)));
        double den = 0.5 * li * mp.integrate(s -> s);
        if (tau > 0) {
            num += tau * mp.integrate(s -> 1 / (c + s / gamma));
            num -= 2 * Math.sqrt(p.lambda() * tau) * mp.integrate(s -> 1 / Math.sqrt(c + s / gamma));
            den += -0.5 * gamma * tau * Math.log(1 / (p.lambda() * tau)) - 0.5 * gamma * tau * mp.integrate(s -> Math.log(Math.abs(c + s / gamma)));
        }
        return num / den;
    }
}
