package org.speedlimits.linreg;

/**
 * Physical parameters of the teacher-student linear regression (paper Sec. 3.1 / App. C).
 *
 * @param lambda  initial weights theta_0 ~ N(0, (lambda d)^{-1} I)
 * @param lambda2 extra weight decay: c_d = (lambda + lambda2) d / beta (lambda2 = 0: p_0 is the
 *                stationary law of the loss-free dynamics, the setting of paper Eq. 23)
 * @param alpha   teacher theta_* ~ N(0, alpha/d I)
 * @param noise   temperature beta^{-1} >= 0 (0 = gradient descent / gradient flow)
 */
public record LinregParams(double lambda, double lambda2, double alpha, double noise) {
    public LinregParams {
        if (!(lambda > 0)) throw new IllegalArgumentException("lambda must be > 0, got " + lambda);
        if (!(noise >= 0) || Double.isInfinite(noise)) throw new IllegalArgumentException("noise (1/beta) must be finite and >= 0, got " + noise);
        if (!(alpha >= 0)) throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
        if (!(lambda + lambda2 >= 0)) throw new IllegalArgumentException("lambda + lambda2 must be >= 0");
    }

    public LinregParams withNoise(double tau) {
        return new LinregParams(lambda, lambda2, alpha, tau);
    }

    /** c = (lambda + lambda2)/beta; the weight decay is c_d = c d. */
    public double c() {
        return (lambda + lambda2) * noise;
    }
}
