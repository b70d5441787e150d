package org.speedlimits.figures;

import org.speedlimits.analysis.Analysis;
import org.speedlimits.analysis.AnalysisException;
import org.speedlimits.analysis.GroupAnalysis;
import org.speedlimits.analysis.NtkSpectrum;
import org.speedlimits.analysis.PowerLawFit;
import org.speedlimits.analysis.SeedStats;
import org.speedlimits.plot.FigureWriter;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Scale;
import org.speedlimits.plot.Series;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The paper's Fig. 1 (a–f) and Fig. 2 from an {@link Analysis}: each panel as PNG, SVG, PDF and CSV (the plotted
 * numbers) in one folder, plus {@code overview.png}. Panels for one ensemble (a, b, c, f, Fig. 2) use the group whose
 * n is closest to {@code panelN} (the paper: 2500). Time axes are symlog (t = 0 drawn, log above the first logged
 * time's decade); the inefficiency is on a log axis with the speed limit 1 as a reference line.
 */
public final class PaperFigures {
    /** Physical time is the x axis of every curve, so gd and flow runs (and runs with different lr) line up. */
    static final String TIME_AXIS = "time t (= lr · epoch)";

    /** Panel file names (without extension) in the order of the overview. */
    public static final List<String> PANELS = List.of("fig1a_loss", "fig1a_test_accuracy", "fig1b_inefficiency", "fig1c_triplets",
            "fig1d_inefficiency_vs_n", "fig1e_geometric_ratio", "fig1f_overlap", "fig1f_eigenvalues", "fig2_ntk_spectrum");

    private PaperFigures() {
    }

    /** Writes every panel it has data for into {@code dir}; returns notes about panels that could not be drawn. */
    public static List<String> write(Analysis analysis, Path dir, long panelN) {
        List<String> notes = new ArrayList<>();
        FigureWriter files = new FigureWriter(dir);
        for (Panel p : panels(analysis, panelN, notes)) {
            if (p.name().equals("fig1d_inefficiency_vs_n")) { // the triplets come before 1d in the overview
                triplets(analysis, panelN, files, notes);
            }
            files.panel(p);
        }
        files.overview("overview", 3, 640, 500);
        return notes;
    }

    private static GroupAnalysis main(Analysis analysis, long panelN) {
        return analysis.groups.stream().min(Comparator.comparingLong(g -> Math.abs(g.group.n() - panelN))).orElseThrow();
    }

    private static void triplets(Analysis analysis, long panelN, FigureWriter files, List<String> notes) {
        try {
            TripletFigure t = TripletFigure.read(main(analysis, panelN).group.runs().get(0).dir, 6);
            files.painted("fig1c_triplets", t.width(), t.height(), t::paint, t.csv());
        } catch (AnalysisException e) {
            notes.add("fig1c: " + e.getMessage());
        }
    }

    /** Every XChart panel (all but the Java2D triplets), in overview order. */
    static List<Panel> panels(Analysis analysis, long panelN, List<String> notes) {
        List<Panel> panels = new ArrayList<>();
        GroupAnalysis main = main(analysis, panelN);
        String who = " (" + main.group.label() + ", " + main.seeds() + (main.seeds() == 1 ? " seed)" : " seeds)");
        int[] rows = Analysis.curveRowIndices(main);
        Scale time = Scale.symlogFor(analysis.groups.stream().map(g -> g.time).toArray(double[][]::new));

        List<Series> loss = new ArrayList<>(band("train loss", main, rows, main.trainLoss, 0));
        panels.add(new Panel("fig1a_loss", "(a) training loss" + who, TIME_AXIS, "train loss L (1/2n Σ|f−y|²)", time, Scale.AUTO, loss));

        int[] tested = Arrays.stream(rows).filter(i -> !Double.isNaN(main.testAcc.mean()[i])).toArray();
        List<Series> acc = new ArrayList<>(band("test accuracy", main, tested, main.testAcc, 1));
        acc.add(Series.horizontal(String.format(Locale.ROOT, "warm-start threshold %.2f", analysis.warmThreshold), analysis.warmThreshold));
        panels.add(new Panel("fig1a_test_accuracy", "(a) test accuracy" + who, TIME_AXIS, "test accuracy (fraction)", time, Scale.LINEAR, acc));

        List<Series> ineff = new ArrayList<>(band("cold start (s = 0)", main, rows, main.cold, 0));
        if (main.warm != null) {
            ineff.addAll(band("warm start (s = " + main.anchorEpoch + ")", main, rows, main.warm, 1));
        } else {
            notes.add("fig1b: no warm-start curve for " + main.group.label() + ": " + main.warmNote);
        }
        ineff.add(theory("NTK theory, cold", main, rows, main.theoryCold, 0));
        ineff.add(theory("NTK theory, warm", main, rows, main.theoryWarm, 1));
        ineff.add(Series.horizontal("speed limit = 1", 1));
        panels.add(new Panel("fig1b_inefficiency", "(b) speed-limit inefficiency" + who, TIME_AXIS, "t ΔL / |θ_t − θ_s|²", time, Scale.LOG, ineff));

        panels.add(inefficiencyVsN(analysis));

        List<Series> geo = new ArrayList<>();
        for (int g = 0; g < analysis.groups.size(); g++) {
            GroupAnalysis ga = analysis.groups.get(g);
            int[] r = Analysis.curveRowIndices(ga);
            geo.addAll(band(ga.group.label(), ga, r, ga.geo, g));
            geo.add(theory("NTK theory " + ga.group.label(), ga, r, ga.theoryGeo, g));
        }
        panels.add(new Panel("fig1e_geometric_ratio", "(e) path length over straight-line distance", TIME_AXIS, "l_γ(t) / |θ_t − θ_0|",
                time, Scale.AUTO, geo));

        if (main.ntkInit != null) {
            List<Series> overlap = new ArrayList<>();
            overlap.add(spectrum("at init (epoch 0)", main.ntkInit.spectra(), NtkSpectrum::overlap, 0));
            if (main.ntkWarm != null) {
                overlap.add(spectrum("at warm start (epoch " + main.ntkWarm.epochs() + ")", main.ntkWarm.spectra(), NtkSpectrum::overlap, 1));
            } else {
                notes.add("fig1f: no NTK spectrum near the warm start of " + main.group.label());
            }
            panels.add(new Panel("fig1f_overlap", "(f) residue overlap with NTK eigenvectors" + who, "eigen-index k",
                    "overlap (v_kᵀr)² / |r|² (seed mean)", Scale.LOG, Scale.LOG, overlap));
        } else {
            notes.add("fig1f_overlap, fig2: no ntk/ spectra in " + main.group.label() + " (run the NTK stage)");
        }
        GroupAnalysis smallest = analysis.groups.stream().filter(g -> g.ntkInit != null).min(Comparator.comparingLong(g -> g.group.n())).orElse(null);
        if (smallest != null) {
            List<NtkSpectrum> init = smallest.ntkInit.spectra();
            List<Series> eig = new ArrayList<>(List.of(spectrum("λ_k (seed mean)", init, NtkSpectrum::eigenvalue, 0)));
            Series fit = powerLaw(init, smallest.ntkInit.alpha());
            if (fit != null) eig.add(fit);
            panels.add(new Panel("fig1f_eigenvalues", "(f, inset) NTK eigenvalues at init (" + smallest.group.label() + ")",
                    "eigen-index k", "eigenvalue λ_k of J Jᵀ", Scale.LOG, Scale.LOG, eig));
        } else {
            notes.add("fig1f_eigenvalues: no run has ntk/epoch_0 spectra");
        }
        if (main.ntkInit != null) {
            long last = main.group.runs().get(0).ntk.lastKey();
            List<NtkSpectrum> finals = main.group.runs().stream().filter(r -> r.ntk.containsKey(last)).map(r -> r.ntk.get(last)).toList();
            List<Series> spec = new ArrayList<>(List.of(spectrum("initialisation (epoch 0)", main.ntkInit.spectra(), NtkSpectrum::eigenvalue, 0)));
            if (last > 0) spec.add(spectrum("after training (epoch " + last + ")", finals, NtkSpectrum::eigenvalue, 1));
            else notes.add("fig2: only the epoch-0 spectrum exists for " + main.group.label());
            panels.add(new Panel("fig2_ntk_spectrum", "Fig. 2: empirical NTK spectrum" + who, "eigen-index k",
                    "eigenvalue λ_k of J Jᵀ (seed mean)", Scale.LOG, Scale.LOG, spec));
        }
        return panels;
    }

    private static Panel inefficiencyVsN(Analysis analysis) {
        List<Series> series = new ArrayList<>();
        List<String> variants = analysis.groups.stream().map(PaperFigures::variant).distinct().toList();
        int colour = 0;
        for (String v : variants) {
            List<GroupAnalysis> gs = analysis.groups.stream().filter(g -> variant(g).equals(v)).toList();
            for (boolean cold : new boolean[]{true, false}) {
                List<GroupAnalysis> with = gs.stream().filter(g -> cold || g.warm != null).toList();
                Color c = org.speedlimits.plot.Style.palette(colour++);
                if (with.isEmpty()) continue;
                double[] n = with.stream().mapToDouble(g -> g.group.n()).toArray();
                double[] mean = with.stream().mapToDouble(g -> (cold ? g.cold : g.warm).lastMean()).toArray();
                double[] std = with.stream().mapToDouble(g -> (cold ? g.cold : g.warm).lastStd()).toArray();
                series.add(Series.withErrors((cold ? "cold" : "warm") + v + " (mean ± std)", n, mean, std,
                        Series.Look.LINE_MARKERS).colour(c));
                double[] th = with.stream().mapToDouble(g -> (cold ? g.theoryCold : g.theoryWarm)[g.epoch.length - 1]).toArray();
                if (Arrays.stream(th).allMatch(Double::isFinite)) {
                    series.add(Series.of("NTK theory, " + (cold ? "cold" : "warm") + v, n, th, Series.Look.DASHED).colour(c));
                }
            }
        }
        // n spans a factor 4 in the CPU sweeps, 10 in the paper: log only when it spans decades (AUTO)
        return new Panel("fig1d_inefficiency_vs_n", "(d) inefficiency at the final epoch vs n", "training-set size n",
                "t ΔL / |Δθ|² at the last epoch", Scale.AUTO, Scale.AUTO, series);
    }

    /** The group label without the n part (other differing keys), e.g. " model.width=8". */
    private static String variant(GroupAnalysis g) {
        String label = g.group.label();
        int space = label.indexOf(' ');
        return space < 0 ? "" : label.substring(space);
    }

    /** The seed mean (a line) and, with more than one seed, a shaded ± std band behind it. */
    private static List<Series> band(String name, GroupAnalysis g, int[] rows, SeedStats stats, int colour) {
        double[] x = Arrays.stream(rows).mapToDouble(i -> g.time[i]).toArray();
        double[] m = Arrays.stream(rows).mapToDouble(i -> stats.mean()[i]).toArray();
        double[] sd = Arrays.stream(rows).mapToDouble(i -> stats.std()[i]).toArray();
        Series mean = Series.of(name + (g.seeds() > 1 ? " (mean ± std, " + g.seeds() + " seeds)" : ""), x, m, Series.Look.LINE_MARKERS)
                .colour(colour);
        if (g.seeds() == 1) return List.of(mean);
        return List.of(Series.withErrors(name + " ± std", x, m, sd, Series.Look.BAND).colour(colour), mean);
    }

    private static Series theory(String name, GroupAnalysis g, int[] rows, double[] values, int colour) {
        return Series.of(name, Arrays.stream(rows).mapToDouble(i -> g.time[i]).toArray(),
                Arrays.stream(rows).mapToDouble(i -> values[i]).toArray(), Series.Look.DASHED).colour(colour);
    }

    /** Seed mean of a per-mode quantity (over the common length), k = 1..m. */
    private static Series spectrum(String name, List<NtkSpectrum> spectra, Function<NtkSpectrum, double[]> what, int colour) {
        int m = spectra.stream().mapToInt(NtkSpectrum::size).min().orElse(0);
        double[] k = new double[m], mean = new double[m];
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (NtkSpectrum sp : spectra) s += what.apply(sp)[i];
            k[i] = i + 1;
            mean[i] = s / spectra.size();
        }
        return Series.of(name, k, mean, Series.Look.LINE_MARKERS).colour(colour);
    }

    private static Series powerLaw(List<NtkSpectrum> spectra, double alpha) {
        NtkSpectrum s = spectra.get(0);
        int[] range = PowerLawFit.defaultRange(s.size());
        if (range[1] <= range[0] || Double.isNaN(alpha)) return null;
        PowerLawFit fit = PowerLawFit.fit(s.eigenvalue(), range[0], range[1]);
        return Series.of(String.format(Locale.ROOT, "fit k^−α, α = %.2f (k = %s)", alpha, fit.range()),
                new double[]{range[0], range[1]},
                new double[]{fit.amplitude() * Math.pow(range[0], -fit.exponent()), fit.amplitude() * Math.pow(range[1], -fit.exponent())},
                Series.Look.DASHED).colour(Color.BLACK);
    }
}
