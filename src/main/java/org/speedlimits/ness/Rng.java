package org.speedlimits.ness;

import java.util.Arrays;

/**
 * The samplers' random numbers: xoshiro256** (Blackman &amp; Vigna 2018; period 2²⁵⁶ − 1), seeded from a long through
 * SplitMix64, with its complete state readable and restorable so that a resumed chain continues the very same
 * sequence ({@link #state()}, {@link #restore}). Independent streams for chains come from {@link #jump()} (2¹²⁸
 * steps ahead), which {@link #split()} and {@link #stream} use. Not thread-safe: one instance per chain.
 *
 * <p>{@link #nextInt(int)} is Lemire's unbiased multiply-and-reject method; {@link #nextGaussian()} is Marsaglia's
 * polar method, whose second normal of each pair is cached — the cache is part of {@link #state()}.
 */
public final class Rng {
    /** Length of {@link #state()}: the four xoshiro words, the has-cached-normal flag, the cached normal's bits. */
    public static final int STATE_LONGS = 6;

    /** The jump polynomial of xoshiro256 (2¹²⁸ steps), from the reference implementation. */
    private static final long[] JUMP = {0x180EC6D33CFD0ABAL, 0xD5A61266F0C9392CL, 0xA9582618E03FC9AAL, 0x39ABDC4529B1661CL};

    private long s0, s1, s2, s3;
    private boolean haveNormal;
    private double cachedNormal;

    /** A generator whose 256-bit state is four successive SplitMix64 outputs from {@code seed}. */
    public Rng(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private Rng(Rng other) {
        restore(other.state());
    }

    /** Chain k's stream of seed {@code seed}: {@code new Rng(seed)} jumped k times (streams 2¹²⁸ apart). */
    public static Rng stream(long seed, int k) {
        if (k < 0) throw new IllegalArgumentException("stream index " + k + " < 0");
        Rng r = new Rng(seed);
        for (int i = 0; i < k; i++) r.jump();
        return r;
    }

    /** The SplitMix64 output function (Steele, Lea &amp; Flood 2014) applied to one state value. */
    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64 uniformly random bits (xoshiro256**). */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform on [0, 1): the top 53 bits times 2⁻⁵³ (the low bits of xoshiro256** are as good, but this is exact). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Uniform on {0, …, bound−1} without bias (Lemire 2019, "Fast random integer generation in an interval"): the
     * high word of a 32×32-bit product, rejecting the (2³² mod bound) low words that would over-represent some
     * values; the modulus is only computed when a rejection is possible.
     */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound " + bound + " <= 0");
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** A standard normal (Marsaglia polar method; every second call returns the cached partner). */
    public double nextGaussian() {
        if (haveNormal) {
            haveNormal = false;
            return cachedNormal;
        }
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.sqrt(-2 * Math.log(s) / s);
        cachedNormal = v * f;
        haveNormal = true;
        return u * f;
    }

    /** Adds {@code scale · z} to {@code x[0..n)}, z ~ N(0, I): the Langevin and earthquake noise. */
    public void addGaussian(double[] x, int n, double scale) {
        for (int a = 0; a < n; a++) x[a] += scale * nextGaussian();
    }

    /**
     * Advances the state by 2¹²⁸ calls of {@link #nextLong()} (the published jump polynomial), so 2¹²⁸
     * non-overlapping streams can be cut from one seed. Drops a cached normal, which belongs to the old position.
     */
    public void jump() {
        long t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        for (long p : JUMP) {
            for (int b = 0; b < 64; b++) {
                if ((p & (1L << b)) != 0) {
                    t0 ^= s0;
                    t1 ^= s1;
                    t2 ^= s2;
                    t3 ^= s3;
                }
                nextLong();
            }
        }
        s0 = t0;
        s1 = t1;
        s2 = t2;
        s3 = t3;
        haveNormal = false;
        cachedNormal = 0;
    }

    /**
     * Returns a generator at this one's current position and jumps this one 2¹²⁸ ahead: calling it K times on one
     * seeded generator hands K chains non-overlapping streams, the k-th equal to {@link #stream}(seed, k).
     */
    public Rng split() {
        Rng child = new Rng(this);
        jump();
        return child;
    }

    /** An independent copy in the same state (same future outputs). */
    public Rng copy() {
        return new Rng(this);
    }

    /** The complete state, {@link #STATE_LONGS} longs: s0..s3, 1 if a normal is cached else 0, its raw bits. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, haveNormal ? 1 : 0, Double.doubleToRawLongBits(cachedNormal)};
    }

    /** Puts this generator into a state read by {@link #state()}; it then continues exactly as that one did. */
    public void restore(long[] state) {
        if (state.length != STATE_LONGS) {
            throw new IllegalArgumentException("Rng state has " + state.length + " longs, expected " + STATE_LONGS);
        }
        if ((state[0] | state[1] | state[2] | state[3]) == 0) {
            throw new IllegalArgumentException("Rng state is all zero (not a xoshiro256 state)");
        }
        if (state[4] != 0 && state[4] != 1) throw new IllegalArgumentException("Rng state flag " + state[4]);
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        haveNormal = state[4] == 1;
        cachedNormal = Double.longBitsToDouble(state[5]);
    }

    @Override
    public String toString() {
        return "Rng" + Arrays.toString(state());
    }
}
