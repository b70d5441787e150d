package org.speedlimits.ntk;

import org.speedlimits.config.ExitCodes;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.cli.Main;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.io.EpochCsv;
import org.speedlimits.io.Npy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NTK hook in a tiny real training run, the ntk command on its checkpoints, and bad input. */
class NtkHookTest {
    static final int EPOCHS = 12;

    /** Real CIFAR-10: the installed copy or the offline mirror; a test fails (not skips) without either. */
    static Path data;

    @BeforeAll
    static void needsData() {
        data = org.speedlimits.data.TestData.requireCifar();
    }

    static String overrides(Path root) {
        return "output.root=" + root + " data.dir=" + data + " output.run_id=ntk output.figure=false data.n_train=24 data.n_test=40"
                + " model.width=3 train.epochs=" + EPOCHS + " train.lr=0.01 train.eval_every=3 train.eval_log_points=0"
                + " hooks.triplets=0 hooks.lambda_max_every=-1 checkpoint.every=3 checkpoint.log_points=0"
                + " model.parameterization=ntk";
    }

    static int run(String... args) {
        return Main.execute(args);
    }

    /** Runs a command, returning its exit code and what it printed to stderr. */
    static String stderrOf(int[] code, String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code[0] = Main.execute(args);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void hookWritesTheDocumentedFilesAndTheCommandReproducesThem(@TempDir Path root, @TempDir Path plain) throws Exception {
        assertEquals(0, run("train", "-c", "quickstart.yaml", "--set", overrides(root),
                "--set", "ntk.epochs=[0,final,\"warm:0.05\"] ntk.eigenvectors=true"));
        Path dir = root.resolve("quickstart/ntk");
        // the hook does not perturb training: the same run without it gives byte-identical metrics and final theta
        assertEquals(0, run("train", "-c", "quickstart.yaml", "--set", overrides(plain)));
        assertEquals(Files.readString(plain.resolve("quickstart/ntk/metrics.csv")), Files.readString(dir.resolve("metrics.csv")));
        String last = "checkpoints/epoch_" + EPOCHS + ".npy";
        assertArrayEquals(Files.readAllBytes(plain.resolve("quickstart/ntk").resolve(last)), Files.readAllBytes(dir.resolve(last)));
        assertTrue(!Files.exists(plain.resolve("quickstart/ntk/ntk")));
        Path metrics = dir.resolve("metrics.csv");
        // the warm epoch, found independently: first row of metrics.csv with a test accuracy >= 0.05
        List<String> header = EpochCsv.header(metrics);
        long warm = -1;
        for (double[] row : EpochCsv.read(metrics)) {
            double acc = row[header.indexOf("test_acc")];
            if (warm < 0 && !Double.isNaN(acc) && acc >= 0.05) {
                warm = (long) row[0];
            }
        }
        assertTrue(warm >= 0);
        java.util.TreeSet<Long> expected = new java.util.TreeSet<>(List.of(0L, (long) EPOCHS, warm));
        List<String> summary = Files.readAllLines(dir.resolve("ntk/summary.csv"));
        assertEquals(NtkFiles.SUMMARY_HEADER, summary.get(0));
        assertEquals(expected.size() + 1, summary.size());
        int i = 1;
        for (long e : expected) {
            String[] cells = summary.get(i++).split(",", -1);
            assertEquals(Long.toString(e), cells[0]);
            assertEquals("trace", cells[1]);
            assertEquals("24", cells[2]);
            assertEquals("10", cells[3]);
            INDArray t = Npy.read(dir.resolve("ntk/epoch_" + e + ".npy"));
            assertArrayEquals(new long[]{24, 4}, t.shape());
            assertEquals(Double.parseDouble(cells[5]), t.getDouble(0, 0), 0.0);
            assertEquals(Double.parseDouble(cells[6]), t.getDouble(23, 0), 0.0);
            for (int k = 1; k < 24; k++) {
                assertTrue(t.getDouble(k - 1, 0) >= t.getDouble(k, 0));
            }
            assertEquals(1.0, t.getDouble(23, 3), 1e-12);
            List<String> csv = Files.readAllLines(dir.resolve("ntk/epoch_" + e + ".csv"));
            assertEquals(NtkFiles.SPECTRUM_HEADER, csv.get(0));
            assertEquals(25, csv.size());
            assertEquals(t.getDouble(3, 1), Double.parseDouble(csv.get(4).split(",")[2]), 0.0);
            assertArrayEquals(new long[]{24, 24}, Npy.read(dir.resolve("ntk/epoch_" + e + "_eigenvectors.npy")).shape());
            // train_loss in the summary is the run's loss at that theta (metrics.csv, float32 training) to float precision
            double loss = metricsValue(metrics, e, "train_loss");
            assertEquals(loss, Double.parseDouble(cells[8]), 1e-5 * loss);
        }
        // after the fact, from the checkpoint: the same numbers
        INDArray inTraining = Npy.read(dir.resolve("ntk/epoch_" + EPOCHS + ".npy"));
        assertEquals(0, run("ntk", "--run", dir.toString(), "--epoch", "final"));
        INDArray again = Npy.read(dir.resolve("ntk/epoch_" + EPOCHS + ".npy"));
        double scale = inTraining.amaxNumber().doubleValue();
        assertTrue(inTraining.sub(again).amaxNumber().doubleValue() <= 1e-12 * scale);
        assertEquals(expected.size() + 1, Files.readAllLines(dir.resolve("ntk/summary.csv")).size());
        if (warm % 3 == 0) { // checkpoint.every = 3: the warm epoch has a checkpoint
            INDArray warmTraining = Npy.read(dir.resolve("ntk/epoch_" + warm + ".npy"));
            assertEquals(0, run("ntk", "--run", dir.toString(), "--epoch", "warm:0.05"));
            INDArray warmAgain = Npy.read(dir.resolve("ntk/epoch_" + warm + ".npy"));
            assertTrue(warmTraining.sub(warmAgain).amaxNumber().doubleValue() <= 1e-12 * warmTraining.amaxNumber().doubleValue());
        }

        int[] code = new int[1];
        String err = stderrOf(code, "ntk", "--run", dir.toString(), "--epoch", "7");
        assertEquals(ExitCodes.BAD_INPUT, code[0]);
        assertTrue(err.contains("no checkpoint of epoch 7"), err);
        err = stderrOf(code, "ntk", "--run", dir.toString(), "--epoch", "warm:abc");
        assertEquals(ExitCodes.BAD_INPUT, code[0]);
        assertTrue(err.contains("'warm:abc'"), err);
        err = stderrOf(code, "ntk", "--run", root.resolve("nothing").toString(), "--epoch", "0");
        assertEquals(ExitCodes.BAD_INPUT, code[0]);
        assertTrue(err.contains("no run directory"), err);
        err = stderrOf(code, "ntk", "--run", dir.toString(), "--epoch", "0", "--kernel", "full", "--memory-cap-mb", "1");
        assertEquals(ExitCodes.BAD_INPUT, code[0]);
        assertTrue(err.contains("ntk.memory_cap_mb = 1 is too small for the full kernel"), err);
    }

    static double metricsValue(Path metrics, long epoch, String column) throws Exception {
        int c = EpochCsv.header(metrics).indexOf(column);
        return EpochCsv.read(metrics).stream().filter(r -> (long) r[0] == epoch).findFirst().orElseThrow()[c];
    }

    @Test
    void badNtkConfigIsRejectedBeforeAnythingIsWritten() {
        ConfigException warm = assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(
                "ntk: {epochs: [0, \"warm:abc\"]}", List.of()));
        assertTrue(warm.getMessage().contains("'warm:abc'") && warm.getMessage().contains("ntk.epochs"), warm.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(
                "ntk: {epochs: [sometime]}", List.of()));
        assertTrue(unknown.getMessage().contains("'sometime'"), unknown.getMessage());
        ConfigException late = assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(
                "train: {epochs: 10}\nntk: {epochs: [11]}", List.of()));
        assertTrue(late.getMessage().contains("between 0 and train.epochs = 10"), late.getMessage());
        ConfigException cap = assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(
                "data: {n_train: 500}\nntk: {epochs: [0], kernel: full, memory_cap_mb: 100}", List.of()));
        assertTrue(cap.getMessage().contains("ntk.memory_cap_mb = 100 is too small for the full kernel of n = 500"),
                cap.getMessage());
        ConfigException side = assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(
                "data: {n_train: 5000}\nntk: {epochs: [0], kernel: full}", List.of()));
        assertTrue(side.getMessage().contains("ntk.dense_max"), side.getMessage());
        // off by default, and a valid schedule passes
        assertTrue(ConfigLoader.fromYaml("", List.of()).config().ntk().epochs().isEmpty());
        ConfigLoader.fromYaml("ntk: {epochs: [0, final, \"warm:0.12\"]}", List.of());
        // the config-time check counts the network's outputs without depending on model
        assertEquals(org.speedlimits.model.ModelFactory.CLASSES, org.speedlimits.config.NtkBudget.OUTPUTS);
    }
}
