package org.speedlimits.linreg;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.speedlimits.plot.FigureWriter;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Scale;
import org.speedlimits.plot.Series;
import org.speedlimits.plot.Style;

/**
 * Figures of a {@link LinregExperiment}: three panels, each as PNG, SVG, PDF and CSV, plus the combined linreg.*.
 * Colour = noise level; line style = which theory (solid: exact for the simulated X, dashed: Marchenko–Pastur limit);
 * dots: simulation ± jackknife SE; diamonds: exact theory at single points.
 */
public final class LinregFigure {
    private LinregFigure() {}

    static String fmt(double v) {
        return new java.math.BigDecimal(String.format(java.util.Locale.ROOT, "%.4g", v)).stripTrailingZeros().toPlainString();
    }

    static String noiseLabel(double tau) {
        return tau == 0 ? "GD (1/\u03b2=0)" : "1/\u03b2=" + fmt(tau);
    }

    static List<LinregExperiment.Row> select(List<LinregExperiment.Row> rows, Predicate<LinregExperiment.Row> p) {
        List<LinregExperiment.Row> out = new ArrayList<>();
        for (LinregExperiment.Row r : rows) if (p.test(r)) out.add(r);
        return out;
    }

    /** A series of rows against t or γ; the legend shows it only where it stands for its style ({@code legend}). */
    /** The rows of one noise level, panel and source. */
    private static List<LinregExperiment.Row> rows(List<LinregExperiment.Row> rows, double noise, String panel, String source) {
        return select(rows, r -> r.noise() == noise && r.panel().equals(panel) && r.source().equals(source));
    }

    private static Series series(String name, List<LinregExperiment.Row> rs, boolean xIsT, ToDoubleFunction<LinregExperiment.Row> y,
                                 ToDoubleFunction<LinregExperiment.Row> err, Series.Look look, Color col, boolean legend) {
        return series(name, rs, xIsT, y, err, look, col, legend, null);
    }

    private static Series series(String name, List<LinregExperiment.Row> rs, boolean xIsT, ToDoubleFunction<LinregExperiment.Row> y,
                                 ToDoubleFunction<LinregExperiment.Row> err, Series.Look look, Color col, boolean legend, String legendText) {
        double[] xs = rs.stream().mapToDouble(r -> xIsT ? r.t() : r.gamma()).toArray();
        double[] ys = rs.stream().mapToDouble(y).toArray();
        double[] es = err == null ? null : rs.stream().mapToDouble(err).toArray();
        return new Series(name, xs, ys, es, look, col, legend, legendText);
    }

    public static List<Panel> panels(LinregExperiment e) {
        LinregConfig cfg = e.cfg;
        List<LinregExperiment.Row> rows = e.rows;
        List<Series> time = new ArrayList<>(), gam = new ArrayList<>(), lim = new ArrayList<>();
        for (int q = 0; q < cfg.noise.size(); q++) {
            double tau = cfg.noise.get(q);
            Color col = Style.palette(q);
            String lab = noiseLabel(tau);
            boolean first = q == 0;
            time.add(series(lab + ": theory, this X", rows(rows, tau, "time", "theory_sample"), true,
                    LinregExperiment.Row::inefficiency, null, Series.Look.LINE, col, true));
            time.add(series(lab + ": theory (MP)", rows(rows, tau, "time", "theory_mp"), true,
                    LinregExperiment.Row::inefficiency, null, Series.Look.DASHED, col, first, first ? "dashed: d,n\u2192\u221e (MP)" : null));
            time.add(series(lab + ": simulation", rows(rows, tau, "time", "sim"), true,
                    LinregExperiment.Row::inefficiency, LinregExperiment.Row::inefficiencySe, Series.Look.MARKERS, col, first, first ? "dots: simulation \u00b1 jackknife SE" : null));

            gam.add(series(lab + ": theory (MP)", rows(rows, tau, "gamma", "theory_mp"), false,
                    LinregExperiment.Row::inefficiency, null, Series.Look.LINE, col, true));
            gam.add(series(lab + ": theory, this X", rows(rows, tau, "gamma", "theory_sample"), false,
                    LinregExperiment.Row::inefficiency, null, Series.Look.DIAMONDS, col, first, first ? "diamonds: exact theory, simulated X" : null));
            gam.add(series(lab + ": simulation", rows(rows, tau, "gamma", "sim"), false,
                    LinregExperiment.Row::inefficiency, LinregExperiment.Row::inefficiencySe, Series.Look.MARKERS, col, first, first ? "dots: simulation \u00b1 jackknife SE" : null));

            lim.add(series(lab + ": derived (MP)", rows(rows, tau, "limit", "theory_mp"), false,
                    LinregExperiment.Row::tsl, null, Series.Look.LINE, col, true));
            lim.add(series(lab + ": paper Eq. 80 as printed", rows(rows, tau, "limit", "paper_eq80"), false,
                    LinregExperiment.Row::tsl, null, Series.Look.DASHED, col, first, first ? "dashed: paper Eq. 80 as printed" : null));
            lim.add(series(lab + ": exact, this X", rows(rows, tau, "limit", "theory_sample"), false,
                    LinregExperiment.Row::tsl, null, Series.Look.DIAMONDS, col, first, first ? "diamonds: exact theory, simulated X" : null));
        }
        return List.of(
                new Panel("linreg_time", String.format("Inefficiency t/T_SL vs time (\u03b3=%s, d=%d)", fmt(cfg.gamma), cfg.d), "t", "t / T_SL(t)",
                        Scale.LOG, Scale.LOG, time),
                new Panel("linreg_gamma", String.format("Inefficiency at t=%s vs \u03b3=d/n (d=%d)", fmt(cfg.gammaTime), cfg.d), "\u03b3 = d/n",
                        "t / T_SL(t)", Scale.LOG, Scale.AUTO, gam),
                new Panel("linreg_limit", "Speed limit T_SL(t\u2192\u221e) vs \u03b3", "\u03b3 = d/n", "T_SL(\u221e)", Scale.LOG, Scale.AUTO, lim));
    }

    /** Writes linreg_time/gamma/limit .png/.svg/.pdf/.csv and the combined linreg.* into dir. */
    public static void write(LinregExperiment e, Path dir) {
        new FigureWriter(dir).panelsAndGrid("linreg", 3, panels(e));
    }
}
