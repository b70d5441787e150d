package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LinregCommandTest {
    @TempDir
    Path tmp;

    int run(String... args) {
        return new CommandLine(new LinregCommand()).execute(args);
    }

    String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf));
        try { r.run(); } finally { System.setErr(old); }
        return buf.toString();
    }

    @Test
    void smallRunWritesConfigCsvAndFigures() throws Exception {
        Path cfg = tmp.resolve("small.yaml");
        Files.writeString(cfg, "d: 8\nreplicas: 200\nnoise: [0.0, 0.5]\ntimes: [0.1, 1.0]\ngammas: [0.5, 2.0]\ndt: 0.01\njackknifeGroups: 5\n");
        Path out = tmp.resolve("run");
        assertEquals(0, run("--config", cfg.toString(), "--out", out.toString()));
        for (String f : List.of("config.yaml", "linreg_curves.csv", "linreg.png", "linreg_time.png", "linreg_time.svg",
                "linreg_gamma.png", "linreg_gamma.svg", "linreg_limit.png", "linreg_limit.svg"))
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        List<String> csv = Files.readAllLines(out.resolve("linreg_curves.csv"));
        assertEquals(LinregExperiment.Row.HEADER, csv.get(0));
        long sim = csv.stream().filter(l -> l.startsWith("time,sim,")).count();
        assertEquals(2 * 2, sim);
        // the resolved config round-trips and reproduces the same run id
        LinregConfig back = LinregConfig.load(out.resolve("config.yaml"));
        assertEquals(8, back.d);
        assertEquals(LinregConfig.load(cfg).runId(), back.runId());
        try (var s = Files.list(tmp)) { // no temporary directory left behind
            assertEquals(2, s.count());
        }
    }

    @Test
    void unknownKeyNamesNearestValidKey() throws Exception {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, "replica: 100\n");
        Path out = tmp.resolve("run");
        String err = stderrOf(() -> assertEquals(2, run("--config", cfg.toString(), "--out", out.toString())));
        assertTrue(err.contains("'replica'") && err.contains("'replicas'"), err);
        assertFalse(Files.exists(out));
    }

    @Test
    void invalidValuesAreRejectedBeforeAnyWork() throws Exception {
        String[][] cases = {{"d: 0", "d must be positive"}, {"d: -3", "d must be positive"}, {"replicas: 0", "replicas must be positive"},
                {"noise: [0.1, -1.0]", "noise levels must be finite and >= 0"}, {"gammas: [0.0]", "gammas must be positive"},
                {"times: [1.0, 0.5]", "strictly increasing"}, {"d: [1, 2]", "invalid value"}};
        for (String[] c : cases) {
            Path cfg = tmp.resolve("bad.yaml");
            Files.writeString(cfg, c[0] + "\n");
            Path out = tmp.resolve("run");
            String err = stderrOf(() -> assertEquals(2, run("--config", cfg.toString(), "--out", out.toString())));
            assertTrue(err.contains(c[1]), c[0] + " -> " + err);
            assertFalse(Files.exists(out), c[0]);
        }
    }

    @Test
    void shippedDefaultConfigIsValidAndMatchesBuiltInDefaults() throws Exception {
        LinregConfig shipped = LinregConfig.load(Path.of("configs", "linreg.yaml"));
        assertEquals(new LinregConfig().toYaml(), shipped.toYaml());
        assertEquals(Path.of("configs", "linreg.yaml"), LinregCommand.resolveConfig("linreg.yaml"));
    }
}
