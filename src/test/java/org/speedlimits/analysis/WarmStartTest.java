package org.speedlimits.analysis;

import org.speedlimits.config.ExitCodes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm start is the first epoch where the SEED-MEAN test accuracy reaches the threshold, not any one seed's. */
class WarmStartTest {
    @TempDir
    Path tmp;

    /** Seed s reaches 0.12 at epoch 10 * (1 + 3 s): 10, 40, 70; accuracy 0.05 before and 0.2 after. */
    private static double accuracy(long seed, long epoch) {
        if (epoch % 5 != 0) return Double.NaN;
        return epoch >= 10 * (1 + 3 * seed) ? 0.2 : 0.05;
    }

    private List<Path> runs(long[] anchors) throws Exception {
        LinearModelRuns model = new LinearModelRuns(8, 10, 2, "mean", 0.5, 5);
        List<Path> dirs = new ArrayList<>();
        for (long seed = 0; seed < 3; seed++) {
            long s = seed;
            dirs.add(model.write(tmp.resolve("a" + anchors.length + "-s" + seed),
                    new LinearModelRuns.Spec(seed, 100, anchors, new long[0], e -> accuracy(s, e), "done")));
        }
        return dirs;
    }

    @Test
    void warmStartUsesTheSeedMeanAndTheFirstAnchorAfterIt() throws Exception {
        GroupAnalysis g = Analysis.of(runs(new long[]{10, 30, 45, 60, 80}), 0.12).groups.get(0);
        // mean: 0.05 up to 5; (0.2+0.05+0.05)/3 = 0.1 at 10..35; (0.2+0.2+0.05)/3 = 0.15 at 40 -> warm start 40
        // (seed 0 alone would give 10, the last seed 70)
        assertEquals(40, g.warmEpoch);
        assertEquals(45, g.anchorEpoch);
        assertTrue(g.warmNote.contains("45"), g.warmNote);
        // warm inefficiency is (t - t_45)(L_45 - L_t)/dist2_anchor_45, per seed then averaged
        int i = g.epoch.length - 1;
        double sum = 0;
        for (RunData r : g.group.runs()) {
            int s = r.row(45);
            sum += (r.time[i] - r.time[s]) * (r.trainLoss[s] - r.trainLoss[i]) / r.anchors.get(45L)[i];
        }
        assertEquals(sum / 3, g.warm.mean()[i], 1e-12 * sum);
        assertTrue(Double.isNaN(g.warm.mean()[g.group.runs().get(0).row(45)]));
    }

    @Test
    void noAnchorAfterTheWarmStartIsAClearError() throws Exception {
        List<Path> dirs = runs(new long[]{10, 30});
        GroupAnalysis g = Analysis.of(dirs, 0.12).groups.get(0);
        assertNull(g.warm);
        assertTrue(g.warmIsError);
        assertTrue(g.warmNote.contains("no recorded anchor at or after") && g.warmNote.contains("hooks.anchors"), g.warmNote);

        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        int code;
        try {
            code = Main.execute("analyze", "--runs", tmp.toString(), "--out", tmp.resolve("out").toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(captured.toString().contains("error: n=8: warm start at epoch 40"), captured.toString());
    }

    @Test
    void warmNtkSpectrumIsNeverTheInitialOne() throws Exception {
        LinearModelRuns model = new LinearModelRuns(8, 10, 2, "mean", 0.5, 5);
        List<Path> dirs = new ArrayList<>();
        for (long seed = 0; seed < 2; seed++) {
            long s = seed;
            dirs.add(model.write(tmp.resolve("ntk0-s" + seed), new LinearModelRuns.Spec(seed, 100, new long[]{45},
                    new long[]{0}, e -> accuracy(s, e), "done")));
        }
        GroupAnalysis g = Analysis.of(dirs, 0.12).groups.get(0);
        assertEquals(45, g.anchorEpoch);
        assertTrue(g.ntkInit != null && g.ntkWarm == null, "only epoch-0 spectra: no warm-start NTK analysis");
        assertTrue(Double.isNaN(g.theoryWarm[g.epoch.length - 1]));
        assertTrue(Analysis.of(dirs, 0.12).summaryRows().get(1).contains("no NTK spectrum near the anchor"));
    }

    @Test
    void thresholdNeverReachedIsANoteNotAnError() throws Exception {
        GroupAnalysis g = Analysis.of(runs(new long[]{10, 30, 45}), 0.5).groups.get(0);
        assertEquals(-1, g.warmEpoch);
        assertTrue(!g.warmIsError && g.warmNote.contains("never reaches"), g.warmNote);
    }

    @Test
    void warmSpectrumComesOnlyFromAnNtkEpochNearTheAnchor() {
        java.util.TreeSet<Long> epochs = new java.util.TreeSet<>(List.of(0L, 83L, 300L, 3000L));
        assertEquals(300L, GroupAnalysis.nearestWarmEpoch(epochs, 300));
        assertEquals(300L, GroupAnalysis.nearestWarmEpoch(epochs, 250), "within max(50, anchor/4)");
        assertEquals(83L, GroupAnalysis.nearestWarmEpoch(epochs, 100));
        // only the cold start and the end of the run: neither stands in for the warm start
        java.util.TreeSet<Long> coldAndEnd = new java.util.TreeSet<>(List.of(0L, 3000L));
        assertEquals(-1L, GroupAnalysis.nearestWarmEpoch(coldAndEnd, 100));
        assertEquals(-1L, GroupAnalysis.nearestWarmEpoch(coldAndEnd, 0));
        assertEquals(-1L, GroupAnalysis.nearestWarmEpoch(new java.util.TreeSet<>(List.of(2425L)), 150));
        assertEquals(2425L, GroupAnalysis.nearestWarmEpoch(new java.util.TreeSet<>(List.of(2425L)), 2000));
    }

    private List<Path> runs(String tag, long epochs, long[] anchors) throws Exception {
        LinearModelRuns model = new LinearModelRuns(8, 10, 2, "mean", 0.5, 5);
        List<Path> dirs = new ArrayList<>();
        for (long seed = 0; seed < 3; seed++) {
            long s = seed;
            dirs.add(model.write(tmp.resolve(tag + "-s" + seed),
                    new LinearModelRuns.Spec(seed, epochs, anchors, new long[0], e -> accuracy(s, e), "done")));
        }
        return dirs;
    }

    @Test
    void fixedWarmTimeReplacesTheAccuracyRule() throws Exception {
        // time = 0.5 * epoch here: t = 10 is epoch 20, whose first anchor at or after it is 30
        GroupAnalysis g = Analysis.of(runs(new long[]{10, 30, 45}), new Analysis.Options(0.12, 10.0, Double.POSITIVE_INFINITY)).groups.get(0);
        assertEquals(20, g.warmEpoch);
        assertEquals(30, g.anchorEpoch);
        assertTrue(g.warmNote.contains("fixed at t = 10"), g.warmNote);
        // the accuracy rule on the same runs gives epoch 40 (see above): the option is what changed it
        assertEquals(40, Analysis.of(runs(new long[]{10, 30, 45}), 0.12).groups.get(0).warmEpoch);
        // past the end: no warm start, said so
        GroupAnalysis late = Analysis.of(runs(new long[]{10, 30, 45}), new Analysis.Options(0.12, 1000.0, Double.POSITIVE_INFINITY)).groups.get(0);
        assertEquals(-1, late.warmEpoch);
        assertTrue(late.warmNote.contains("no row at time"), late.warmNote);
    }

    @Test
    void horizonAnalysesTheRunsAsIfTheyEndedThere() throws Exception {
        long[] anchors = {10, 30, 45, 80};
        // the same deterministic runs to epoch 100, cut at t = 30 (epoch 60), against runs that end at epoch 60
        Analysis cut = Analysis.of(runs("long", 100, anchors), new Analysis.Options(0.12, Double.NaN, 30.0));
        Analysis shorter = Analysis.of(runs("short", 60, anchors), 0.12);
        assertEquals(60, (long) cut.groups.get(0).epoch[cut.groups.get(0).epoch.length - 1]);
        assertEquals(shorter.summaryRows(), cut.summaryRows());
        assertEquals(Analysis.curveRows(shorter.groups.get(0)), Analysis.curveRows(cut.groups.get(0)));
        // negative control: without the horizon the long runs end elsewhere
        assertTrue(!Analysis.of(runs("long2", 100, anchors), 0.12).summaryRows().equals(shorter.summaryRows()));
    }
}
