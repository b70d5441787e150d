package org.speedlimits.figures;

import org.speedlimits.analysis.Analysis;
import org.speedlimits.analysis.AnalysisException;
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
 * n is closest to {@code panelN} (the paper: 2500); fig2_ntk_change draws every n. Time axes are symlog (t = 0 drawn,
 * log above the first logged time's decade); the inefficiency is on a log axis with the speed limit 1 as a reference
 * line.
 */
public final class PaperFigures {
    /** Physical time is the x axis of every curve, so gd and flow runs (and runs with different lr) line up. */
    static final String TIME_AXIS = "time t (= lr · epoch)";

    /** Panel file names (without extension) in the order of the overview. */
    public static final List<String> PANELS = List.of("fig1a_loss", "fig1a_test_accuracy", "fig1b_inefficiency", "fig1c_triplets",
            "fig1d_inefficiency_vs_n", "fig1e_geometric_ratio", "fig1f_overlap", "fig1f_eigenvalues", "fig2_ntk_spectrum",
            "fig2_ntk_change");

    private PaperFigures() {
    }

    /** Writes every panel it has data for into {@code dir}; returns notes about panels that could not be drawn. */
    public static List<String> write(Analysis analysis, Path dir, long panelN) {
        return write(PaperData.of(analysis), dir, panelN);
    }

    /**
     * Redraws every panel from a written analysis folder ({@code summary.csv}, {@code curves/}, {@code spectra/}) into
     * {@code <folder>/figures/}, without the runs; fig1c (weight triplets) needs a run and is left as it is.
     */
    public static List<String> redraw(Path analysisFolder, long panelN, double warmThreshold) {
        return write(PaperData.read(analysisFolder, warmThreshold), analysisFolder.resolve("figures"), panelN);
    }

    static List<String> write(PaperData data, Path dir, long panelN) {
        List<String> notes = new ArrayList<>();
        FigureWriter files = new FigureWriter(dir);
        for (Panel p : panels(data, panelN, notes)) {
            if (p.name().equals("fig1d_inefficiency_vs_n")) { // the triplets come before 1d in the overview
                triplets(data, panelN, files, notes);
            }
            files.panel(p);
        }
        files.overview("overview", 3, 640, 500);
        return notes;
    }

    private static PaperData.Group main(PaperData data, long panelN) {
        return data.groups().stream().min(Comparator.comparingLong(g -> Math.abs(g.n() - panelN))).orElseThrow();
    }

    private static void triplets(PaperData data, long panelN, FigureWriter files, List<String> notes) {
        PaperData.Group main = main(data, panelN);
        Path existing = files.dir().resolve("fig1c_triplets.png");
        if (main.tripletRun() == null) {
            if (java.nio.file.Files.isRegularFile(existing)) files.include(existing); // keep the one drawn from the runs
            notes.add("fig1c: redrawn from an analysis folder: no run directory for the weight triplets"
                    + (java.nio.file.Files.isRegularFile(existing) ? " (the existing fig1c_triplets.png is kept)" : ""));
            return;
        }
        try {
            TripletFigure t = TripletFigure.read(main.tripletRun(), 6);
            files.painted("fig1c_triplets", t.width(), t.height(), t::paint, t.csv());
        } catch (AnalysisException e) {
            notes.add("fig1c: " + e.getMessage());
        }
    }

    static List<Panel> panels(Analysis analysis, long panelN, List<String> notes) {
        return panels(PaperData.of(analysis), panelN, notes);
    }

    /** Every XChart panel (all but the Java2D triplets), in overview order. */
    static List<Panel> panels(PaperData data, long panelN, List<String> notes) {
        List<Panel> panels = new ArrayList<>();
        PaperData.Group main = main(data, panelN);
        String who = " (" + main.label() + ", " + main.seeds() + (main.seeds() == 1 ? " seed)" : " seeds)");
        Scale time = Scale.symlogFor(data.groups().stream().map(PaperData.Group::time).toArray(double[][]::new));

        List<Series> loss = new ArrayList<>(band("train loss", main, main.trainLoss(), 0));
        panels.add(new Panel("fig1a_loss", "(a) training loss" + who, TIME_AXIS, "train loss L (1/2n Σ|f−y|²)", time, Scale.AUTO, loss));

        List<Series> acc = new ArrayList<>(band("test accuracy", main, main.testAcc(), 1));
        acc.add(Series.horizontal(String.format(Locale.ROOT, "warm-start threshold %.2f", data.warmThreshold()), data.warmThreshold()));
        panels.add(new Panel("fig1a_test_accuracy", "(a) test accuracy" + who, TIME_AXIS, "test accuracy (fraction)", time, Scale.LINEAR, acc));

        List<Series> ineff = new ArrayList<>(band("cold start (s = 0)", main, main.cold(), 0));
        if (main.warm() != null) {
            ineff.addAll(band("warm start (s = " + main.anchorEpoch() + ")", main, main.warm(), 1));
        } else {
            notes.add("fig1b: no warm-start curve for " + main.label() + ": " + main.warmNote());
        }
        ineff.add(theory("NTK theory, cold", main, main.theoryCold(), 0));
        ineff.add(theory("NTK theory, warm", main, main.theoryWarm(), 1));
        ineff.add(Series.horizontal("speed limit = 1", 1));
        panels.add(new Panel("fig1b_inefficiency", "(b) speed-limit inefficiency" + who, TIME_AXIS, "t ΔL / |θ_t − θ_s|²", time, Scale.LOG, ineff));

        panels.add(inefficiencyVsN(data));

        List<Series> geo = new ArrayList<>();
        for (int g = 0; g < data.groups().size(); g++) {
            PaperData.Group ga = data.groups().get(g);
            geo.addAll(band(ga.label(), ga, ga.geo(), g));
            geo.add(theory("NTK theory " + ga.label(), ga, ga.theoryGeo(), g));
        }
        panels.add(new Panel("fig1e_geometric_ratio", "(e) path length over straight-line distance", TIME_AXIS, "l_γ(t) / |θ_t − θ_0|",
                time, Scale.AUTO, geo));

        if (main.init() != null) {
            List<Series> overlap = new ArrayList<>();
            overlap.add(spectrum("at init (epoch 0)", main.init().spectra(), NtkSpectrum::overlap, 0));
            if (main.warmSpectra() != null) {
                overlap.add(spectrum("at warm start (epoch " + main.warmSpectra().epochs() + ")", main.warmSpectra().spectra(), NtkSpectrum::overlap, 1));
            } else {
                notes.add("fig1f: no NTK spectrum near the warm start of " + main.label());
            }
            panels.add(new Panel("fig1f_overlap", "(f) residue overlap with NTK eigenvectors" + who, "eigen-index k",
                    "overlap (v_kᵀr)² / |r|² (seed mean)", Scale.LOG, Scale.LOG, overlap));
        } else {
            notes.add("fig1f_overlap, fig2: no ntk/ spectra in " + main.label() + " (run the NTK stage)");
        }
        PaperData.Group smallest = data.groups().stream().filter(g -> g.init() != null).min(Comparator.comparingLong(PaperData.Group::n)).orElse(null);
        if (smallest != null) {
            List<NtkSpectrum> init = smallest.init().spectra();
            List<Series> eig = new ArrayList<>(List.of(spectrum("λ_k (seed mean)", init, NtkSpectrum::eigenvalue, 0)));
            Series fit = powerLaw(init, smallest.init().alpha());
            if (fit != null) eig.add(fit);
            panels.add(new Panel("fig1f_eigenvalues", "(f, inset) NTK eigenvalues at init (" + smallest.label() + ")",
                    "eigen-index k", "eigenvalue λ_k of J Jᵀ", Scale.LOG, Scale.LOG, eig));
        } else {
            notes.add("fig1f_eigenvalues: no run has ntk/epoch_0 spectra");
        }
        if (main.init() != null) {
            long last = main.lastEpoch();
            List<Series> spec = new ArrayList<>(List.of(spectrum("initialisation (epoch 0)", main.init().spectra(), NtkSpectrum::eigenvalue, 0)));
            if (last > 0) spec.add(spectrum("after training (epoch " + last + ")", main.last(), NtkSpectrum::eigenvalue, 1));
            else notes.add("fig2: only the epoch-0 spectrum exists for " + main.label());
            panels.add(new Panel("fig2_ntk_spectrum", "Fig. 2: empirical NTK spectrum" + who, "eigen-index k",
                    "eigenvalue λ_k of J Jᵀ (seed mean)", Scale.LOG, Scale.LOG, spec));
        }
        Panel change = spectrumChange(data, notes);
        if (change != null) panels.add(change);
        return panels;
    }

    /**
     * Fig. 2 as a ratio: λ_k at the last NTK epoch over λ_k at init, one line per seed of every n. Per seed, because
     * seeds whose kernels grow and shrink cancel in the seed-mean spectra of fig2_ntk_spectrum.
     */
    private static Panel spectrumChange(PaperData data, List<String> notes) {
        List<Series> series = new ArrayList<>();
        for (int g = 0; g < data.groups().size(); g++) {
            PaperData.Group ga = data.groups().get(g);
            if (ga.init() == null || ga.lastEpoch() <= 0) continue;
            List<NtkSpectrum> init = ga.init().spectra(), last = ga.last();
            if (init.size() != ga.seeds() || last.size() != ga.seeds()) { // pairs by seed only when every run has both
                notes.add("fig2_ntk_change: " + ga.label() + ": " + init.size() + " runs have an NTK at init and "
                        + last.size() + " at epoch " + ga.lastEpoch() + ", of " + ga.seeds() + "; not drawn");
                continue;
            }
            for (int s = 0; s < init.size(); s++) {
                double[] a = init.get(s).eigenvalue(), b = last.get(s).eigenvalue();
                int m = Math.min(a.length, b.length);
                double[] k = new double[m], ratio = new double[m];
                for (int i = 0; i < m; i++) {
                    k[i] = i + 1;
                    ratio[i] = b[i] / a[i];
                }
                Series line = Series.of(ga.label() + " run " + (s + 1), k, ratio, Series.Look.LINE).colour(g);
                series.add(s == 0 ? line.legend(ga.label() + " (" + init.size() + (init.size() == 1 ? " seed)" : " seeds, one line each)"))
                        : line.hiddenFromLegend());
            }
        }
        if (series.isEmpty()) {
            notes.add("fig2_ntk_change: no group has NTK spectra at init and at a later epoch");
            return null;
        }
        series.add(Series.horizontal("no change = 1", 1));
        return new Panel("fig2_ntk_change", "Fig. 2, change: λ_k at the end / at init, per seed", "eigen-index k",
                "λ_k(last NTK epoch) / λ_k(epoch 0)", Scale.LOG, Scale.AUTO, series);
    }

    private static Panel inefficiencyVsN(PaperData data) {
        List<Series> series = new ArrayList<>();
        List<String> variants = data.groups().stream().map(PaperFigures::variant).distinct().toList();
        int colour = 0;
        for (String v : variants) {
            List<PaperData.Group> gs = data.groups().stream().filter(g -> variant(g).equals(v)).toList();
            for (boolean cold : new boolean[]{true, false}) {
                List<PaperData.Group> with = gs.stream().filter(g -> cold || g.finalWarm() != null).toList();
                Color c = org.speedlimits.plot.Style.palette(colour++);
                if (with.isEmpty()) continue;
                double[] n = with.stream().mapToDouble(PaperData.Group::n).toArray();
                double[] mean = with.stream().mapToDouble(g -> (cold ? g.finalCold() : g.finalWarm())[0]).toArray();
                double[] std = with.stream().mapToDouble(g -> (cold ? g.finalCold() : g.finalWarm())[1]).toArray();
                series.add(Series.withErrors((cold ? "cold" : "warm") + v + " (mean ± std)", n, mean, std,
                        Series.Look.LINE_MARKERS).colour(c));
                double[] th = with.stream().mapToDouble(g -> (cold ? g.finalCold() : g.finalWarm())[2]).toArray();
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
    private static String variant(PaperData.Group g) {
        String label = g.label();
        int space = label.indexOf(' ');
        return space < 0 ? "" : label.substring(space);
    }

    /** The seed mean (a line) and, with more than one seed, a shaded ± std band behind it. */
    private static List<Series> band(String name, PaperData.Group g, SeedStats stats, int colour) {
        double[] x = g.time(), m = stats.mean(), sd = stats.std();
        Series mean = Series.of(name + (g.seeds() > 1 ? " (mean ± std, " + g.seeds() + " seeds)" : ""), x, m, Series.Look.LINE_MARKERS)
                .colour(colour);
        if (g.seeds() == 1) return List.of(mean);
        return List.of(Series.withErrors(name + " ± std", x, m, sd, Series.Look.BAND).colour(colour), mean);
    }

    private static Series theory(String name, PaperData.Group g, double[] values, int colour) {
        return Series.of(name, g.time(), values, Series.Look.DASHED).colour(colour);
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
