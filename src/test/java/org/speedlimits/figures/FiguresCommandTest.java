package org.speedlimits.figures;

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
        assertEquals(Main.EXIT_BAD_INPUT, code);
        assertTrue(captured.toString().contains("run path " + tmp.resolve("nowhere") + " does not exist"), captured.toString());
    }
}
