package org.speedlimits.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small synthetic sweep for figure tests: n in {8, 12} x seeds {0, 1}, plus bad run directories. */
public final class LinearModelFixtures {
    private LinearModelFixtures() {
    }

    /** Writes the fixture sweep to args[0] (to look at the figures: then run {@code figures --runs args[0]}). */
    public static void main(String[] args) throws IOException {
        sweep(Path.of(args[0]));
    }

    public static void sweep(Path root) throws IOException {
        for (int n : new int[]{8, 12}) {
            LinearModelRuns model = new LinearModelRuns(n, 16, 3, "mean", 0.5, n);
            for (long seed = 0; seed < 2; seed++) {
                model.write(root.resolve("n" + n + "-s" + seed), new LinearModelRuns.Spec(seed, 120, new long[]{20, 40},
                        new long[]{0, 20, 120}, e -> e % 10 == 0 ? 0.08 + e / 500.0 : Double.NaN, "done"));
            }
            if (n == 8) {
                // same config, status done, but metrics.csv stops at epoch 60 (e.g. a copy still in progress)
                Path shortRun = model.write(root.resolve("short"), new LinearModelRuns.Spec(2, 120, new long[]{20, 40}, new long[]{0},
                        e -> e % 10 == 0 ? 0.1 : Double.NaN, "done"));
                Path metrics = shortRun.resolve("metrics.csv");
                Files.write(metrics, Files.readAllLines(metrics).subList(0, 62));
                model.write(root.resolve("running"), new LinearModelRuns.Spec(3, 120, new long[]{20, 40}, new long[]{0},
                        e -> e % 10 == 0 ? 0.1 : Double.NaN, "running"));
                Path noMetrics = model.write(root.resolve("no-metrics"), new LinearModelRuns.Spec(4, 10, new long[0], new long[0],
                        e -> 0.1, "done"));
                Files.delete(noMetrics.resolve("metrics.csv"));
            }
        }
    }
}
