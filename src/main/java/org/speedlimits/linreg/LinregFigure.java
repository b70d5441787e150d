package org.speedlimits.linreg;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart figures of a {@link LinregExperiment}: three panels, each saved as PNG + SVG, plus a combined PNG. */
public final class LinregFigure {
    private LinregFigure() {}

    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)};

    static String fmt(double v) {
        return new java.math.BigDecimal(String.format(java.util.Locale.ROOT, "%.4g", v)).stripTrailingZeros().toPlainString();
    }

    static String noiseLabel(double tau) {
        return tau == 0 ? "GD (1/\u03b2=0)" : "1/\u03b2=" + fmt(tau);
    }

    static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(560).height(430).title(title).xAxisTitle(x).yAxisTitle(y).build();
        Styler s = c.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendFont(s.getLegendFont().deriveFont(10f));
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setErrorBarsColorSeriesColor(true);
        return c;
    }

    static List<LinregExperiment.Row> select(List<LinregExperiment.Row> rows, Predicate<LinregExperiment.Row> p) {
        List<LinregExperiment.Row> out = new ArrayList<>();
        for (LinregExperiment.Row r : rows) if (p.test(r)) out.add(r);
        return out;
    }

    static void line(XYChart c, String name, List<LinregExperiment.Row> rs, boolean xIsT, java.util.function.ToDoubleFunction<LinregExperiment.Row> y,
                     Color col, BasicStroke style, boolean legend) {
        if (rs.isEmpty()) return;
        double[] xs = rs.stream().mapToDouble(r -> xIsT ? r.t() : r.gamma()).toArray();
        double[] ys = rs.stream().mapToDouble(y).toArray();
        XYSeries s = c.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(col);
        s.setLineStyle(style);
        s.setShowInLegend(legend);
    }

    static void points(XYChart c, String name, List<LinregExperiment.Row> rs, boolean xIsT, java.util.function.ToDoubleFunction<LinregExperiment.Row> y,
                       java.util.function.ToDoubleFunction<LinregExperiment.Row> err, Color col, org.knowm.xchart.style.markers.Marker marker, boolean legend) {
        if (rs.isEmpty()) return;
        double[] xs = rs.stream().mapToDouble(r -> xIsT ? r.t() : r.gamma()).toArray();
        double[] ys = rs.stream().mapToDouble(y).toArray();
        XYSeries s = err == null ? c.addSeries(name, xs, ys) : c.addSeries(name, xs, ys, rs.stream().mapToDouble(err).toArray());
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(marker);
        s.setMarkerColor(col);
        s.setLineColor(col);
        s.setShowInLegend(legend);
    }

    public static List<XYChart> build(LinregExperiment e) {
        LinregConfig cfg = e.cfg;
        List<LinregExperiment.Row> rows = e.rows;
        XYChart time = chart(String.format("Inefficiency t/T_SL vs time (\u03b3=%s, d=%d)", fmt(cfg.gamma), cfg.d), "t", "t / T_SL(t)");
        time.getStyler().setYAxisLogarithmic(true);
        XYChart gam = chart(String.format("Inefficiency at t=%s vs \u03b3=d/n (d=%d)", fmt(cfg.gammaTime), cfg.d), "\u03b3 = d/n", "t / T_SL(t)");
        XYChart lim = chart("Speed limit T_SL(t\u2192\u221e) vs \u03b3", "\u03b3 = d/n", "T_SL(\u221e)");
        for (int q = 0; q < cfg.noise.size(); q++) {
            double tau = cfg.noise.get(q);
            Color col = COLORS[q % COLORS.length];
            String lab = noiseLabel(tau);
            Predicate<LinregExperiment.Row> nz = r -> r.noise() == tau;
            line(time, lab + " theory (this X)", select(rows, r -> nz.test(r) && r.panel().equals("time") && r.source().equals("theory_sample")), true,
                    LinregExperiment.Row::inefficiency, col, SeriesLines.SOLID, true);
            line(time, lab + " theory (MP)", select(rows, r -> nz.test(r) && r.panel().equals("time") && r.source().equals("theory_mp")), true,
                    LinregExperiment.Row::inefficiency, col, SeriesLines.DASH_DASH, q == 0);
            points(time, lab + " simulation", select(rows, r -> nz.test(r) && r.panel().equals("time") && r.source().equals("sim")), true,
                    LinregExperiment.Row::inefficiency, LinregExperiment.Row::inefficiencySe, col, SeriesMarkers.CIRCLE, q == 0);

            line(gam, lab + " theory (MP)", select(rows, r -> nz.test(r) && r.panel().equals("gamma") && r.source().equals("theory_mp")), false,
                    LinregExperiment.Row::inefficiency, col, SeriesLines.SOLID, true);
            points(gam, lab + " theory (this X)", select(rows, r -> nz.test(r) && r.panel().equals("gamma") && r.source().equals("theory_sample")), false,
                    LinregExperiment.Row::inefficiency, null, col, SeriesMarkers.DIAMOND, q == 0);
            points(gam, lab + " simulation", select(rows, r -> nz.test(r) && r.panel().equals("gamma") && r.source().equals("sim")), false,
                    LinregExperiment.Row::inefficiency, LinregExperiment.Row::inefficiencySe, col, SeriesMarkers.CIRCLE, q == 0);

            line(lim, lab + " derived (MP)", select(rows, r -> nz.test(r) && r.panel().equals("limit") && r.source().equals("theory_mp")), false,
                    LinregExperiment.Row::tsl, col, SeriesLines.SOLID, true);
            line(lim, lab + " paper Eq. 80 as printed", select(rows, r -> nz.test(r) && r.panel().equals("limit") && r.source().equals("paper_eq80")), false,
                    LinregExperiment.Row::tsl, col, SeriesLines.DASH_DASH, q == 0);
            points(lim, lab + " exact (this X)", select(rows, r -> nz.test(r) && r.panel().equals("limit") && r.source().equals("theory_sample")), false,
                    LinregExperiment.Row::tsl, null, col, SeriesMarkers.DIAMOND, q == 0);
        }
        relabel(time, "theory (MP)", "dashed: d,n\u2192\u221e (MP)");
        relabel(time, "simulation", "dots: simulation \u00b1 jackknife SE");
        relabel(gam, "theory (this X)", "diamonds: exact theory, simulated X");
        relabel(gam, "simulation", "dots: simulation \u00b1 jackknife SE");
        relabel(lim, "paper Eq. 80 as printed", "dashed: paper Eq. 80 as printed");
        relabel(lim, "exact (this X)", "diamonds: exact theory, simulated X");
        return List.of(time, gam, lim);
    }

    /** Legends: the first-noise-level entries of shared styles stand for all levels. */
    private static void relabel(XYChart c, String suffix, String label) {
        for (XYSeries s : c.getSeriesMap().values())
            if (s.isShowInLegend() && s.getName().endsWith(suffix)) s.setLabel(label);
    }

    /** Writes linreg_time/gamma/limit .png and .svg and the combined linreg.png into dir. */
    public static void write(LinregExperiment e, Path dir) throws IOException {
        List<XYChart> charts = build(e);
        String[] names = {"linreg_time", "linreg_gamma", "linreg_limit"};
        BufferedImage[] imgs = new BufferedImage[3];
        for (int i = 0; i < 3; i++) {
            BitmapEncoder.saveBitmap(charts.get(i), dir.resolve(names[i]).toString(), BitmapEncoder.BitmapFormat.PNG);
            VectorGraphicsEncoder.saveVectorGraphic(charts.get(i), dir.resolve(names[i]).toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            imgs[i] = BitmapEncoder.getBufferedImage(charts.get(i));
        }
        int w = 0, h = 0;
        for (BufferedImage im : imgs) { w += im.getWidth(); h = Math.max(h, im.getHeight()); }
        BufferedImage all = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0;
        for (BufferedImage im : imgs) { g.drawImage(im, x, 0, null); x += im.getWidth(); }
        g.dispose();
        ImageIO.write(all, "png", dir.resolve("linreg.png").toFile());
    }
}
