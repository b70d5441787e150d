package org.speedlimits.linreg;

/**
 * Marchenko-Pastur law of the eigenvalues of XX^T/n, X in R^{d x n} with i.i.d. unit-variance entries,
 * d/n -> gamma: an atom of mass (1 - 1/gamma) at 0 when gamma > 1, plus the bulk density
 * nu(x) = sqrt((g+ - x)(x - g-)) / (2 pi gamma x) on [g-, g+], g+- = (1 +- sqrt(gamma))^2.
 * Integrals are computed by a quadrature in the angle x = c + h cos(phi) (c=(g+ + g-)/2, h=(g+ - g-)/2),
 * which removes the square-root endpoint singularities (spectrally accurate midpoint rule in phi).
 */
public final class MarchenkoPastur {
    public final double gamma;
    public final double lower, upper;
    /** Quadrature nodes/weights, including the atom at 0 (if any) as the first node. */
    public final double[] nodes, weights;

    public MarchenkoPastur(double gamma) {
        this(gamma, 512);
    }

    public MarchenkoPastur(double gamma, int points) {
        if (!(gamma > 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("gamma must be positive, got " + gamma);
        this.gamma = gamma;
        double sg = Math.sqrt(gamma);
        lower = (1 - sg) * (1 - sg);
        upper = (1 + sg) * (1 + sg);
        boolean atom = gamma > 1;
        int off = atom ? 1 : 0;
        nodes = new double[points + off];
        weights = new double[points + off];
        if (atom) {
            nodes[0] = 0;
            weights[0] = 1 - 1 / gamma;
        }
        double c = 0.5 * (upper + lower), h = 0.5 * (upper - lower);
        for (int j = 0; j < points; j++) {
            double phi = Math.PI * (j + 0.5) / points;
            double x = c + h * Math.cos(phi);
            double sin = Math.sin(phi);
            nodes[off + j] = x;
            // nu(x) dx = h^2 sin^2(phi) / (2 pi gamma x) dphi
            weights[off + j] = h * h * sin * sin / (2 * Math.PI * gamma * x) * (Math.PI / points);
        }
    }

    /** Bulk density nu(x) (without the atom). */
    public double density(double x) {
        if (x <= lower || x >= upper) return 0;
        return Math.sqrt((upper - x) * (x - lower)) / (2 * Math.PI * gamma * x);
    }

    /** Mass of the atom at 0. */
    public double atom() {
        return gamma > 1 ? 1 - 1 / gamma : 0;
    }

    public double integrate(java.util.function.DoubleUnaryOperator f) {
        double s = 0;
        for (int j = 0; j < nodes.length; j++) s += weights[j] * f.applyAsDouble(nodes[j]);
        return s;
    }

    /** Known closed-form moments: E s = 1, E s^2 = 1 + gamma, E s^3 = 1 + 3 gamma + gamma^2, E s^4 = 1 + 6g + 6g^2 + g^3. */
    public static double exactMoment(int k, double g) {
        // Narayana polynomials: E s^k = sum_{r=1}^{k} N(k,r) g^{r-1}, N(k,r) = C(k,r) C(k,r-1) / k.
        if (k == 0) return 1;
        double s = 0;
        for (int r = 1; r <= k; r++) s += binom(k, r) * binom(k, r - 1) / k * Math.pow(g, r - 1);
        return s;
    }

    private static double binom(int n, int k) {
        double b = 1;
        for (int i = 1; i <= k; i++) b = b * (n - k + i) / i;
        return b;
    }
}
