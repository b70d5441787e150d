package org.speedlimits.ness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Summary numbers of a simulated stationary state against its theory (Fig. 3's comparison in a few numbers, for
 * {@code stationary_summary.csv}): relative Frobenius errors of Σ and C, the distribution of the relative variance
 * errors |Σ_ii − Σ^th_ii| / Σ^th_ii (median, 90th percentile, the largest variances on their own), the same in
 * standard errors, and the fraction of the largest (non-zero) theory circulation entries whose simulated sign agrees. Entries
 * whose theory variance is 0 (parameters that no noise reaches, e.g. MNIST's blank pixel) are left out of the
 * variance statistics and counted.
 */
final class StationaryComparison {
    private StationaryComparison() {}

    /** Σ's largest theory variances reported on their own. */
    static final int TOP_VARIANCES = 50;
    /** C's largest |theory| entries whose sign is checked. */
    static final int TOP_CIRCULATION = 200;

    /** The metrics, in a fixed order; circulation ones only if {@code circTheory} has a non-zero entry. */
    static Map<String, Double> of(double[][] sigma, double[][] sigmaSE, double[][] sigmaTheory,
                                  double[][] area, double[][] circTheory) {
        Map<String, Double> out = new LinkedHashMap<>();
        int n = sigma.length;
        out.put("sigma_rel_frobenius", NessTheory.relDiff(sigma, sigmaTheory));
        List<double[]> v = new ArrayList<>(); // {theory, relative error, error in SE}
        for (int i = 0; i < n; i++) {
            double t = sigmaTheory[i][i];
            if (t == 0) continue;
            double dev = sigma[i][i] - t;
            v.add(new double[]{t, Math.abs(dev) / t, sigmaSE[i][i] > 0 ? Math.abs(dev) / sigmaSE[i][i] : Double.NaN});
        }
        out.put("variances_compared", (double) v.size());
        out.put("variances_with_zero_theory", (double) (n - v.size()));
        double[] rel = v.stream().mapToDouble(e -> e[1]).sorted().toArray();
        double[] se = v.stream().mapToDouble(e -> e[2]).filter(Double::isFinite).sorted().toArray();
        out.put("variance_rel_error_median", quantile(rel, 0.5));
        out.put("variance_rel_error_p90", quantile(rel, 0.9));
        out.put("variance_error_in_se_median", quantile(se, 0.5));
        v.sort(Comparator.comparingDouble((double[] e) -> -e[0]));
        double[] top = v.subList(0, Math.min(TOP_VARIANCES, v.size())).stream().mapToDouble(e -> e[1]).sorted().toArray();
        out.put("top" + TOP_VARIANCES + "_variance_rel_error_median", quantile(top, 0.5));
        out.put("top" + TOP_VARIANCES + "_variance_rel_error_max", top.length == 0 ? Double.NaN : top[top.length - 1]);
        if (NessLinalg.maxAbs(circTheory) > 0) {
            out.put("circulation_rel_frobenius", NessTheory.relDiff(area, circTheory));
            List<double[]> c = new ArrayList<>();
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) if (circTheory[i][j] != 0) c.add(new double[]{circTheory[i][j], area[i][j]});
            c.sort(Comparator.comparingDouble((double[] e) -> -Math.abs(e[0])));
            int k = Math.min(TOP_CIRCULATION, c.size()), agree = 0;
            for (int t = 0; t < k; t++) if (Math.signum(c.get(t)[0]) == Math.signum(c.get(t)[1])) agree++;
            out.put("top" + TOP_CIRCULATION + "_circulation_sign_agreement", k == 0 ? Double.NaN : agree / (double) k);
        }
        return out;
    }

    /** The q-quantile of sorted values (linear interpolation); NaN if empty. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
