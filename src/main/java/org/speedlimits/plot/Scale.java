package org.speedlimits.plot;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How an axis maps data to the page. {@link #LINEAR} and {@link #LOG} are XChart's own axes; {@link #symlog} is linear
 * on [0, c] and logarithmic above c (c a power of ten), drawn by transforming the data onto a linear axis, so that
 * t = 0 (epoch 0) stands on a time axis whose later part is logarithmic. {@link #AUTO} becomes LOG when the positive
 * data span more than {@link #AUTO_LOG_RATIO} and LINEAR otherwise.
 */
public final class Scale {
    public enum Kind { LINEAR, LOG, SYMLOG, AUTO }

    /** Data wider than this factor (1.5 decades) get a log axis under {@link #AUTO}. */
    public static final double AUTO_LOG_RATIO = 30;
    /** Relative margin between the data and each end of a linear axis (a factor (hi/lo)^MARGIN on log axes). */
    public static final double MARGIN = 0.04;

    public static final Scale LINEAR = new Scale(Kind.LINEAR, Double.NaN);
    public static final Scale LOG = new Scale(Kind.LOG, Double.NaN);
    public static final Scale AUTO = new Scale(Kind.AUTO, Double.NaN);

    public final Kind kind;
    /** SYMLOG only: the end of the linear part, a power of ten. */
    public final double linearTo;

    private Scale(Kind kind, double linearTo) {
        this.kind = kind;
        this.linearTo = linearTo;
    }

    /** Linear on [0, c], log above, with c = the largest power of ten at or below {@code smallestPositive}. */
    public static Scale symlog(double smallestPositive) {
        if (!(smallestPositive > 0) || Double.isInfinite(smallestPositive)) {
            throw new IllegalArgumentException("symlog needs a positive finite scale, got " + smallestPositive);
        }
        return new Scale(Kind.SYMLOG, Math.pow(10, Math.floor(Math.log10(smallestPositive) + 1e-9)));
    }

    /** A symlog axis for {@code values} (linear part up to their smallest positive value's decade); LINEAR if none is positive. */
    public static Scale symlogFor(double[]... values) {
        double min = Double.POSITIVE_INFINITY;
        for (double[] v : values) for (double x : v) if (x > 0 && Double.isFinite(x)) min = Math.min(min, x);
        return min < Double.POSITIVE_INFINITY ? symlog(min) : LINEAR;
    }

    /** Whether a value can be drawn on this axis (finite; positive on a log axis; AUTO: any finite value). */
    public boolean shows(double v) {
        return Double.isFinite(v) && (kind != Kind.LOG || v > 0);
    }

    /** Data value to the coordinate XChart is given (the identity except on symlog axes). */
    public double forward(double v) {
        if (kind != Kind.SYMLOG) return v;
        double a = Math.abs(v) / linearTo;
        return Math.signum(v) * (a <= 1 ? a : 1 + Math.log10(a));
    }

    public double inverse(double u) {
        if (kind != Kind.SYMLOG) return u;
        double a = Math.abs(u);
        return Math.signum(u) * linearTo * (a <= 1 ? a : Math.pow(10, a - 1));
    }

    public boolean isLog() {
        return kind == Kind.LOG;
    }

    /** AUTO resolved against the values to be plotted; other scales unchanged. */
    public Scale resolve(double lo, double hi) {
        if (kind != Kind.AUTO) return this;
        return lo > 0 && hi / lo > AUTO_LOG_RATIO ? LOG : LINEAR;
    }

    /** A note for the axis title saying how the axis is drawn (symlog only; empty otherwise). */
    public String note() {
        return kind == Kind.SYMLOG ? " [linear on 0…" + decade(linearTo) + ", log above]" : "";
    }

    /**
     * [lo, hi] of the axis, in XChart's coordinates, for data (already in data units) spanning [min, max]: a margin of
     * {@link #MARGIN} of the span on each side (a factor on log axes, where the range also covers at least one decade
     * tick, two if that costs at most 0.6 decades of axis), never a guess that cuts a point off.
     */
    public double[] range(double min, double max) {
        if (!(min <= max)) return kind == Kind.LOG ? new double[]{0.1, 10} : new double[]{-1, 1};
        if (kind == Kind.LOG) {
            double lo = Math.log10(min), hi = Math.log10(max);
            double pad = Math.max(MARGIN * (hi - lo), 0.03);
            lo -= pad;
            hi += pad;
            // XChart labels only decades: reach the nearer decade if none is inside, and a second one if it is
            // within 0.6 decades (more would squash the data into a sliver of the axis)
            if (Math.floor(hi) < Math.ceil(lo)) {
                if (Math.ceil(hi) - hi <= lo - Math.floor(lo)) hi = Math.ceil(hi);
                else lo = Math.floor(lo);
            }
            if (Math.floor(hi) - Math.ceil(lo) < 1) {
                double up = Math.floor(hi) + 1 - hi, down = lo - (Math.ceil(lo) - 1);
                if (Math.min(up, down) <= 0.6) {
                    if (up <= down) hi = Math.floor(hi) + 1;
                    else lo = Math.ceil(lo) - 1;
                }
            }
            return new double[]{Math.pow(10, lo), Math.pow(10, hi)};
        }
        double a = forward(min), b = forward(max);
        double pad = b > a ? MARGIN * (b - a) : Math.max(Math.abs(a) * 0.1, 1e-300);
        return new double[]{a - pad, b + pad};
    }

    /** The tick-label pattern of a linear or log axis over [lo, hi] (XChart coordinates): one pattern per axis. */
    public String decimalPattern(double lo, double hi) {
        if (kind == Kind.LOG) {
            return lo >= 0.9e-3 && hi <= 1.1e4 ? "0.###" : "0E0";
        }
        double m = Math.max(Math.abs(lo), Math.abs(hi));
        if (m >= 1e5 || (m > 0 && m < 1e-3)) return "0.0#E0";
        // XChart aims at a tick about every 10 % of the axis: the same number of decimals on every tick of it
        double step = niceStep((hi - lo) / 8);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        // fixed decimals: "0.08" and "0.10", never ".08" next to "0.1" (XChart refines the step if they would chop one)
        return decimals == 0 ? "0" : "0." + "0".repeat(decimals);
    }

    /** Tick labels of a symlog axis: 0, then its decades; other ticks unlabelled (distinct blanks: XChart needs unique labels). */
    public Function<Double, String> symlogLabels() {
        DecimalFormat f = format(linearTo >= 0.9e-3 ? "0.###" : "0E0");
        return u -> {
            long k = Math.round(u);
            if (Math.abs(u - k) < 1e-6) return k == 0 ? "0" : f.format(inverse(k));
            return " ".repeat(1 + (int) Math.floorMod(Math.round(u * 1000), 61));
        };
    }

    /**
     * About five round ticks in [lo, hi] for axes drawn with Java2D, with their labels in one format (the step's
     * decimals on every tick).
     */
    public static List<String> tickLabels(double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        DecimalFormat f = format(decimals == 0 ? "0" : "0." + "0".repeat(decimals));
        List<String> out = new ArrayList<>();
        for (double t : ticks) out.add(f.format(Math.abs(t) < step * 1e-9 ? 0.0 : t));
        return out;
    }

    public static double[] ticks(double lo, double hi) {
        double step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 5)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if ((hi - lo) / (step * m) <= 6) {
                step *= m;
                break;
            }
        }
        double first = Math.ceil(lo / step) * step;
        int n = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int i = 0; i < t.length; i++) t[i] = first + i * step;
        return t;
    }

    static DecimalFormat format(String pattern) {
        return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    static String decade(double v) {
        return format(v >= 0.9e-3 && v <= 1.1e4 ? "0.###" : "0E0").format(v);
    }

    static double niceStep(double raw) {
        if (!(raw > 0) || Double.isInfinite(raw)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[]{1, 2, 5}) if (raw <= m * p) return m * p;
        return 10 * p;
    }

    @Override
    public String toString() {
        return kind == Kind.SYMLOG ? "SYMLOG(" + linearTo + ")" : kind.toString();
    }
}
