package org.speedlimits.ness;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Rng}: known answers from an independent implementation, exact continuation after restore, streams, and
 * distribution checks with tolerances stated in units of the standard error of each statistic.
 */
class RngTest {
    /**
     * Seed 42 through SplitMix64, the first outputs of xoshiro256**, and the state after one jump, from a separate
     * Python transcription of the reference C code in which the jump is the 256×256 GF(2) transition matrix raised
     * to 2¹²⁸ by 128 squarings (so the jump polynomial's constants are checked, not copied).
     */
    @Test
    void knownAnswersFromIndependentImplementation() {
        long[] seeded = {-4767286540954276203L, 2949826092126892291L, 5139283748462763858L, 6349198060258255764L};
        Rng r = new Rng(42);
        long[] st = r.state();
        for (int i = 0; i < 4; i++) assertEquals(seeded[i], st[i], "seeded word " + i);
        // the JDK's SplittableRandom uses the same SplitMix64 increment and mix: a second independent source
        assertEquals(new SplittableRandom(42).nextLong(), seeded[0]);
        long[] first = {1546998764402558742L, 6990951692964543102L, -5902157311460992607L,
                        -1389169964527427423L, -151191095644234140L};
        for (long expected : first) assertEquals(expected, r.nextLong());

        Rng j = new Rng(42);
        j.jump();
        long[] jumped = {-9118550074381003083L, 7232381093710323886L, -831081080334571476L, 2563666913258560417L};
        long[] js = j.state();
        for (int i = 0; i < 4; i++) assertEquals(jumped[i], js[i], "jumped word " + i);
        assertEquals(5766981335298035530L, j.nextLong());
    }

    @Test
    void restoreContinuesIdenticallyIncludingTheCachedNormal() {
        Rng a = new Rng(7);
        for (int i = 0; i < 1001; i++) a.nextGaussian(); // odd count: a normal is cached
        long[] saved = a.state();
        assertEquals(1, saved[4], "an odd number of normals leaves one cached");
        double[] expected = new double[64];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = switch (i % 4) {
                case 0 -> a.nextGaussian();
                case 1 -> a.nextDouble();
                case 2 -> a.nextInt(1 + i);
                default -> a.nextLong();
            };
        }
        Rng b = new Rng(123456); // unrelated seed, then restored
        b.restore(saved);
        for (int i = 0; i < expected.length; i++) {
            double got = switch (i % 4) {
                case 0 -> b.nextGaussian();
                case 1 -> b.nextDouble();
                case 2 -> b.nextInt(1 + i);
                default -> b.nextLong();
            };
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(got), "draw " + i);
        }
        // negative control: without the cached normal the continuation differs
        long[] dropped = saved.clone();
        dropped[4] = 0;
        Rng c = new Rng(1);
        c.restore(dropped);
        Rng d = new Rng(1);
        d.restore(saved);
        assertNotEquals(d.nextGaussian(), c.nextGaussian());
        assertThrows(IllegalArgumentException.class, () -> new Rng(1).restore(new long[6]));
        assertThrows(IllegalArgumentException.class, () -> new Rng(1).restore(new long[5]));
    }

    @Test
    void splitHandsOutTheJumpStreams() {
        Rng base = new Rng(99);
        for (int k = 0; k < 4; k++) {
            Rng child = base.split();
            assertArrayEquals(Rng.stream(99, k).state(), child.state(), "stream " + k);
        }
        Rng s0 = Rng.stream(99, 0), s1 = Rng.stream(99, 1);
        assertNotEquals(s0.nextLong(), s1.nextLong());
        Rng x = new Rng(5);
        Rng y = x.copy();
        assertEquals(x.nextLong(), y.nextLong());
    }

    /** Mean 1/2 and variance 1/12 of nextDouble, within 5 standard errors (n = 2·10⁶). */
    @Test
    void uniformMoments() {
        Rng r = new Rng(2024);
        int n = 2_000_000;
        double s = 0, s2 = 0, min = 1, max = 0;
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            s += u;
            s2 += u * u;
            min = Math.min(min, u);
            max = Math.max(max, u);
        }
        double mean = s / n, var = s2 / n - mean * mean;
        assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 12 / n));
        // Var of (u-1/2)² is 1/80 - 1/144 = 1/180
        assertEquals(1.0 / 12, var, 5 * Math.sqrt(1.0 / 180 / n));
        assertTrue(min >= 0 && max < 1);
    }

    /**
     * nextInt(bound) is uniform: Pearson χ² over the bins against its χ²(k−1) distribution (mean k−1, sd
     * √(2(k−1))), within 5 sd; and for a bound near 2³¹ the low third has probability 1/3, where the usual
     * "r mod bound" shortcut would give it 3/8.
     */
    @Test
    void boundedIntegersAreUniform() {
        Rng r = new Rng(31337);
        for (int bound : new int[] {7, 200, 1000}) {
            int n = 100 * 1000 * (bound <= 200 ? 10 : 3);
            long[] count = new long[bound];
            for (int i = 0; i < n; i++) count[r.nextInt(bound)]++;
            double chi2 = 0, e = (double) n / bound;
            for (long c : count) chi2 += (c - e) * (c - e) / e;
            assertEquals(bound - 1, chi2, 5 * Math.sqrt(2.0 * (bound - 1)), "bound " + bound);
        }
        // bound = 3·2²⁹ + 1: with r mod bound the values below 2³² − 2·bound ≈ 2·bound/3 have three preimages
        // among the 2³² words and the rest two, so P(x < bound/3) would be bound/2³² = 0.375
        int bound = 3 * (1 << 29) + 1;
        int n = 600_000, below = 0;
        for (int i = 0; i < n; i++) {
            int x = r.nextInt(bound);
            assertTrue(x >= 0 && x < bound);
            if (x < bound / 3) below++;
        }
        assertEquals(1.0 / 3, (double) below / n, 5 * Math.sqrt(2.0 / 9 / n));
        assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
    }

    /**
     * Normal moments E z = 0, E z² = 1, E z³ = 0, E z⁴ = 3 within 5 standard errors (the SEs from the normal's own
     * higher moments: Var z^k = E z^{2k} − (E z^k)², i.e. 1, 2, 15, 96), and the correlation between the two
     * normals of a polar pair ≈ 0.
     */
    @Test
    void gaussianMoments() {
        Rng r = new Rng(8);
        int n = 2_000_000;
        double m1 = 0, m2 = 0, m3 = 0, m4 = 0, pair = 0;
        for (int i = 0; i < n; i += 2) {
            double z = r.nextGaussian(), w = r.nextGaussian();
            pair += z * w;
            for (double x : new double[] {z, w}) {
                double x2 = x * x;
                m1 += x;
                m2 += x2;
                m3 += x2 * x;
                m4 += x2 * x2;
            }
        }
        assertEquals(0, m1 / n, 5 * Math.sqrt(1.0 / n));
        assertEquals(1, m2 / n, 5 * Math.sqrt(2.0 / n));
        assertEquals(0, m3 / n, 5 * Math.sqrt(15.0 / n));
        assertEquals(3, m4 / n, 5 * Math.sqrt(96.0 / n));
        assertEquals(0, pair / (n / 2), 5 * Math.sqrt(2.0 / n));
        // tail: P(|z| > 3) = 0.0026998 (erfc(3/√2))
        Rng t = new Rng(9);
        int tail = 0;
        for (int i = 0; i < n; i++) if (Math.abs(t.nextGaussian()) > 3) tail++;
        double p = 0.0026997960632601866;
        assertEquals(p, (double) tail / n, 5 * Math.sqrt(p * (1 - p) / n));
    }
}
