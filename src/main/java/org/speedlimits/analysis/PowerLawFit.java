package org.speedlimits.analysis;

/**
 * Least-squares fit of log y_k = log A - exponent * log k over k in [kMin, kMax] (1-based mode index), skipping
 * non-positive values. Multiplicative noise whose law does not depend on k (e.g. squared random projections)
 * only shifts log A, so the exponent stays unbiased.
 */
public record PowerLawFit(double exponent, double amplitude, int kMin, int kMax, int points) {

    /** Default fit range: k = 2 ... floor(m/2) (the top mode and the round-off-dominated tail excluded). */
    public static int[] defaultRange(int m) {
        return new int[]{Math.min(2, m), Math.max(Math.min(2, m), m / 2)};
    }

    public static PowerLawFit fit(double[] y, int kMin, int kMax) {
        if (kMin < 1 || kMax > y.length || kMax <= kMin) {
            throw new AnalysisException("power-law fit range k = " + kMin + ".." + kMax + " is not inside 1.." + y.length);
        }
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int count = 0;
        for (int k = kMin; k <= kMax; k++) {
            double v = y[k - 1];
            if (v > 0 && Double.isFinite(v)) {
                double lx = Math.log(k), ly = Math.log(v);
                sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly;
                count++;
            }
        }
        if (count < 2) {
            return new PowerLawFit(Double.NaN, Double.NaN, kMin, kMax, count);
        }
        double slope = (count * sxy - sx * sy) / (count * sxx - sx * sx);
        double intercept = (sy - slope * sx) / count;
        return new PowerLawFit(-slope, Math.exp(intercept), kMin, kMax, count);
    }

    public String range() {
        return kMin + "-" + kMax;
    }

    /** The paper's regime (Sec. 3.2): delta < 1 optimal up to O(1), delta > 1 not optimal in the scaling sense. */
    public static String regime(double delta) {
        if (Double.isNaN(delta)) return "";
        return delta < 1 ? "optimal up to O(1) (delta<1)" : "not optimal (delta>1)";
    }
}
