package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * An observer that passes every {@code every}-th unit (by the chain's absolute unit count, so a resumed chain keeps
 * the phase) to another: covariance estimates need far fewer than all samples of a slowly decorrelating chain,
 * while the area matrix (Eq. 26) needs every step.
 */
public final class Thinned implements Observer {
    private final Observer inner;
    private final int every;

    public Thinned(Observer inner, int every) {
        if (every < 1) throw new IllegalArgumentException("every " + every + " < 1");
        this.inner = inner;
        this.every = every;
    }

    @Override public void observe(long unit, double[] theta) {
        if (unit % every == 0) inner.observe(unit, theta);
    }

    @Override public void writeState(DataOutput out) throws IOException {
        inner.writeState(out);
    }

    @Override public void readState(DataInput in) throws IOException {
        inner.readState(in);
    }
}
