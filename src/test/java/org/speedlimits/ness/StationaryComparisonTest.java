package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The summary metrics of stationary_summary.csv on hand-made matrices whose answers are known. */
class StationaryComparisonTest {
    @Test
    void metricsOfAKnownDeviation() {
        int n = 4;
        double[][] theory = new double[n][n], sim = new double[n][n], se = new double[n][n];
        double[] var = {4, 3, 2, 0}; // the last parameter gets no noise: left out of the variance statistics
        double[] rel = {0.1, -0.2, 0.3, 0};
        for (int i = 0; i < n; i++) {
            theory[i][i] = var[i];
            sim[i][i] = var[i] * (1 + rel[i]);
            se[i][i] = 0.1 * var[i];
        }
        double[][] circ = new double[n][n], area = new double[n][n];
        circ[0][1] = 5; circ[1][0] = -5;
        circ[0][2] = -1; circ[2][0] = 1;
        area[0][1] = 4; area[1][0] = -4;
        area[0][2] = 1; area[2][0] = -1; // wrong sign on the smaller entry
        Map<String, Double> m = StationaryComparison.of(sim, se, theory, area, circ);
        assertEquals(3.0, m.get("variances_compared"));
        assertEquals(1.0, m.get("variances_with_zero_theory"));
        assertEquals(0.2, m.get("variance_rel_error_median"), 1e-15);
        assertEquals(0.2 + 0.8 * 0.1, m.get("variance_rel_error_p90"), 1e-15); // between 0.2 and 0.3
        assertEquals(2.0, m.get("variance_error_in_se_median"), 1e-12);
        assertEquals(0.3, m.get("top50_variance_rel_error_max"), 1e-15);
        double sigmaErr = Math.sqrt(0.4 * 0.4 + 0.6 * 0.6 + 0.6 * 0.6) / Math.sqrt(16 + 9 + 4);
        assertEquals(sigmaErr, m.get("sigma_rel_frobenius"), 1e-15);
        assertEquals(0.5, m.get("top200_circulation_sign_agreement")); // 2 entries above the diagonal, one agrees
        assertEquals(Math.sqrt(2 * (1 + 4)) / Math.sqrt(2 * (25 + 1)), m.get("circulation_rel_frobenius"), 1e-15);
        // no circulation theory: no circulation metrics
        assertFalse(StationaryComparison.of(sim, se, theory, area, new double[n][n]).containsKey("circulation_rel_frobenius"));
    }
}
