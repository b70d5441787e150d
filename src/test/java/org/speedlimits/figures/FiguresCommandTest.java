package org.speedlimits.figures;

import org.speedlimits.config.ExitCodes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.analysis.LinearModelFixtures;
import org.speedlimits.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code figures --runs <sweep folder>} on a small synthetic sweep (2 n values x 2 seeds, with ntk/ spectra and
 * triplets) plus three bad run directories: every panel exists and is non-empty, and each bad run is reported and
 * left out of the averages.
 */
class FiguresCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesEveryPanelAndReportsBadRuns() throws Exception {
        Path sweep = tmp.resolve("sweep");
        LinearModelFixtures.sweep(sweep);
        Path out = tmp.resolve("out");

        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        int code;
        try {
            code = Main.execute("figures", "--runs", sweep.toString(), "--out", out.toString(), "--panel-n", "12");
        } finally {
            System.setOut(old);
        }
        String console = captured.toString();
        assertEquals(0, code, console);
        for (String panel : PaperFigures.PANELS) {
            for (String ext : List.of(".png", ".svg")) {
                Path file = out.resolve("figures").resolve(panel + ext);
                assertTrue(Files.isRegularFile(file) && Files.size(file) > 1000, "missing or empty " + file + "\n" + console);
            }
        }
        assertTrue(Files.size(out.resolve("figures").resolve("overview.png")) > 10000);
        assertTrue(Files.isRegularFile(out.resolve("summary.csv")));
        assertTrue(Files.isRegularFile(out.resolve("curves").resolve("n-8.csv")));
        assertTrue(Files.isRegularFile(out.resolve("spectra").resolve("n-12.csv")));

        assertTrue(console.contains("skipped: " + sweep.resolve("no-metrics") + ": no metrics.csv"), console);
        assertTrue(console.contains("skipped: " + sweep.resolve("running") + ": status is 'running', not 'done'"), console);
        assertTrue(console.contains("skipped: " + sweep.resolve("short") + ": ends at epoch 60 but"), console);
        // each group keeps only its 2 complete seeds
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(5, summary.size());
        for (String row : summary.subList(1, 5)) assertEquals("2", row.split(",")[3], row);
        assertTrue(console.contains("| n=8 | cold | 2 |"), console);
    }

    @Test
    void missingRunPathIsAClearError() {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int code;
        try {
            code = Main.execute("figures", "--runs", tmp.resolve("nowhere").toString());
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(captured.toString().contains("run path " + tmp.resolve("nowhere") + " does not exist"), captured.toString());
    }

    /** {@code analyze --sweep FILE} analyses the run directories of the experiment file's grid points. */
    @Test
    void analyzeFindsTheRunsOfASweepFile() throws Exception {
        Path fixtures = tmp.resolve("fixtures");
        LinearModelFixtures.sweep(fixtures);
        Files.copy(Path.of("configs", "quickstart.yaml"), tmp.resolve("base.yaml"));
        Path file = tmp.resolve("exp.yaml");
        Files.writeString(file, "sweep: fixture\nbase: base.yaml\nfolder: " + tmp.resolve("folder")
                + "\ngrid:\n  seed: [0, 1]\n  data.n_train: [8, 12]\n"
                + "resources: {time: \"00:10:00\", mem: 1G, cpus_per_task: 1, gpus: 0, signal_seconds: 30}\n");
        List<Path> complete;
        try (var dirs = Files.list(fixtures)) {
            complete = dirs.filter(d -> List.of("no-metrics", "running", "short").stream()
                    .noneMatch(bad -> d.getFileName().toString().equals(bad))).sorted().toList();
        }
        var tasks = org.speedlimits.sweep.Sweep.load(file).tasks();
        assertEquals(4, complete.size());
        for (int i = 0; i < 3; i++) { // the 4th grid point has not run yet
            Path target = tasks.get(i).runDirectory();
            Files.createDirectories(target.getParent());
            try (var walk = Files.walk(complete.get(i))) {
                for (Path src : walk.toList()) {
                    Files.copy(src, target.resolve(complete.get(i).relativize(src).toString()));
                }
            }
        }
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            Main.execute("analyze", "--sweep", file.toString());
        } finally {
            System.setOut(old);
        }
        String console = captured.toString();
        Path summary = tmp.resolve("folder").resolve("analysis").resolve("summary.csv");
        assertTrue(Files.isRegularFile(summary), console);
        assertTrue(console.contains("skipped: " + tasks.get(3).runDirectory()), console);
        int seeds = Files.readAllLines(summary).stream().skip(1).mapToInt(r -> Integer.parseInt(r.split(",")[3])).sum();
        assertEquals(2 * 3, seeds, "3 runs, each counted for the cold and the warm start\n" + console);
    }
}
