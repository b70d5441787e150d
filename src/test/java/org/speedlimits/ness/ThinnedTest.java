package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** Thinned passes exactly the units divisible by k, and its state is the wrapped observer's. */
class ThinnedTest {
    @Test
    void passesEveryKthUnitAndCarriesTheInnerState() throws Exception {
        Rng rng = new Rng(3);
        Moments direct = Moments.aboutMean(2, 5), wrapped = Moments.aboutMean(2, 5);
        Thinned thin = new Thinned(wrapped, 7);
        for (long unit = 1; unit <= 700; unit++) {
            double[] x = {rng.nextGaussian(), rng.nextGaussian() + 3};
            thin.observe(unit, x);
            if (unit % 7 == 0) direct.add(x);
        }
        assertEquals(100, wrapped.count());
        assertArrayEquals(direct.covariance(), wrapped.covariance(), 0);
        assertArrayEquals(direct.mean(), wrapped.mean(), 0);
        Moments all = Moments.aboutMean(2, 5);
        Thinned none = new Thinned(all, 1);
        for (long unit = 1; unit <= 700; unit++) none.observe(unit, new double[]{unit, -unit});
        assertEquals(700, all.count(), "k = 1 passes every unit");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        thin.writeState(new DataOutputStream(bytes));
        Moments restored = Moments.aboutMean(2, 5);
        new Thinned(restored, 7).readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertArrayEquals(wrapped.covariance(), restored.covariance(), 0);
    }
}
