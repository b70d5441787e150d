package org.speedlimits.analysis;

import org.speedlimits.io.EpochCsv;
import org.speedlimits.io.Npy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The analysis stage over a set of run directories: groups, per-group results, and the files
 * {@code <out>/summary.csv}, {@code <out>/curves/<group>.csv}, {@code <out>/spectra/<group>.csv} (formats: README).
 */
public final class Analysis {
    /** Curve files keep every row up to this many; longer runs are thinned to log-spaced rows plus test rows. */
    static final int MAX_CURVE_ROWS = 5000;

    public final List<GroupAnalysis> groups;
    public final List<String> skipped;
    public final double warmThreshold;

    private Analysis(List<GroupAnalysis> groups, List<String> skipped, double warmThreshold) {
        this.groups = groups;
        this.skipped = skipped;
        this.warmThreshold = warmThreshold;
    }

    /**
     * What to analyse: the warm start is the first epoch where the seed-mean test accuracy reaches
     * {@code warmThreshold}, or, when {@code warmTime} is finite, the first row at time ≥ warmTime (a fixed warm
     * start, e.g. the paper's epoch 2000 in this project's time units); {@code horizon}: only rows with time ≤ it
     * (the "final" values are those at the horizon; +∞ = the whole run).
     */
    public record Options(double warmThreshold, double warmTime, double horizon) {
        public Options {
            if (!(warmThreshold > 0 && warmThreshold <= 1)) {
                throw new AnalysisException("--warm-threshold must be a test accuracy in (0, 1], got " + warmThreshold);
            }
            if (!Double.isNaN(warmTime) && !(warmTime > 0 && Double.isFinite(warmTime))) {
                throw new AnalysisException("--warm-time must be a positive time, got " + warmTime);
            }
            if (!(horizon > 0)) {
                throw new AnalysisException("--horizon must be a positive time, got " + horizon);
            }
        }

        /** The accuracy rule over whole runs. */
        public static Options threshold(double warmThreshold) {
            return new Options(warmThreshold, Double.NaN, Double.POSITIVE_INFINITY);
        }
    }

    /** Analyses the given run directories (a sweep's task directories or the result of {@link RunSet#discover}). */
    public static Analysis of(List<Path> runDirs, double warmThreshold) {
        return of(runDirs, Options.threshold(warmThreshold));
    }

    /** As {@link #of(List, double)}, with a fixed warm-start time and/or a horizon. */
    public static Analysis of(List<Path> runDirs, Options options) {
        RunSet set = RunSet.load(runDirs, options.horizon());
        List<GroupAnalysis> groups = new ArrayList<>();
        for (RunSet.Group g : set.groups) groups.add(new GroupAnalysis(g, options.warmThreshold(), options.warmTime()));
        return new Analysis(groups, set.skipped, options.warmThreshold());
    }

    /** Problems that make the result incomplete (e.g. no anchor after the warm start). */
    public List<String> errors() {
        return groups.stream().filter(g -> g.warmIsError).map(g -> g.group.label() + ": " + g.warmNote).toList();
    }

    public static final String SUMMARY_HEADER = "group,n,start,seeds,final_epoch,inefficiency_final_mean,inefficiency_final_std,"
            + "theory_inefficiency_final,test_acc_final_mean,test_acc_final_std,geo_ratio_final_mean,geo_ratio_final_std,"
            + "ntk_epoch,alpha,delta,fit_range,regime,warm_epoch,anchor_epoch,note";

    public List<String> summaryRows() {
        List<String> rows = new ArrayList<>();
        for (GroupAnalysis g : groups) {
            int last = g.epoch.length - 1;
            for (String start : List.of("cold", "warm")) {
                boolean cold = start.equals("cold");
                SeedStats ineff = cold ? g.cold : g.warm;
                GroupAnalysis.NtkSummary ntk = cold ? g.ntkInit : g.ntkWarm;
                double theory = (cold ? g.theoryCold : g.theoryWarm)[last];
                String note = cold ? (g.ntkInit == null ? "no NTK spectrum at epoch 0" : "") : g.warmNote;
                if (!cold && g.warm != null && g.ntkWarm == null) note = join(note, "no NTK spectrum near the anchor");
                rows.add(String.join(",", quote(g.group.label()), Long.toString(g.group.n()), start, Integer.toString(g.seeds()),
                        Long.toString((long) g.epoch[last]),
                        num(ineff == null ? Double.NaN : ineff.lastMean()), num(ineff == null ? Double.NaN : ineff.lastStd()),
                        num(theory), num(g.testAcc.lastMean()), num(g.testAcc.lastStd()),
                        cold ? num(g.geo.lastMean()) : "", cold ? num(g.geo.lastStd()) : "",
                        ntk == null ? "" : ntk.epochs(), num(ntk == null ? Double.NaN : ntk.alpha()),
                        num(ntk == null ? Double.NaN : ntk.delta()), ntk == null ? "" : ntk.fitRange(),
                        ntk == null ? "" : quote(ntk.regime()),
                        g.warmEpoch < 0 ? "" : Long.toString(g.warmEpoch), g.anchorEpoch < 0 ? "" : Long.toString(g.anchorEpoch),
                        quote(note)));
            }
        }
        return rows;
    }

    public static final String CURVE_HEADER = "epoch,time,train_loss_mean,train_loss_std,test_acc_mean,test_acc_std,"
            + "ineff_cold_mean,ineff_cold_std,ineff_warm_mean,ineff_warm_std,geo_ratio_mean,geo_ratio_std,"
            + "theory_ineff_cold,theory_ineff_warm,theory_geo_ratio,"
            + "loss_drop_mean,loss_drop_std,dist2_init_mean,dist2_init_std,path_length_mean,path_length_std,"
            + "theory_loss_drop,theory_dist2_init,theory_path_length";

    public static List<String> curveRows(GroupAnalysis g) {
        List<String> rows = new ArrayList<>();
        for (int i : curveRowIndices(g)) {
            rows.add(String.join(",", Long.toString((long) g.epoch[i]), num(g.time[i]),
                    num(g.trainLoss.mean()[i]), num(g.trainLoss.std()[i]), num(g.testAcc.mean()[i]), num(g.testAcc.std()[i]),
                    num(g.cold.mean()[i]), num(g.cold.std()[i]),
                    num(g.warm == null ? Double.NaN : g.warm.mean()[i]), num(g.warm == null ? Double.NaN : g.warm.std()[i]),
                    num(g.geo.mean()[i]), num(g.geo.std()[i]),
                    num(g.theoryCold[i]), num(g.theoryWarm[i]), num(g.theoryGeo[i]),
                    num(g.lossDrop.mean()[i]), num(g.lossDrop.std()[i]), num(g.dist2Init.mean()[i]), num(g.dist2Init.std()[i]),
                    num(g.pathLength.mean()[i]), num(g.pathLength.std()[i]),
                    num(g.theoryLossDrop[i]), num(g.theoryDist2[i]), num(g.theoryPathLength[i])));
        }
        return rows;
    }

    /** Rows kept in curve files and figures: all, or log-spaced rows + test rows + theory rows for long runs. */
    public static int[] curveRowIndices(GroupAnalysis g) {
        int n = g.epoch.length;
        if (n <= MAX_CURVE_ROWS) return java.util.stream.IntStream.range(0, n).toArray();
        TreeSet<Integer> rows = new TreeSet<>();
        for (int i : GroupAnalysis.logSpacedRows(g.epoch, MAX_CURVE_ROWS / 2)) rows.add(i);
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(g.testAcc.mean()[i]) || !Double.isNaN(g.theoryCold[i]) || !Double.isNaN(g.theoryWarm[i])) rows.add(i);
        }
        int anchorRow = g.anchorEpoch < 0 ? -1 : g.group.runs().get(0).row(g.anchorEpoch);
        for (int i = anchorRow + 1; anchorRow >= 0 && i < Math.min(n, anchorRow + 50); i++) rows.add(i);
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    public static List<String> spectraRows(GroupAnalysis g) {
        List<String> rows = new ArrayList<>();
        for (RunData r : g.group.runs()) {
            r.ntk.forEach((epoch, s) -> {
                for (int k = 0; k < s.size(); k++) {
                    rows.add(String.join(",", quote(r.name()), Long.toString(epoch), Integer.toString(k + 1),
                            num(s.eigenvalue()[k]), num(s.proj2()[k]), num(s.overlap()[k])));
                }
            });
        }
        return rows;
    }

    /** Writes summary.csv, curves/ and spectra/ under {@code out} (each file atomically). */
    public void write(Path out) {
        try {
            Files.createDirectories(out.resolve("curves"));
            writeCsv(out.resolve("summary.csv"), SUMMARY_HEADER, summaryRows());
            for (GroupAnalysis g : groups) {
                writeCsv(out.resolve("curves").resolve(g.group.slug() + ".csv"), CURVE_HEADER, curveRows(g));
                List<String> spectra = spectraRows(g);
                if (!spectra.isEmpty()) {
                    Files.createDirectories(out.resolve("spectra"));
                    writeCsv(out.resolve("spectra").resolve(g.group.slug() + ".csv"), "run,epoch,k,eigenvalue,proj2,overlap", spectra);
                }
            }
        } catch (IOException e) {
            throw new AnalysisException("cannot write the analysis to " + out + ": " + e.getMessage(), e);
        }
    }

    private static void writeCsv(Path file, String header, List<String> rows) throws IOException {
        Npy.writeAtomically(file, (header + "\n" + String.join("\n", rows) + (rows.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
    }

    /** The console report: skipped runs, a markdown table of the summary, notes. */
    public void printReport(PrintStream out) {
        for (String s : skipped) out.println("skipped: " + s);
        out.println();
        out.println("| group | start | seeds | final epoch | inefficiency | NTK theory | test acc | l_γ/l_geo | α | δ | regime | warm epoch | anchor |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (GroupAnalysis g : groups) {
            int last = g.epoch.length - 1;
            for (boolean cold : new boolean[]{true, false}) {
                SeedStats ineff = cold ? g.cold : g.warm;
                GroupAnalysis.NtkSummary ntk = cold ? g.ntkInit : g.ntkWarm;
                out.println(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                        g.group.label(), cold ? "cold" : "warm", g.seeds(), (long) g.epoch[last],
                        ineff == null ? "–" : pm(ineff.lastMean(), ineff.lastStd()),
                        fmt((cold ? g.theoryCold : g.theoryWarm)[last]), pm(g.testAcc.lastMean(), g.testAcc.lastStd()),
                        cold ? pm(g.geo.lastMean(), g.geo.lastStd()) : "–",
                        ntk == null ? "–" : fmt(ntk.alpha()), ntk == null ? "–" : fmt(ntk.delta()),
                        ntk == null ? "–" : ntk.regime(), g.warmEpoch < 0 ? "–" : Long.toString(g.warmEpoch),
                        cold ? "0" : g.anchorEpoch < 0 ? "–" : Long.toString(g.anchorEpoch)));
            }
        }
        for (GroupAnalysis g : groups) {
            if (g.ntkInit == null) out.println("note: " + g.group.label() + ": no ntk/ spectra; NTK theory, α and δ skipped");
            if (!g.warmNote.isEmpty() && !g.warmIsError) out.println("note: " + g.group.label() + ": " + g.warmNote);
        }
        for (String e : errors()) out.println("error: " + e);
    }

    private static String pm(double mean, double std) {
        return Double.isNaN(mean) ? "–" : fmt(mean) + " ± " + fmt(std);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3g", v);
    }

    static String num(double v) {
        return EpochCsv.format(v);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
