package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Observer for Fig. 1C: the relative loss 𝓛(θ)/𝓛(θ₀) − 1 of one run at given unit counts (sorted, ≥ 1). Runs are
 * the chains of an {@link Ensemble}; {@link #pool} gives the mean and its standard error over runs.
 */
public final class LossCurve implements Observer {
    private final NessModel model;
    private final long[] units;
    private final double minimumLoss;
    private final double[] values;
    private int next;

    public LossCurve(NessModel model, double minimumLoss, long[] units) {
        this.model = model;
        this.minimumLoss = minimumLoss;
        this.units = units.clone();
        this.values = new double[units.length];
        Arrays.fill(values, Double.NaN);
    }

    @Override public void observe(long unit, double[] theta) {
        while (next < units.length && units[next] == unit) values[next++] = model.loss(theta) / minimumLoss - 1;
    }

    /** [mean, standard error] over the runs at each recorded unit. */
    public static double[][] pool(LossCurve[] runs) {
        int k = runs[0].values.length;
        double[][] out = new double[2][k];
        for (int p = 0; p < k; p++) {
            double s = 0, s2 = 0;
            for (LossCurve r : runs) {
                s += r.values[p];
                s2 += r.values[p] * r.values[p];
            }
            int n = runs.length;
            double mean = s / n;
            out[0][p] = mean;
            out[1][p] = n > 1 ? Math.sqrt(Math.max(0, (s2 - n * mean * mean) / (n - 1)) / n) : Double.NaN;
        }
        return out;
    }

    @Override public void writeState(DataOutput out) throws IOException {
        StateIO.writeDoubles(out, values);
        out.writeInt(next);
    }

    @Override public void readState(DataInput in) throws IOException {
        StateIO.readDoubles(in, values, "loss curve");
        next = in.readInt();
    }
}
