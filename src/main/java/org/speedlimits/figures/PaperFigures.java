package org.speedlimits.figures;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.speedlimits.analysis.Analysis;
import org.speedlimits.analysis.AnalysisException;
import org.speedlimits.analysis.GroupAnalysis;
import org.speedlimits.analysis.NtkSpectrum;
import org.speedlimits.analysis.PowerLawFit;
import org.speedlimits.analysis.SeedStats;

import java.awt.Color;
import java.awt.Font;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The paper's Fig. 1 (a–f) and Fig. 2 from an {@link Analysis}, as PNG + SVG panels in one folder plus
 * {@code overview.png}. Panels for one ensemble (a, b, c, f, Fig. 2) use the group whose n is closest to
 * {@code panelN} (the paper: 2500).
 */
public final class PaperFigures {
    /** Physical time is the x axis of every curve, so gd and flow runs (and runs with different lr) line up. */
    static final String TIME_AXIS = "time t (= lr · epoch)";

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75), new Color(23, 190, 207)};

    /** Panel file names (without extension) in the order of the overview. */
    public static final List<String> PANELS = List.of("fig1a_loss", "fig1a_test_accuracy", "fig1b_inefficiency", "fig1c_triplets",
            "fig1d_inefficiency_vs_n", "fig1e_geometric_ratio", "fig1f_overlap", "fig1f_eigenvalues", "fig2_ntk_spectrum");

    private PaperFigures() {
    }

    /** Writes every panel it has data for into {@code dir}; returns notes about panels that could not be drawn. */
    public static List<String> write(Analysis analysis, Path dir, long panelN) {
        List<String> notes = new ArrayList<>();
        FigureFiles files = new FigureFiles(dir);
        GroupAnalysis main = analysis.groups.stream().min(Comparator.comparingLong(g -> Math.abs(g.group.n() - panelN))).orElseThrow();
        String who = " (" + main.group.label() + ", " + main.seeds() + (main.seeds() == 1 ? " seed)" : " seeds)");
        int[] rows = Analysis.curveRowIndices(main);

        XYChart loss = chart("(a) training loss" + who, TIME_AXIS, "train loss L (1/2n Σ|f−y|²)", true, true);
        band(loss, "train loss", main, rows, main.trainLoss, PALETTE[0]);
        linearIfNarrow(loss);
        files.save("fig1a_loss", loss);

        XYChart acc = chart("(a) test accuracy" + who, TIME_AXIS, "test accuracy (fraction)", true, false);
        int[] tested = java.util.Arrays.stream(rows).filter(i -> !Double.isNaN(main.testAcc.mean()[i])).toArray();
        band(acc, "test accuracy", main, tested, main.testAcc, PALETTE[1]);
        line(acc, String.format(Locale.ROOT, "warm-start threshold %.2f", analysis.warmThreshold),
                new double[]{main.time[1], main.time[main.time.length - 1]}, new double[]{analysis.warmThreshold, analysis.warmThreshold}, Color.GRAY, true);
        files.save("fig1a_test_accuracy", acc);

        XYChart ineff = chart("(b) speed-limit inefficiency" + who, TIME_AXIS, "t ΔL / |θ_t − θ_s|²", true, true);
        band(ineff, "cold start (s = 0)", main, rows, main.cold, PALETTE[0]);
        if (main.warm != null) {
            band(ineff, "warm start (s = " + main.anchorEpoch + ")", main, rows, main.warm, PALETTE[1]);
        } else {
            notes.add("fig1b: no warm-start curve for " + main.group.label() + ": " + main.warmNote);
        }
        theory(ineff, "NTK theory, cold", main, rows, main.theoryCold, PALETTE[0]);
        theory(ineff, "NTK theory, warm", main, rows, main.theoryWarm, PALETTE[1]);
        line(ineff, "speed limit = 1", new double[]{main.time[1], main.time[main.time.length - 1]}, new double[]{1, 1}, Color.GRAY, true);
        ineff.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        linearIfNarrow(ineff);
        files.save("fig1b_inefficiency", ineff);

        try {
            TripletFigure triplets = TripletFigure.read(main.group.runs().get(0).dir, 6);
            files.save("fig1c_triplets", triplets.width(), triplets.height(), triplets::paint);
        } catch (AnalysisException e) {
            notes.add("fig1c: " + e.getMessage());
        }

        files.save("fig1d_inefficiency_vs_n", inefficiencyVsN(analysis));

        XYChart geo = chart("(e) path length over straight-line distance", TIME_AXIS, "l_γ(t) / |θ_t − θ_0|", true, false);
        for (int g = 0; g < analysis.groups.size(); g++) {
            GroupAnalysis ga = analysis.groups.get(g);
            Color c = PALETTE[g % PALETTE.length];
            int[] r = Analysis.curveRowIndices(ga);
            band(geo, ga.group.label(), ga, r, ga.geo, c);
            theory(geo, "NTK theory " + ga.group.label(), ga, r, ga.theoryGeo, c);
        }
        geo.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        files.save("fig1e_geometric_ratio", geo);

        if (main.ntkInit != null) {
            XYChart overlap = chart("(f) residue overlap with NTK eigenvectors" + who, "eigen-index k", "overlap (v_kᵀr)² / |r|² (seed mean)", true, true);
            spectrumSeries(overlap, "at init (epoch 0)", main.ntkInit.spectra(), NtkSpectrum::overlap, PALETTE[0]);
            if (main.ntkWarm != null) {
                spectrumSeries(overlap, "at warm start (epoch " + main.ntkWarm.epochs() + ")", main.ntkWarm.spectra(), NtkSpectrum::overlap, PALETTE[1]);
            } else {
                notes.add("fig1f: no NTK spectrum near the warm start of " + main.group.label());
            }
            files.save("fig1f_overlap", overlap);
        } else {
            notes.add("fig1f_overlap, fig2: no ntk/ spectra in " + main.group.label() + " (run the NTK stage)");
        }
        GroupAnalysis smallest = analysis.groups.stream().filter(g -> g.ntkInit != null).min(Comparator.comparingLong(g -> g.group.n())).orElse(null);
        if (smallest != null) {
            XYChart eig = chart("(f, inset) NTK eigenvalues at init (" + smallest.group.label() + ")", "eigen-index k", "eigenvalue λ_k of J Jᵀ", true, true);
            List<NtkSpectrum> init = smallest.ntkInit.spectra();
            spectrumSeries(eig, "λ_k (seed mean)", init, NtkSpectrum::eigenvalue, PALETTE[0]);
            powerLaw(eig, init, smallest.ntkInit.alpha());
            files.save("fig1f_eigenvalues", eig);
        } else {
            notes.add("fig1f_eigenvalues: no run has ntk/epoch_0 spectra");
        }
        if (main.ntkInit != null) {
            long last = main.group.runs().get(0).ntk.lastKey();
            List<NtkSpectrum> finals = main.group.runs().stream().filter(r -> r.ntk.containsKey(last)).map(r -> r.ntk.get(last)).toList();
            XYChart spec = chart("Fig. 2: empirical NTK spectrum" + who, "eigen-index k", "eigenvalue λ_k of J Jᵀ (seed mean)", true, true);
            spectrumSeries(spec, "initialisation (epoch 0)", main.ntkInit.spectra(), NtkSpectrum::eigenvalue, PALETTE[0]);
            if (last > 0) spectrumSeries(spec, "after training (epoch " + last + ")", finals, NtkSpectrum::eigenvalue, PALETTE[1]);
            else notes.add("fig2: only the epoch-0 spectrum exists for " + main.group.label());
            files.save("fig2_ntk_spectrum", spec);
        }
        files.overview("overview", 3, 640, 500);
        return notes;
    }

    private static XYChart inefficiencyVsN(Analysis analysis) {
        // a log axis labels only decades: a range of n narrower than 30x (the CPU sweeps) reads better linear
        double nMin = analysis.groups.stream().mapToDouble(g -> g.group.n()).min().orElse(1);
        double nMax = analysis.groups.stream().mapToDouble(g -> g.group.n()).max().orElse(1);
        XYChart chart = chart("(d) inefficiency at the final epoch vs n", "training-set size n",
                "t ΔL / |Δθ|² at the last epoch", nMax / nMin >= 30, false);
        chart.getStyler().setXAxisDecimalPattern("#");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        List<String> variants = analysis.groups.stream().map(PaperFigures::variant).distinct().toList();
        int color = 0;
        for (String v : variants) {
            List<GroupAnalysis> gs = analysis.groups.stream().filter(g -> variant(g).equals(v)).toList();
            for (boolean cold : new boolean[]{true, false}) {
                List<GroupAnalysis> with = gs.stream().filter(g -> cold || g.warm != null).toList();
                Color c = PALETTE[color++ % PALETTE.length];
                if (with.isEmpty()) continue;
                double[] n = with.stream().mapToDouble(g -> g.group.n()).toArray();
                double[] mean = with.stream().mapToDouble(g -> (cold ? g.cold : g.warm).lastMean()).toArray();
                double[] std = with.stream().mapToDouble(g -> (cold ? g.cold : g.warm).lastStd()).toArray();
                XYSeries s = chart.addSeries((cold ? "cold" : "warm") + v, n, mean, std);
                s.setLineColor(c);
                s.setMarkerColor(c);
                s.setMarker(cold ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE);
                double[] th = with.stream().mapToDouble(g -> (cold ? g.theoryCold : g.theoryWarm)[g.epoch.length - 1]).toArray();
                if (java.util.Arrays.stream(th).allMatch(Double::isFinite)) {
                    XYSeries t = chart.addSeries("NTK theory, " + (cold ? "cold" : "warm") + v, n, th);
                    t.setLineColor(c);
                    t.setMarkerColor(c);
                    t.setLineStyle(SeriesLines.DASH_DASH);
                    t.setMarker(SeriesMarkers.DIAMOND);
                }
            }
        }
        return chart;
    }

    /** A log y axis labels only decades: data within less than a factor 30 reads better on a linear axis. */
    private static void linearIfNarrow(XYChart chart) {
        double lo = Double.MAX_VALUE, hi = 0;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double y : s.getYData()) {
                if (y > 0 && Double.isFinite(y)) {
                    lo = Math.min(lo, y);
                    hi = Math.max(hi, y);
                }
            }
        }
        if (hi > 0 && hi / lo < 30) {
            chart.getStyler().setYAxisLogarithmic(false);
            chart.getStyler().setYAxisDecimalPattern("#0.###");
        }
    }

    /** The group label without the n part (other differing keys), e.g. " model.width=8". */
    private static String variant(GroupAnalysis g) {
        String label = g.group.label();
        int space = label.indexOf(' ');
        return space < 0 ? "" : label.substring(space);
    }

    static XYChart chart(String title, String xLabel, String yLabel, boolean logX, boolean logY) {
        XYChart chart = new XYChartBuilder().width(760).height(560).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        XYStyler s = chart.getStyler();
        s.setXAxisLogarithmic(logX);
        s.setYAxisLogarithmic(logY);
        if (!logY) s.setYAxisDecimalPattern("#0.###");
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setMarkerSize(6);
        s.setErrorBarsColorSeriesColor(true);
        return chart;
    }

    /** Mean line with a shaded ± std band (a hidden polygon series) over the given rows (epoch 0 dropped on log x). */
    private static void band(XYChart chart, String name, GroupAnalysis g, int[] rows, SeedStats stats, Color color) {
        boolean logY = chart.getStyler().isYAxisLogarithmic();
        List<double[]> pts = new ArrayList<>();
        for (int i : rows) {
            double x = g.time[i], m = stats.mean()[i], sd = stats.std()[i];
            if (x > 0 && Double.isFinite(m) && (!logY || m > 0)) pts.add(new double[]{x, m, Double.isFinite(sd) ? sd : 0});
        }
        if (pts.isEmpty()) return;
        double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
        if (g.seeds() > 1) {
            int n = pts.size();
            double[] px = new double[2 * n], py = new double[2 * n];
            for (int i = 0; i < n; i++) {
                double[] p = pts.get(i), q = pts.get(n - 1 - i);
                px[i] = p[0];
                py[i] = p[1] + p[2];
                px[n + i] = q[0];
                py[n + i] = logY ? Math.max(q[1] - q[2], q[1] * 1e-2) : q[1] - q[2];
            }
            XYSeries b = chart.addSeries(name + " ± std", px, py);
            b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            b.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 60));
            b.setLineColor(new Color(0, 0, 0, 0));
            b.setMarker(SeriesMarkers.NONE);
            b.setShowInLegend(false);
        }
        XYSeries s = chart.addSeries(name + (g.seeds() > 1 ? " (mean ± std, " + g.seeds() + " seeds)" : ""), x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(x.length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }

    private static void theory(XYChart chart, String name, GroupAnalysis g, int[] rows, double[] values, Color color) {
        boolean logY = chart.getStyler().isYAxisLogarithmic();
        int[] ok = java.util.Arrays.stream(rows).filter(i -> g.time[i] > 0 && Double.isFinite(values[i]) && (!logY || values[i] > 0)).toArray();
        if (ok.length == 0) return;
        line(chart, name, java.util.Arrays.stream(ok).mapToDouble(i -> g.time[i]).toArray(),
                java.util.Arrays.stream(ok).mapToDouble(i -> values[i]).toArray(), color, true);
    }

    private static void line(XYChart chart, String name, double[] x, double[] y, Color color, boolean dashed) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarker(SeriesMarkers.NONE);
        if (dashed) s.setLineStyle(SeriesLines.DASH_DASH);
    }

    /** Seed mean of a per-mode quantity (over the common length), k = 1..m, positive values only. */
    private static void spectrumSeries(XYChart chart, String name, List<NtkSpectrum> spectra,
                                       java.util.function.Function<NtkSpectrum, double[]> what, Color color) {
        int m = spectra.stream().mapToInt(NtkSpectrum::size).min().orElse(0);
        List<double[]> pts = new ArrayList<>();
        for (int k = 0; k < m; k++) {
            double s = 0;
            for (NtkSpectrum sp : spectra) s += what.apply(sp)[k];
            double mean = s / spectra.size();
            if (mean > 0) pts.add(new double[]{k + 1, mean});
        }
        if (pts.isEmpty()) return;
        XYSeries series = chart.addSeries(name, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray());
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setMarker(pts.size() > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }

    private static void powerLaw(XYChart chart, List<NtkSpectrum> spectra, double alpha) {
        NtkSpectrum s = spectra.get(0);
        int[] range = PowerLawFit.defaultRange(s.size());
        if (range[1] <= range[0] || Double.isNaN(alpha)) return;
        PowerLawFit fit = PowerLawFit.fit(s.eigenvalue(), range[0], range[1]);
        line(chart, String.format(Locale.ROOT, "fit k^−α, α = %.2f (k = %s)", alpha, fit.range()),
                new double[]{range[0], range[1]},
                new double[]{fit.amplitude() * Math.pow(range[0], -fit.exponent()), fit.amplitude() * Math.pow(range[1], -fit.exponent())},
                Color.BLACK, true);
    }
}
