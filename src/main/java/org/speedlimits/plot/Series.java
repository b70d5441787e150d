package org.speedlimits.plot;

import java.awt.Color;

/**
 * One plotted series in data units. {@code err} (may be null): symmetric error bars, or the half-width of a band for
 * {@link Look#BAND}. {@code colour} null = the next palette colour. A {@link Look#REFERENCE} line is a guide (a bound, a
 * threshold, y = x), not data: grey, dash-dot, no markers, marked "(reference)" in the legend. {@code label} names the
 * series in the CSV; {@code legendText} (null = the label) is what the legend says, e.g. one entry standing for a style.
 */
public record Series(String label, double[] x, double[] y, double[] err, Look look, Color colour, boolean inLegend, String legendText) {
    public enum Look {
        LINE, DASHED,
        /** a solid line, with circle markers when it has at most {@link Style#MAX_MARKED_POINTS} points */
        LINE_MARKERS,
        MARKERS, DIAMONDS, SQUARES,
        /** a shaded y ± err band (not in the legend: the mean line beside it is) */
        BAND,
        REFERENCE
    }

    public Series {
        if (x.length != y.length || (err != null && err.length != y.length)) {
            throw new IllegalArgumentException(label + ": x, y (and err) must have one length, got " + x.length + ", "
                    + y.length + (err == null ? "" : ", " + err.length));
        }
        if (look == Look.BAND && err == null) throw new IllegalArgumentException(label + ": a band needs err");
    }

    public Series(String label, double[] x, double[] y, double[] err, Look look, Color colour, boolean inLegend) {
        this(label, x, y, err, look, colour, inLegend, null);
    }

    public Series(String label, double[] x, double[] y, double[] err, Look look) {
        this(label, x, y, err, look, null, look != Look.BAND);
    }

    /** {@code colour}: an index into {@link Style#PALETTE}. */
    public Series(String label, double[] x, double[] y, double[] err, Look look, int colour) {
        this(label, x, y, err, look, Style.palette(colour), look != Look.BAND);
    }

    public static Series of(String label, double[] x, double[] y, Look look) {
        return new Series(label, x, y, null, look, null, look != Look.BAND);
    }

    public static Series withErrors(String label, double[] x, double[] y, double[] err, Look look) {
        return new Series(label, x, y, err, look, null, look != Look.BAND);
    }

    /** A horizontal reference line at y across the whole x axis (its ends are set when the panel is laid out). */
    public static Series horizontal(String label, double y) {
        return new Series(label, new double[]{Double.NaN, Double.NaN}, new double[]{y, y}, null, Look.REFERENCE, Style.REFERENCE, true);
    }

    /** A reference line through given points (e.g. y = x). */
    public static Series reference(String label, double[] x, double[] y) {
        return new Series(label, x, y, null, Look.REFERENCE, Style.REFERENCE, true);
    }

    public Series colour(Color c) {
        return new Series(label, x, y, err, look, c, inLegend, legendText);
    }

    public Series colour(int paletteIndex) {
        return colour(Style.palette(paletteIndex));
    }

    public Series hiddenFromLegend() {
        return new Series(label, x, y, err, look, colour, false, legendText);
    }

    /** The same series with its own legend text (the CSV keeps the label). */
    public Series legend(String text) {
        return new Series(label, x, y, err, look, colour, true, text);
    }

    boolean spansAxis() {
        return look == Look.REFERENCE && x.length == 2 && Double.isNaN(x[0]) && Double.isNaN(x[1]);
    }
}
