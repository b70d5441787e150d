package org.speedlimits.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.analysis.Analysis;
import org.speedlimits.analysis.RunComparison;
import org.speedlimits.analysis.RunData;
import org.speedlimits.analysis.RunSet;
import org.speedlimits.io.EpochCsv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The committed paper-width Fig. 1 runs (experiments/results/fig1-paper-cpu/runs/, small outputs only) are finished,
 * obey the speed limit on every row, and reproduce the committed summary tables with the analysis options stated in
 * that folder's README.md. Nothing is recomputed from checkpoints: the analysis reads only committed files. Skipped
 * while no run is committed.
 */
class Fig1PaperResultsTest {
    static final Path RESULTS = Path.of("experiments/results/fig1-paper-cpu");
    /** GD at the paper's learning rate from the θ₀ of one flow run, and its comparison with that run. */
    static final Path GD_RESULTS = Path.of("experiments/results/fig1-paper-cpu-gd");
    /** The seed-0 flow run continued past the paper's horizon (experiments/fig1-paper-cpu-long.yaml). */
    static final Path LONG_RESULTS = Path.of("experiments/results/fig1-paper-cpu-long");

    @TempDir
    Path tmp;

    /** Each committed summary and the options that made it (the same commands as in RESULTS/README.md). */
    static final Map<String, Analysis.Options> SUMMARIES = Map.of(
            "summary.csv", new Analysis.Options(0.12, Double.NaN, 4.0),
            "warm-t0.04/summary.csv", new Analysis.Options(0.12, 0.04, 4.0),
            "horizon-t2/summary.csv", new Analysis.Options(0.12, Double.NaN, 2.0));

    static List<Path> runs() {
        // until the first paper-width run is committed there is nothing to check (the sweep runs for hours)
        assumeTrue(Files.isDirectory(RESULTS.resolve("runs")), "no committed run under " + RESULTS.resolve("runs") + " yet");
        List<Path> runs = RunSet.discover(List.of(RESULTS.resolve("runs")));
        assertFalse(runs.isEmpty(), "no committed run under " + RESULTS.resolve("runs"));
        return runs;
    }

    @Test
    void everyCommittedRunIsDoneAndObeysTheSpeedLimitOnEveryRow() throws Exception {
        for (Path run : runs()) {
            RunStatus status = RunStatus.read(run).orElseThrow(() -> new AssertionError("no status.json in " + run));
            assertEquals(RunStatus.DONE, status.state(), run + ": state");
            assertEquals(status.epochs(), status.epoch(), run + ": epochs done");
            String config = Files.readString(run.resolve("config.yaml"));
            assertTrue(config.contains("dynamics: flow"), run + " is a gradient-flow run");
            Path metrics = run.resolve("metrics.csv");
            List<double[]> rows = EpochCsv.read(metrics);
            assertTrue(rows.size() > 50, run + ": " + rows.size() + " rows");
            FlowBounds.assertOnEveryRow(EpochCsv.header(metrics), rows, run.getFileName().toString());
            for (String file : List.of("env.json", "ntk/summary.csv", "triplets.csv")) {
                assertTrue(Files.isRegularFile(run.resolve(file)), run + ": " + file + " committed");
            }
            assertFalse(Files.exists(run.resolve("checkpoints")), run + ": checkpoints must not be committed");
        }
    }

    @Test
    void analysisOfTheCommittedRunsReproducesTheCommittedSummaries() throws Exception {
        List<Path> runs = runs();
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Analysis.Options> summary : SUMMARIES.entrySet()) {
            Path file = RESULTS.resolve(summary.getKey());
            assertTrue(Files.isRegularFile(file), "committed " + file);
            Analysis analysis = Analysis.of(runs, summary.getValue());
            assertEquals(List.of(), analysis.skipped, "every committed run is analysed");
            for (var g : analysis.groups) { // one group per n: the n = 1250 runs' larger NTK memory cap must not split them off
                assertEquals("n=" + g.group.n(), g.group.label(), "group label");
            }
            List<String> expected = new ArrayList<>(List.of(Analysis.SUMMARY_HEADER));
            expected.addAll(analysis.summaryRows());
            List<String> committed = Files.readAllLines(file);
            if (!expected.equals(committed)) {
                differences.add(file + ":\n  analysis: " + String.join("\n            ", expected)
                        + "\n  committed: " + String.join("\n             ", committed));
            }
        }
        assertEquals(List.of(), differences, "committed summaries differ from the analysis of the committed runs");
    }

    /**
     * The Fig. 2 change panel drawn from the committed runs (as `figures` draws it; figure CSVs are not committed) holds,
     * for every run, one line λ_k(end)/λ_k(init) computed here from the run's own ntk/epoch_0.csv and its last
     * ntk/epoch_E.csv (matched to the CSV's 10 digits), one line per run and no other. Control: the kernels did move
     * (some ratio is off 1 by more than 5 %), so a panel of init/init could not pass.
     */
    @Test
    void theFig2ChangePanelIsEachRunsEndOverInitSpectrum() throws Exception {
        List<Path> runs = runs();
        // the panel does not depend on the warm start or the horizon
        org.speedlimits.figures.PaperFigures.write(Analysis.of(runs, SUMMARIES.get("summary.csv")), tmp, 500);
        Path csv = tmp.resolve("fig2_ntk_change.csv");
        List<String> rows = Files.readAllLines(csv);
        Map<String, List<Double>> lines = new java.util.LinkedHashMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split(",", -1); // panel, series, x, y, y_lo, y_hi (these series names hold no comma)
            if (c[1].startsWith("n=")) lines.computeIfAbsent(c[1], k -> new ArrayList<>()).add(Double.parseDouble(c[3]));
        }
        assertEquals(runs.size(), lines.size(), csv + ": one line per committed run, got " + lines.keySet());
        double furthest = 0;
        for (Path run : runs) {
            double[] init = eigenvalues(run.resolve("ntk/epoch_0.csv"));
            long last;
            try (var files = Files.list(run.resolve("ntk"))) {
                last = files.map(f -> f.getFileName().toString()).filter(f -> f.matches("epoch_\\d+\\.csv"))
                        .mapToLong(f -> Long.parseLong(f.replaceAll("\\D", ""))).max().orElseThrow();
            }
            double[] end = eigenvalues(run.resolve("ntk/epoch_" + last + ".csv"));
            String group = "n=" + init.length + " run "; // the trace kernel has n eigenvalues
            List<String> matching = lines.entrySet().stream().filter(e -> e.getKey().startsWith(group)
                    && e.getValue().size() == init.length && matches(e.getValue(), init, end)).map(Map.Entry::getKey).toList();
            assertEquals(1, matching.size(), csv + ": lines of end/init for " + run.getFileName() + ": " + matching);
            for (int k = 0; k < init.length; k++) furthest = Math.max(furthest, Math.abs(end[k] / init[k] - 1));
        }
        assertTrue(furthest > 0.05, "the kernels moved: largest |λ_end/λ_init − 1| = " + furthest);
    }

    private static boolean matches(List<Double> ratios, double[] init, double[] end) {
        for (int k = 0; k < init.length; k++) {
            double r = end[k] / init[k];
            if (Math.abs(ratios.get(k) - r) > 1e-8 * Math.abs(r)) return false;
        }
        return true;
    }

    /** The eigenvalue column of an ntk/epoch_E.csv (k, eigenvalue, proj2, overlap, cum_overlap), k = 1, 2, ... */
    private static double[] eigenvalues(Path file) throws Exception {
        List<String> rows = Files.readAllLines(file);
        assertEquals("k,eigenvalue,proj2,overlap,cum_overlap", rows.get(0), file + " header");
        return rows.subList(1, rows.size()).stream().mapToDouble(r -> Double.parseDouble(r.split(",")[1])).toArray();
    }

    /**
     * GD at the paper's lr against the flow from the same θ₀. Its committed comparison.csv is what `compare` makes of the
     * committed runs, and it obeys the first-order theory of {@link RunComparison}: after one step (the first shared
     * time, t = η) GD's excess loss drop over the flow and its inefficiency deficit below 1 are two measurements of one
     * number, ηgᵀHg/(2|g|²), so they must agree (10 %), be positive and at most ηλ_max/2; at every shared time the
     * excess lies in [−1e-4 (the flow's rtol), ηλ_max/2] with the largest λ_max either run measured.
     */
    @Test
    void gdAtThePaperLearningRateStaysWithinFirstOrderOfTheFlow() throws Exception {
        assumeTrue(Files.isDirectory(GD_RESULTS.resolve("runs")), "no committed GD run under " + GD_RESULTS);
        List<Path> gdRuns = RunSet.discover(List.of(GD_RESULTS.resolve("runs")));
        assertEquals(1, gdRuns.size(), "one GD run");
        RunData gd = RunData.load(gdRuns.get(0));
        assertEquals("done", gd.state, gdRuns.get(0) + ": state");
        assertEquals("gd", gd.config.get("train.dynamics"));
        RunData flow = runs().stream().map(RunData::load)
                .filter(r -> r.n() == gd.n() && r.config.get("seed").equals(gd.config.get("seed"))).findFirst()
                .orElseThrow(() -> new AssertionError("no committed flow run with the GD run's n and seed"));
        RunComparison c = RunComparison.of(List.of(flow, gd), Double.POSITIVE_INFINITY);
        c.write(tmp);
        assertEquals(Files.readAllLines(tmp.resolve("comparison.csv")), Files.readAllLines(GD_RESULTS.resolve("comparison.csv")),
                "committed comparison.csv = compare of the committed runs");

        double eta = Double.parseDouble(gd.config.get("train.lr"));
        double lambdaMax = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(gd.lambdaMax), java.util.Arrays.stream(flow.lambdaMax))
                .filter(Double::isFinite).max().orElseThrow();
        double bound = eta * lambdaMax / 2;
        RunComparison.Shared first = c.shared().get(0);
        assertEquals(eta, first.time(), eta * 1e-9, "the first shared time is one GD step");
        double excess = c.dropRatio(1, first) - 1, deficit = 1 - c.coldInefficiency(1)[first.rows()[1]];
        assertTrue(excess > 0 && excess <= bound && deficit > 0 && deficit <= bound,
                "one step: excess drop " + excess + ", inefficiency deficit " + deficit + ", ηλ_max/2 = " + bound);
        assertEquals(excess, deficit, 0.1 * deficit, "both are ηgᵀHg/(2|g|²) to first order");
        for (RunComparison.Shared s : c.shared()) {
            double e = c.dropRatio(1, s) - 1;
            assertTrue(e >= -1e-4 && e <= bound, "t = " + s.time() + ": excess drop " + e + " outside [-1e-4, " + bound + "]");
        }
    }

    /**
     * The long run (t = 10) is a second integration of the seed-0 flow from the same θ₀: its recording times (log
     * points up to a later horizon) clip the RKC steps differently, so up to t = 4 the two differ only by the
     * integrator's error, ≈ 2 rtol = 2e-4 each (docs/dynamics.md), controlled per weight (atol + rtol |θ_i|), not
     * relative to the distance travelled. Checked at every shared time: loss within 1e-3 relative, ‖θ − θ₀‖ and the
     * path length within 1e-3 absolute (they reach ~0.5; measured: 2.6e-4, 3.0e-4), test accuracy within 6 of 932
     * images (borderline images flip; measured: 5); the control is another seed, far outside the loss tolerance.
     */
    @Test
    void theLongRunRetracesTheSeed0FlowWithinTheIntegratorsError() throws Exception {
        assumeTrue(Files.isDirectory(LONG_RESULTS.resolve("runs")), "no committed long run under " + LONG_RESULTS);
        List<Path> longRuns = RunSet.discover(List.of(LONG_RESULTS.resolve("runs")));
        assertEquals(1, longRuns.size(), "one long run");
        Path dir = longRuns.get(0);
        RunData longRun = RunData.load(dir);
        assertEquals("done", longRun.state, dir + ": state");
        assertEquals("flow", longRun.config.get("train.dynamics"));
        assertEquals(10.0, longRun.time[longRun.rows() - 1], 1e-9, "the long run ends at t = 10");
        Path metrics = dir.resolve("metrics.csv");
        FlowBounds.assertOnEveryRow(EpochCsv.header(metrics), EpochCsv.read(metrics), dir.getFileName().toString());
        List<RunData> flows = runs().stream().map(RunData::load).filter(r -> r.n() == longRun.n()).toList();
        RunData seed0 = flows.stream().filter(r -> r.config.get("seed").equals(longRun.config.get("seed"))).findFirst()
                .orElseThrow(() -> new AssertionError("no committed flow run with the long run's n and seed"));
        int shared = 0;
        for (int i = 0; i < seed0.rows(); i++) {
            int j = longRun.row((long) seed0.epoch[i]);
            if (j < 0) {
                continue;
            }
            shared++;
            assertEquals(seed0.time[i], longRun.time[j], 1e-12, "epoch " + seed0.epoch[i]);
            assertClose(seed0.trainLoss[i], longRun.trainLoss[j], 1e-3, "train loss", seed0.epoch[i]);
            assertEquals(Math.sqrt(seed0.dist2Init[i]), Math.sqrt(longRun.dist2Init[j]), 1e-3, "|θ - θ₀| at epoch " + seed0.epoch[i]);
            assertEquals(seed0.pathLength[i], longRun.pathLength[j], 1e-3, "path length at epoch " + seed0.epoch[i]);
            assertEquals(seed0.testAcc[i], longRun.testAcc[j], 6.5 / 932, "test accuracy at epoch " + seed0.epoch[i]);
        }
        assertTrue(shared >= 30, shared + " shared epochs");
        // control: another seed's loss is far outside the tolerance at the same epochs
        RunData other = flows.stream().filter(r -> r != seed0).findFirst().orElseThrow();
        double worst = 0;
        for (int i = 0; i < other.rows(); i++) {
            int j = longRun.row((long) other.epoch[i]);
            if (j > 0) {
                worst = Math.max(worst, Math.abs(other.trainLoss[i] - longRun.trainLoss[j]) / longRun.trainLoss[j]);
            }
        }
        assertTrue(worst > 0.05, "another seed differs by " + worst);
    }

    private static void assertClose(double expected, double actual, double rel, String what, double epoch) {
        assertTrue(Math.abs(actual - expected) <= rel * Math.abs(expected),
                what + " at epoch " + (long) epoch + ": " + actual + " vs " + expected);
    }
}
