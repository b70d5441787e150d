package org.speedlimits.analysis;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PowerLawFitTest {

    @Test
    void recoversAlphaExactlyAndDeltaFromNoisyProjections() {
        int m = 2000;
        double alpha = 1.3, delta = 0.7;
        Random rnd = new Random(11);
        double[] lambda = new double[m], proj2 = new double[m];
        for (int k = 1; k <= m; k++) {
            lambda[k - 1] = 4.2 * Math.pow(k, -alpha);
            double z = rnd.nextGaussian();
            proj2[k - 1] = 0.3 * Math.pow(k, -delta) * z * z; // squared Gaussian projection: chi^2_1 noise
        }
        int[] range = PowerLawFit.defaultRange(m);
        assertEquals(2, range[0]);
        assertEquals(1000, range[1]);
        PowerLawFit a = PowerLawFit.fit(lambda, range[0], range[1]);
        assertEquals(alpha, a.exponent(), 1e-10);
        assertEquals(4.2, a.amplitude(), 1e-8);
        PowerLawFit d = PowerLawFit.fit(proj2, range[0], range[1]);
        assertEquals(delta, d.exponent(), 0.06);
        assertTrue(PowerLawFit.regime(d.exponent()).startsWith("optimal"));
    }

    @Test
    void regimeFollowsDeltaAndBadRangeIsRejected() {
        assertTrue(PowerLawFit.regime(1.6).startsWith("not optimal"));
        assertTrue(PowerLawFit.regime(0.4).startsWith("optimal"));
        double[] steep = new double[100];
        for (int k = 1; k <= 100; k++) steep[k - 1] = Math.pow(k, -2.5);
        assertEquals(2.5, PowerLawFit.fit(steep, 3, 60).exponent(), 1e-10);
        AnalysisException e = assertThrows(AnalysisException.class, () -> PowerLawFit.fit(steep, 0, 200));
        assertTrue(e.getMessage().contains("0..200"), e.getMessage());
    }
}
