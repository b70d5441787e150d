package org.speedlimits.ness;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Counts in equal bins on [lo, hi), with values below, at or above hi, and NaN counted apart. */
public final class Histogram {
    private final double lo, hi, width;
    private final long[] counts;
    private long below, above;

    public Histogram(double lo, double hi, int bins) {
        if (!(hi > lo) || bins < 1) throw new IllegalArgumentException("histogram [" + lo + ", " + hi + ") with " + bins + " bins");
        this.lo = lo;
        this.hi = hi;
        this.width = (hi - lo) / bins;
        this.counts = new long[bins];
    }

    public void add(double x) {
        if (x < lo) {
            below++;
        } else if (x < hi) {
            counts[Math.min(counts.length - 1, (int) ((x - lo) / width))]++;
        } else {
            above++; // including +∞ and NaN
        }
    }

    /** Adds another histogram's counts (same range and bins). */
    public void addAll(Histogram other) {
        if (other.lo != lo || other.hi != hi || other.counts.length != counts.length) throw new IllegalArgumentException("histograms differ in range or bins");
        for (int i = 0; i < counts.length; i++) counts[i] += other.counts[i];
        below += other.below;
        above += other.above;
    }

    public int bins() {
        return counts.length;
    }

    public long count(int i) {
        return counts[i];
    }

    public long[] counts() {
        return counts.clone();
    }

    /** Left edge of bin i (i = bins() gives hi). */
    public double edge(int i) {
        return i == counts.length ? hi : lo + i * width;
    }

    public double centre(int i) {
        return lo + (i + 0.5) * width;
    }

    public double width() {
        return width;
    }

    public long below() {
        return below;
    }

    /** At or above hi, or NaN. */
    public long above() {
        return above;
    }

    void writeState(DataOutput out) throws IOException {
        out.writeDouble(lo);
        out.writeDouble(hi);
        StateIO.writeLongs(out, counts);
        out.writeLong(below);
        out.writeLong(above);
    }

    void readState(DataInput in) throws IOException {
        double l = in.readDouble(), h = in.readDouble();
        if (l != lo || h != hi) throw new IOException("histogram range [" + l + ", " + h + ") in the checkpoint, [" + lo + ", " + hi + ") here");
        StateIO.readLongs(in, counts, "histogram");
        below = in.readLong();
        above = in.readLong();
    }
}
