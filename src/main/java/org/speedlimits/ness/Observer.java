package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Watches one chain's θ after every unit it is called for (every {@code thin}-th unit of a {@link Chain}), and
 * carries whatever it accumulates through checkpoints: {@link #writeState} must write everything that its future
 * results depend on, exactly (raw doubles), and {@link #readState} must restore it into a freshly constructed
 * observer of the same settings, so that a resumed run ends in byte-identical state.
 */
public interface Observer {
    /** θ after unit {@code unit} (1-based count of the chain's units); θ must not be modified or kept. */
    void observe(long unit, double[] theta);

    void writeState(DataOutput out) throws IOException;

    /** Reads what {@link #writeState} wrote; throws IOException if it was written by an observer of other settings. */
    void readState(DataInput in) throws IOException;
}
