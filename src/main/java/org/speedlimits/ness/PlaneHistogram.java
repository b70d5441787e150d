package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Observer for Fig. 2: counts of (θ_a − c_a)/s_a, (θ_b − c_b)/s_b in a bins × bins grid over [x0, x1) × [y0, y1)
 * (samples outside are counted apart), i.e. the 2-D marginal of the stationary distribution in plot units.
 */
public final class PlaneHistogram implements Observer {
    private final int a, b, bins;
    private final double ca, cb, sa, sb, x0, x1, y0, y1;
    private final long[] counts;
    private long outside;

    public PlaneHistogram(int a, int b, double[] centre, double scaleA, double scaleB, double x0, double x1, double y0, double y1, int bins) {
        if (!(x1 > x0 && y1 > y0) || bins < 1) throw new IllegalArgumentException("bad histogram range or bins");
        this.a = a;
        this.b = b;
        this.ca = centre[a];
        this.cb = centre[b];
        this.sa = scaleA;
        this.sb = scaleB;
        this.x0 = x0;
        this.x1 = x1;
        this.y0 = y0;
        this.y1 = y1;
        this.bins = bins;
        this.counts = new long[bins * bins];
    }

    @Override public void observe(long unit, double[] theta) {
        double x = (theta[a] - ca) / sa, y = (theta[b] - cb) / sb;
        int i = (int) Math.floor((x - x0) / (x1 - x0) * bins), j = (int) Math.floor((y - y0) / (y1 - y0) * bins);
        if (i < 0 || j < 0 || i >= bins || j >= bins) outside++;
        else counts[i * bins + j]++;
    }

    /** Probability density per unit area in plot units, [i][j] (samples outside the grid count in the total). */
    public double[][] density(PlaneHistogram... more) {
        long total = outside;
        long[] sum = counts.clone();
        for (long c : counts) total += c;
        for (PlaneHistogram h : more) {
            total += h.outside;
            for (int k = 0; k < sum.length; k++) {
                sum[k] += h.counts[k];
                total += h.counts[k];
            }
        }
        double area = (x1 - x0) / bins * ((y1 - y0) / bins);
        double[][] out = new double[bins][bins];
        for (int i = 0; i < bins; i++) for (int j = 0; j < bins; j++) out[i][j] = total == 0 ? 0 : sum[i * bins + j] / (total * area);
        return out;
    }

    public double[] xEdges() {
        return edges(x0, x1);
    }

    public double[] yEdges() {
        return edges(y0, y1);
    }

    private double[] edges(double lo, double hi) {
        double[] e = new double[bins + 1];
        for (int i = 0; i <= bins; i++) e[i] = lo + (hi - lo) * i / bins;
        return e;
    }

    public long outside() {
        return outside;
    }

    @Override public void writeState(DataOutput out) throws IOException {
        out.writeInt(bins);
        StateIO.writeLongs(out, counts);
        out.writeLong(outside);
    }

    @Override public void readState(DataInput in) throws IOException {
        if (in.readInt() != bins) throw new IOException("PlaneHistogram bins differ");
        StateIO.readLongs(in, counts, "histogram counts");
        outside = in.readLong();
    }
}
