package org.speedlimits.ness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The line/scatter panels of the paper-003 figures (Figs. 1C, 3, 4, 6): each panel is saved as PNG and SVG, the figure
 * as one combined PNG, and every plotted number in {@code <figure>.csv} (panel, series, x, y, err). Axis ranges are
 * set from the data (positive values only on log axes), so nothing is clipped.
 */
public final class NessPlots {
    private NessPlots() {}

    public enum Style { LINE, DASHED, MARKERS }

    /** One series; {@code err} (may be null) are symmetric error bars; {@code color}: index into the palette, −1 = next. */
    public record Series(String label, double[] x, double[] y, double[] err, Style style, int color) {
        public Series {
            if (x.length != y.length || (err != null && err.length != y.length)) {
                throw new IllegalArgumentException(label + ": x, y (and err) must have one length");
            }
        }

        public Series(String label, double[] x, double[] y, double[] err, Style style) {
            this(label, x, y, err, style, -1);
        }
    }

    public record Panel(String name, String title, String xLabel, String yLabel, boolean logX, boolean logY, List<Series> series) {}

    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
            new Color(0xff7f0e), new Color(0x8c564b), new Color(0x17becf)};

    /** Writes {@code <figure>_<panel>.png/.svg} for every panel, {@code <figure>.png} (all panels) and {@code <figure>.csv}. */
    public static void write(Path dir, String figure, List<Panel> panels) {
        try {
            Files.createDirectories(dir);
            List<BufferedImage> images = new ArrayList<>();
            StringBuilder csv = new StringBuilder("panel,series,x,y,err\n");
            for (Panel p : panels) {
                XYChart chart = chart(p);
                String base = dir.resolve(figure + "_" + p.name()).toString();
                BitmapEncoder.saveBitmapWithDPI(chart, base, BitmapEncoder.BitmapFormat.PNG, 120);
                VectorGraphicsEncoder.saveVectorGraphic(chart, base, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
                images.add(BitmapEncoder.getBufferedImage(chart));
                for (Series s : p.series()) {
                    for (int i = 0; i < s.x().length; i++) {
                        csv.append(p.name()).append(',').append(csvText(s.label())).append(',').append(num(s.x()[i])).append(',')
                                .append(num(s.y()[i])).append(',').append(s.err() == null ? "" : num(s.err()[i])).append('\n');
                    }
                }
            }
            Files.writeString(dir.resolve(figure + ".csv"), csv, StandardCharsets.UTF_8);
            ImageIO.write(row(images), "png", dir.resolve(figure + ".png").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure " + figure + " into " + dir, e);
        }
    }

    static XYChart chart(Panel p) {
        boolean many = p.series().stream().filter(x -> x.label() != null).count() > 4;
        XYChart c = new XYChartBuilder().width(many ? 620 : 520).height(many ? 620 : 420).title(p.title()).xAxisTitle(p.xLabel())
                .yAxisTitle(p.yLabel()).build();
        Styler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(many ? Styler.LegendPosition.OutsideS : Styler.LegendPosition.InsideNW);
        s.setLegendFont(s.getLegendFont().deriveFont(10f));
        c.getStyler().setXAxisLogarithmic(p.logX());
        c.getStyler().setYAxisLogarithmic(p.logY());
        c.getStyler().setErrorBarsColorSeriesColor(true);
        double[] xr = range(p.series(), true, p.logX());
        double[] yr = range(p.series(), false, p.logY());
        c.getStyler().setXAxisMin(xr[0]).setXAxisMax(xr[1]).setYAxisMin(yr[0]).setYAxisMax(yr[1]);
        // one number format per linear axis: plain with a leading zero in [1e-3, 1e7), scientific outside
        if (!p.logX()) c.getStyler().setXAxisDecimalPattern(pattern(xr));
        if (!p.logY()) c.getStyler().setYAxisDecimalPattern(pattern(yr));
        int k = 0;
        for (Series ser : p.series()) {
            double[] x = ser.x(), y = ser.y(), err = ser.err();
            if (p.logX() || p.logY()) { // drop points a log axis cannot show (they stay in the CSV)
                List<Integer> keep = new ArrayList<>();
                for (int i = 0; i < x.length; i++) {
                    if ((!p.logX() || x[i] > 0) && (!p.logY() || y[i] > 0) && Double.isFinite(x[i]) && Double.isFinite(y[i])) keep.add(i);
                }
                x = keep.stream().mapToDouble(i -> ser.x()[i]).toArray();
                y = keep.stream().mapToDouble(i -> ser.y()[i]).toArray();
                err = ser.err() == null ? null : keep.stream().mapToDouble(i -> ser.err()[i]).toArray();
            }
            if (x.length == 0) continue;
            XYSeries xs = err == null || p.logY() ? c.addSeries(ser.label(), x, y) : c.addSeries(ser.label(), x, y, err);
            Color col = COLORS[(ser.color() >= 0 ? ser.color() : k) % COLORS.length];
            k++;
            if (err != null && p.logY()) { // XChart's error bars need a linear axis: draw each bar as a segment
                for (int i = 0; i < x.length; i++) {
                    double lo = y[i] - err[i] > 0 ? y[i] - err[i] : y[i] / 10; // a bar reaching 0 is drawn to y/10
                    XYSeries bar = c.addSeries(ser.label() + " err " + i, new double[]{x[i], x[i]}, new double[]{lo, y[i] + err[i]});
                    bar.setMarker(SeriesMarkers.NONE);
                    bar.setLineColor(col);
                    bar.setShowInLegend(false);
                }
            }
            xs.setLineColor(col);
            xs.setMarkerColor(col);
            switch (ser.style()) {
                case LINE -> { // explicitly solid: XChart cycles dash patterns over series otherwise
                    xs.setMarker(SeriesMarkers.NONE);
                    xs.setLineStyle(new BasicStroke(1.8f));
                }
                case DASHED -> {
                    xs.setMarker(SeriesMarkers.NONE);
                    xs.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
                }
                case MARKERS -> {
                    xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                    xs.setMarker(SeriesMarkers.CIRCLE);
                }
            }
        }
        return c;
    }

    /** [min, max] of the plotted values (with error bars on linear axes), padded 5% (a factor on log axes). */
    static double[] range(List<Series> series, boolean xAxis, boolean log) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] v = xAxis ? s.x() : s.y();
            for (int i = 0; i < v.length; i++) {
                double e = !xAxis && s.err() != null ? Math.abs(s.err()[i]) : 0;
                double a = v[i] - e, b = v[i] + e;
                if (!Double.isFinite(a) || !Double.isFinite(b) || (log && v[i] <= 0)) continue;
                lo = Math.min(lo, log ? (a > 0 ? a : v[i] / 10) : a);
                hi = Math.max(hi, b);
            }
        }
        if (!(lo <= hi)) return log ? new double[]{0.1, 10} : new double[]{-1, 1};
        if (log) return new double[]{lo / 1.3, hi * 1.3};
        double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1e-300, Math.abs(hi) * 0.1 + 1e-300);
        return new double[]{lo - pad, hi + pad};
    }

    static String pattern(double[] range) {
        double m = Math.max(Math.abs(range[0]), Math.abs(range[1]));
        return m >= 1e-3 && m < 1e7 ? "0.###" : "0.##E0";
    }

    /** Panels side by side on white. */
    static BufferedImage row(List<BufferedImage> images) {
        int w = images.stream().mapToInt(BufferedImage::getWidth).sum(), h = images.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
        BufferedImage out = new BufferedImage(Math.max(1, w), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), h);
        int x = 0;
        for (BufferedImage im : images) {
            g.drawImage(im, x, 0, null);
            x += im.getWidth();
        }
        g.dispose();
        return out;
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.10g", v);
    }

    static String csvText(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
