package org.speedlimits.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.analysis.QuadraticRuns;
import org.speedlimits.config.ExitCodes;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `compare` writes the table and figure for good runs, and refuses bad ones as bad input without writing anything. */
class CompareCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesComparisonAndRefusesTwinRuns() throws Exception {
        QuadraticRuns.comparison(tmp); // writes tmp/flow and tmp/gd
        Path out = tmp.resolve("out");
        assertEquals(0, Main.execute("compare", "--runs", tmp.resolve("flow").toString(), tmp.resolve("gd").toString(),
                "--out", out.toString()));
        assertTrue(Files.isRegularFile(out.resolve("comparison.csv")));
        assertTrue(Files.isRegularFile(out.resolve("figures").resolve("comparison.png")));
        Path bad = tmp.resolve("bad");
        assertEquals(ExitCodes.BAD_INPUT, Main.execute("compare", "--runs", tmp.resolve("flow").toString(),
                tmp.resolve("flow").toString(), "--out", bad.toString()));
        assertFalse(Files.exists(bad), "nothing written for refused runs");
    }
}
