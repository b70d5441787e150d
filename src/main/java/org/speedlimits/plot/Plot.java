package org.speedlimits.plot;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Lays a {@link Panel} out and draws it with XChart. The layout decides everything from the data: scales (AUTO
 * resolved), which points an axis can show (NaN, and values ≤ 0 on a log axis, are left out), the ends of error bars
 * and bands (a lower end ≤ 0 on a log axis is drawn at y/10), and explicit axis ranges that contain every drawn point
 * with a small margin ({@link Scale#range}), so XChart never guesses a range that clips a curve.
 */
public final class Plot {
    private Plot() {}

    /** What is drawn of one series, in data units: points, and the lower/upper ends of their bars or band (NaN: none). */
    public record Drawn(Series source, double[] x, double[] y, double[] lo, double[] hi) {
        public int size() {
            return x.length;
        }
    }

    /** A laid-out panel: resolved scales, the drawn series and the axis ranges (in XChart's coordinates). */
    public record Layout(Panel panel, Scale x, Scale y, List<Drawn> series, double[] xRange, double[] yRange) {
        /** Axis title with the scale's note (symlog axes say so). */
        public String xTitle() {
            return panel.xLabel() + x.note();
        }

        public String yTitle() {
            return panel.yLabel() + y.note();
        }
    }

    public static Layout layout(Panel p) {
        Scale xs = p.xScale().resolve(positiveMin(p.series(), true), positiveMax(p.series(), true));
        Scale ys = p.yScale().resolve(positiveMin(p.series(), false), positiveMax(p.series(), false));
        List<Drawn> drawn = new ArrayList<>();
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY, yLo = xLo, yHi = xHi;
        for (Series s : p.series()) {
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < s.x().length; i++) {
                if ((s.spansAxis() || xs.shows(s.x()[i])) && ys.shows(s.y()[i])) keep.add(i);
            }
            double[] x = new double[keep.size()], y = new double[keep.size()], lo = new double[keep.size()], hi = new double[keep.size()];
            for (int k = 0; k < keep.size(); k++) {
                int i = keep.get(k);
                x[k] = s.x()[i];
                y[k] = s.y()[i];
                double e = s.err() == null ? Double.NaN : Math.abs(s.err()[i]);
                if (s.look() == Series.Look.BAND && !Double.isFinite(e)) e = 0; // one seed: no spread to shade
                if (Double.isFinite(e)) {
                    lo[k] = ys.isLog() && y[k] - e <= 0 ? y[k] / 10 : y[k] - e;
                    hi[k] = y[k] + e;
                } else {
                    lo[k] = hi[k] = Double.NaN;
                }
                if (!s.spansAxis()) {
                    xLo = Math.min(xLo, x[k]);
                    xHi = Math.max(xHi, x[k]);
                }
                yLo = Math.min(yLo, Double.isNaN(lo[k]) ? y[k] : Math.min(y[k], lo[k]));
                yHi = Math.max(yHi, Double.isNaN(hi[k]) ? y[k] : Math.max(y[k], hi[k]));
            }
            drawn.add(new Drawn(s, x, y, lo, hi));
        }
        double[] xr = xs.range(xLo, xHi), yr = ys.range(yLo, yHi);
        for (int i = 0; i < drawn.size(); i++) drawn.set(i, thinDashed(drawn.get(i), xs, xr));
        for (int i = 0; i < drawn.size(); i++) { // horizontal references run from one end of the x axis to the other
            Drawn d = drawn.get(i);
            if (d.source().spansAxis() && d.size() == 2) {
                drawn.set(i, new Drawn(d.source(), new double[]{xs.inverse(xr[0]), xs.inverse(xr[1])}, d.y(), d.lo(), d.hi()));
            }
        }
        return new Layout(p, xs, ys, List.copyOf(drawn), xr, yr);
    }

    /**
     * XChart strokes every segment on its own, restarting the dash pattern, so a dashed line through many close points looks solid:
     * dashed lines keep only points at least 1/{@link Style#MAX_DASHED_POINTS} of the x axis apart (and their last
     * point). The CSV holds what is drawn.
     */
    private static Drawn thinDashed(Drawn d, Scale xs, double[] xr) {
        if (d.source().look() != Series.Look.DASHED || d.size() <= Style.MAX_DASHED_POINTS) return d;
        double gap = (xr[1] - xr[0]) / Style.MAX_DASHED_POINTS;
        List<Integer> keep = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < d.size(); i++) {
            double u = xs.forward(d.x()[i]);
            if (Math.abs(u - last) >= gap || i == d.size() - 1) {
                keep.add(i);
                last = u;
            }
        }
        return new Drawn(d.source(), pick(d.x(), keep), pick(d.y(), keep), pick(d.lo(), keep), pick(d.hi(), keep));
    }

    private static double[] pick(double[] v, List<Integer> keep) {
        return keep.stream().mapToDouble(i -> v[i]).toArray();
    }

    public static XYChart chart(Panel p) {
        return chart(layout(p));
    }

    public static XYChart chart(Layout l) {
        Panel p = l.panel();
        long legendEntries = l.series().stream().filter(d -> d.source().inLegend() && d.size() > 0).count();
        XYChart c = new XYChartBuilder().width(Style.WIDTH).height(Style.HEIGHT + (int) legendEntries * Style.LEGEND_ROW)
                .title(p.title()).xAxisTitle(l.xTitle()).yAxisTitle(l.yTitle()).build();
        XYStyler s = c.getStyler();
        Style.apply(s);
        s.setLegendVisible(legendEntries > 0);
        axis(s, l.x(), l.xRange(), true);
        axis(s, l.y(), l.yRange(), false);
        Set<String> names = new HashSet<>();
        int auto = 0;
        for (Drawn d : l.series()) {
            Series src = d.source();
            Color colour = src.colour() != null ? src.colour() : Style.palette(auto++);
            if (d.size() == 0) continue;
            double[] x = map(l.x(), d.x()), y = map(l.y(), d.y());
            String name = unique(names, src.label());
            if (src.look() == Series.Look.BAND) {
                band(c, name, x, map(l.y(), d.lo()), map(l.y(), d.hi()), colour);
                continue;
            }
            XYSeries xy = c.addSeries(name, x, y);
            String legend = src.legendText() != null ? src.legendText() : src.label();
            xy.setLabel(src.look() == Series.Look.REFERENCE && !legend.contains("reference") ? legend + " (reference)" : legend);
            xy.setShowInLegend(src.inLegend());
            xy.setLineColor(colour);
            xy.setMarkerColor(colour);
            switch (src.look()) {
                case LINE -> line(xy, Style.SOLID, SeriesMarkers.NONE);
                case DASHED -> line(xy, Style.DASHED, SeriesMarkers.NONE);
                case LINE_MARKERS -> line(xy, Style.SOLID, d.size() <= Style.MAX_MARKED_POINTS ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                case REFERENCE -> line(xy, Style.REFERENCE_LINE, SeriesMarkers.NONE);
                case MARKERS -> scatter(xy, SeriesMarkers.CIRCLE);
                case DIAMONDS -> scatter(xy, SeriesMarkers.DIAMOND);
                case SQUARES -> scatter(xy, SeriesMarkers.SQUARE);
                default -> throw new IllegalStateException(src.look().toString());
            }
            double[] lo = map(l.y(), d.lo()), hi = map(l.y(), d.hi());
            for (int i = 0; i < d.size(); i++) { // error bars as segments: XChart's own need a linear axis
                if (Double.isNaN(lo[i])) continue;
                XYSeries bar = c.addSeries(unique(names, name + " error bar " + i), new double[]{x[i], x[i]}, new double[]{lo[i], hi[i]});
                line(bar, Style.ERROR_BAR, SeriesMarkers.NONE);
                bar.setLineColor(colour);
                bar.setShowInLegend(false);
            }
        }
        if (c.getSeriesMap().isEmpty()) { // XChart cannot draw an empty chart: one invisible point, and say so
            XYSeries none = c.addSeries("no data", new double[]{l.xRange()[0]}, new double[]{l.yRange()[0]});
            none.setMarker(SeriesMarkers.NONE);
            none.setShowInLegend(false);
            c.setTitle(p.title() + " (no data)");
        }
        return c;
    }

    /** The CSV rows of a layout: exactly the numbers drawn, in data units. */
    public static void rows(Layout l, Csv csv) {
        for (Drawn d : l.series()) {
            for (int i = 0; i < d.size(); i++) {
                csv.row(l.panel().name(), d.source().label(), d.x()[i], d.y()[i], d.lo()[i], d.hi()[i]);
            }
        }
    }

    public static final List<String> CSV_HEADER = List.of("panel", "series", "x", "y", "y_lo", "y_hi");

    private static void axis(XYStyler s, Scale scale, double[] range, boolean x) {
        if (x) {
            s.setXAxisLogarithmic(scale.isLog());
            s.setXAxisMin(range[0]).setXAxisMax(range[1]);
        } else {
            s.setYAxisLogarithmic(scale.isLog());
            s.setYAxisMin(range[0]).setYAxisMax(range[1]);
        }
        if (scale.kind == Scale.Kind.SYMLOG) {
            if (x) s.setxAxisTickLabelsFormattingFunction(scale.symlogLabels());
            else s.setyAxisTickLabelsFormattingFunction(scale.symlogLabels());
        } else {
            String pattern = scale.decimalPattern(range[0], range[1]);
            if (x) s.setXAxisDecimalPattern(pattern);
            else s.setYAxisDecimalPattern(pattern);
        }
    }

    private static void band(XYChart c, String name, double[] x, double[] lo, double[] hi, Color colour) {
        int n = x.length;
        double[] px = new double[2 * n], py = new double[2 * n];
        for (int i = 0; i < n; i++) {
            px[i] = x[i];
            py[i] = hi[i];
            px[n + i] = x[n - 1 - i];
            py[n + i] = lo[n - 1 - i];
        }
        XYSeries b = c.addSeries(name, px, py);
        b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        b.setFillColor(Style.translucent(colour));
        b.setLineColor(new Color(0, 0, 0, 0));
        b.setMarker(SeriesMarkers.NONE);
        b.setShowInLegend(false);
    }

    private static void line(XYSeries s, BasicStroke stroke, Marker marker) {
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setLineStyle(stroke);
        s.setMarker(marker);
    }

    private static void scatter(XYSeries s, Marker marker) {
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(marker);
    }

    private static double[] map(Scale s, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Double.isNaN(v[i]) ? Double.NaN : s.forward(v[i]);
        return out;
    }

    private static String unique(Set<String> names, String name) {
        String n = name;
        for (int k = 2; !names.add(n); k++) n = name + " [" + k + "]";
        return n;
    }

    private static double positiveMin(List<Series> series, boolean x) {
        double m = Double.POSITIVE_INFINITY;
        for (Series s : series) {
            if (x && s.spansAxis()) continue;
            for (double v : x ? s.x() : s.y()) if (v > 0 && Double.isFinite(v)) m = Math.min(m, v);
        }
        // AUTO goes log only if no plotted value is ≤ 0
        for (Series s : series) {
            if (x && s.spansAxis()) continue;
            for (double v : x ? s.x() : s.y()) if (Double.isFinite(v) && v <= 0) return Double.NaN;
        }
        return m;
    }

    private static double positiveMax(List<Series> series, boolean x) {
        double m = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            if (x && s.spansAxis()) continue;
            for (double v : x ? s.x() : s.y()) if (Double.isFinite(v)) m = Math.max(m, v);
        }
        return m;
    }
}
