package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Standard errors by batch means: a long correlated series is cut into B consecutive batches much longer than its
 * correlation time, each batch gives an estimate of every statistic, and the batch estimates are treated as B
 * independent draws, SE = sd(batch estimates)/√B (sd with B − 1). This class keeps the running mean and sum of
 * squared deviations of the batch estimates (Welford), per entry of a statistics vector; the estimators decide
 * what a batch's estimate is.
 */
public final class BatchMeans {
    private final double[] mean;
    private final double[] m2;
    private long batches;

    public BatchMeans(int statistics) {
        mean = new double[statistics];
        m2 = new double[statistics];
    }

    /** Adds one batch's estimates (length = number of statistics). */
    public void add(double[] estimate) {
        batches++;
        double inv = 1.0 / batches;
        for (int i = 0; i < mean.length; i++) {
            double d = estimate[i] - mean[i];
            mean[i] += d * inv;
            m2[i] += d * (estimate[i] - mean[i]);
        }
    }

    public long batches() {
        return batches;
    }

    /** SE of entry i: √(m2/(B−1)/B); NaN with fewer than 2 batches. */
    public double standardError(int i) {
        return batches < 2 ? Double.NaN : Math.sqrt(m2[i] / (batches - 1) / batches);
    }

    /** The mean of the batch estimates of entry i. */
    public double mean(int i) {
        return mean[i];
    }

    void writeState(DataOutput out) throws IOException {
        out.writeLong(batches);
        StateIO.writeDoubles(out, mean);
        StateIO.writeDoubles(out, m2);
    }

    void readState(DataInput in) throws IOException {
        batches = in.readLong();
        StateIO.readDoubles(in, mean, "batch means");
        StateIO.readDoubles(in, m2, "batch squared deviations");
    }
}
