package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One chain: θ, its own {@link Rng} stream, its own {@link Sampler} instance, the count of units done, and the
 * observers called every {@code thin} units (on the absolute unit count, so a resumed chain keeps the phase).
 * Its complete state — θ, rng, the sampler's index arrangement, the unit count and every observer's accumulators —
 * is what {@link #writeState} saves, so that k units + save + restore + (K−k) units equals K units bit for bit.
 */
public final class Chain {
    private final Sampler sampler;
    private final Rng rng;
    private final double[] theta;
    private final int thin;
    private final Observer[] observers;
    private long units;

    /** A chain at unit 0 from θ₀ (copied). */
    public Chain(Sampler sampler, Rng rng, double[] theta0, int thin, Observer... observers) {
        if (theta0.length != sampler.model().parameters()) {
            throw new IllegalArgumentException("theta has " + theta0.length + " entries, the model N = " + sampler.model().parameters());
        }
        if (thin < 1) throw new IllegalArgumentException("thin " + thin + " < 1");
        this.sampler = sampler;
        this.rng = rng;
        this.theta = theta0.clone();
        this.thin = thin;
        this.observers = observers.clone();
    }

    /** Runs {@code count} more units. */
    public void run(long count) {
        for (long u = 0; u < count; u++) {
            sampler.advance(theta, rng);
            observeIfDue();
        }
    }

    /**
     * Runs {@code count} more units, calling {@code steps} after each SGD step inside them (see
     * {@link Sampler#advance(double[], Rng, Sampler.StepListener)}; during the call {@link #units()} is the number of
     * units completed before the current one).
     */
    public void run(long count, Sampler.StepListener steps) {
        for (long u = 0; u < count; u++) {
            sampler.advance(theta, rng, steps);
            observeIfDue();
        }
    }

    private void observeIfDue() {
        units++;
        if (units % thin == 0) {
            for (Observer o : observers) o.observe(units, theta);
        }
    }

    /** θ now (a copy). */
    public double[] theta() {
        return theta.clone();
    }

    /** Units completed. */
    public long units() {
        return units;
    }

    public Sampler sampler() {
        return sampler;
    }

    /** This chain's observers, in construction order. */
    public Observer observer(int i) {
        return observers[i];
    }

    public int observers() {
        return observers.length;
    }

    /** The rng's state now (a copy). */
    public long[] rngState() {
        return rng.state();
    }

    void writeState(DataOutput out) throws IOException {
        out.writeLong(units);
        StateIO.writeDoubles(out, theta);
        StateIO.writeLongs(out, rng.state());
        StateIO.writeInts(out, sampler.state());
        out.writeInt(observers.length);
        for (Observer o : observers) {
            out.writeUTF(o.getClass().getName());
            o.writeState(out);
        }
    }

    void readState(DataInput in) throws IOException {
        long u = in.readLong();
        if (u < 0) throw new IOException("negative unit count " + u);
        StateIO.readDoubles(in, theta, "theta");
        long[] r = new long[Rng.STATE_LONGS];
        StateIO.readLongs(in, r, "rng state");
        int[] s = StateIO.readInts(in, sampler.model().examples(), "sampler state");
        try {
            rng.restore(r);
            sampler.restore(s);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt chain state: " + e.getMessage(), e);
        }
        int k = in.readInt();
        if (k != observers.length) throw new IOException("checkpoint has " + k + " observers per chain, this run " + observers.length);
        for (Observer o : observers) {
            StateIO.expect(in, o.getClass().getName(), "observer");
            o.readState(in);
        }
        units = u;
    }
}
