package org.speedlimits.run;

import org.junit.jupiter.api.Test;
import org.speedlimits.analysis.Analysis;
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
}
