package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.cli.Main;
import org.speedlimits.config.ConfigLoader;

class LinregCommandTest {
    @TempDir
    Path tmp;

    /** Through the real entry point, so exit codes are cli.Main's (2 for a ConfigException). */
    int run(String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "linreg";
        System.arraycopy(args, 0, full, 1, args.length);
        return Main.execute(full);
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
        Files.writeString(cfg, "d: 8\nreplicas: 200\nnoise: [0.0, 0.5]\ntimes: [0.1, 1.0]\ngammas: [0.5, 2.0]\ndt: 0.01\n");
        Path out = tmp.resolve("run");
        // a --set override on top of the file (jackknife_groups is not in the file)
        assertEquals(0, run("--config", cfg.toString(), "--set", "jackknife_groups=5", "--out", out.toString()));
        for (String f : List.of("config.yaml", "linreg_curves.csv", "linreg.png", "linreg_time.png", "linreg_time.svg",
                "linreg_gamma.png", "linreg_gamma.svg", "linreg_limit.png", "linreg_limit.svg"))
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        List<String> csv = Files.readAllLines(out.resolve("linreg_curves.csv"));
        assertEquals(LinregExperiment.Row.HEADER, csv.get(0));
        long sim = csv.stream().filter(l -> l.startsWith("time,sim,")).count();
        assertEquals(2 * 2, sim);
        // the resolved config is snake_case, round-trips and reproduces the same run id
        String written = Files.readString(out.resolve("config.yaml"));
        assertTrue(written.contains("jackknife_groups: 5") && written.contains("gamma_time:"), written);
        LinregConfig back = LinregConfig.load(out.resolve("config.yaml").toString(), List.of());
        assertEquals(8, back.d);
        assertEquals(5, back.jackknifeGroups);
        assertEquals(LinregConfig.load(cfg.toString(), List.of("jackknife_groups=5")).runId(), back.runId());
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
        String[][] cases = {{"d: 0", "key 'd' = 0 is invalid"}, {"d: -3", "key 'd' = -3 is invalid"},
                {"replicas: 0", "key 'replicas' = 0 is invalid"},
                {"noise: [0.1, -1.0]", "noise levels that are finite and >= 0"}, {"gammas: [0.0]", "key 'gammas'"},
                {"times: [1.0, 0.5]", "strictly increasing"}, {"d: [1, 2]", "key 'd' expects an integer, got [1,2]"},
                {"jackknife_groups: 1", "key 'jackknife_groups' = 1 is invalid; expected at least 2"},
                {"dt: 0.04", "key 'dt' = 0.04 is invalid; expected dt * a_max <= 0.5"}};
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
    void outThatIsAFileIsExitCode2() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Path cfg = Files.writeString(tmp.resolve("c.yaml"), "d: 8\nreplicas: 200\n");
        String err = stderrOf(() -> assertEquals(2, run("--config", cfg.toString(), "--out", file.toString())));
        assertTrue(err.contains("is not a directory"), err);
    }

    @Test
    void missingConfigIsExitCode2ThroughMain() {
        String err = stderrOf(() -> assertEquals(2, Main.execute("linreg", "--config", "nonexistent.yaml")));
        assertTrue(err.contains("config file not found: 'nonexistent.yaml'") && err.contains("configs"), err);
    }

    @Test
    void shippedDefaultConfigIsValidAndMatchesBuiltInDefaults() {
        LinregConfig shipped = LinregConfig.load("linreg.yaml", List.of());
        assertEquals(LinregConfig.defaults().toYaml(), shipped.toYaml());
        assertEquals(LinregConfig.defaults().runId(), shipped.runId());
        assertEquals(ConfigLoader.CONFIG_DIR.resolve("linreg.yaml"), ConfigLoader.resolveConfigPath("linreg.yaml"));
    }
}
