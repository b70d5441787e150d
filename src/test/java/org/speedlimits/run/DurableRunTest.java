package org.speedlimits.run;

import org.speedlimits.config.ExitCodes;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.cli.Main;
import org.speedlimits.io.EpochCsv;
import org.speedlimits.io.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable runs on real data: kill -9, SIGTERM, divergence, damaged checkpoints. The reference for "identical" is an
 * uninterrupted run of the same config in the same JVM setup; metrics.csv, triplets.csv and the final theta must
 * match byte for byte.
 */
@org.junit.jupiter.api.Tag("slow") // minutes: runs in CI (mvn test -Dtest.excludedGroups= -Dgroups=slow), not in mvn test
class DurableRunTest {
    static final int EPOCHS = 60;
    static final String RUN = "quickstart/durable";

    /** Real CIFAR-10: the installed copy or the offline mirror; a test fails (not skips) without either. */
    static Path data;

    @BeforeAll
    static void needsData() {
        data = org.speedlimits.data.TestData.requireCifar();
    }

    static String overrides(Path root, String extra) {
        return "output.root=" + root + " data.dir=" + data + " output.run_id=durable output.figure=false data.n_train=64 data.n_test=32 train.dynamics=gd"
                + " model.width=4 train.epochs=" + EPOCHS + " train.lr=0.002 train.eval_every=10"
                + " checkpoint.every=7 checkpoint.keep=2 checkpoint.log_points=4 hooks.anchors=[15]"
                + " hooks.anchor_log_points=2 hooks.triplets=3 hooks.per_layer=true " + extra;
    }

    static int train(Path root, String extra) {
        return Main.execute("train", "-c", "quickstart.yaml", "--set", overrides(root, extra));
    }

    static Process start(Path root, Path log, String extra) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "org.speedlimits.cli.Main", "train", "-c", "quickstart.yaml", "--set", overrides(root, extra))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void waitForRows(Path metrics, int rows, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.exists(metrics) && Files.readAllLines(metrics).size() > rows) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("training process did not reach " + rows + " rows (alive: " + p.isAlive() + ")");
    }

    static void assertSameRun(Path expectedRoot, Path actualRoot) throws IOException {
        Path e = expectedRoot.resolve(RUN);
        Path a = actualRoot.resolve(RUN);
        assertEquals(Files.readString(e.resolve("metrics.csv")), Files.readString(a.resolve("metrics.csv")));
        assertEquals(Files.readString(e.resolve("triplets.csv")), Files.readString(a.resolve("triplets.csv")));
        String last = Checkpoints.DIR + "/" + Checkpoints.fileName(EPOCHS);
        assertArrayEquals(Files.readAllBytes(e.resolve(last)), Files.readAllBytes(a.resolve(last)));
        assertEquals(RunStatus.DONE, RunStatus.read(a).orElseThrow().state());
    }

    /** Both dynamics: gd, and flow whose checkpoints also carry the integrator's state. */
    @ParameterizedTest
    @ValueSource(strings = {"", "train.dynamics=flow train.rtol=1e-3 train.record_every=0.002"})
    void killNineThenRerunGivesTheUninterruptedResult(String dynamics, @TempDir Path reference, @TempDir Path killed) throws Exception {
        assertEquals(0, train(reference, dynamics));
        long seed = System.nanoTime();
        int killAt = 10 + new Random(seed).nextInt(40);
        System.out.println("DurableRunTest: kill -9 after " + killAt + " rows (seed " + seed + ") [" + dynamics + "]");
        Process p = start(killed, killed.resolve("train.log"), dynamics);
        waitForRows(killed.resolve(RUN).resolve("metrics.csv"), killAt, p);
        p.destroyForcibly().waitFor(); // SIGKILL: no chance to checkpoint
        assertTrue(Files.readAllLines(killed.resolve(RUN).resolve("metrics.csv")).size() < EPOCHS + 2, "killed mid-run");
        assertEquals(0, train(killed, dynamics));
        assertTrue(Files.readString(killed.resolve(RUN).resolve("run.log")).contains("resuming from the checkpoint of epoch"));
        assertSameRun(reference, killed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "train.dynamics=flow train.rtol=1e-3 train.record_every=0.002"})
    void sigtermCheckpointsExitsWith75AndResumes(String dynamics, @TempDir Path reference, @TempDir Path stopped) throws Exception {
        assertEquals(0, train(reference, dynamics));
        Process p = start(stopped, stopped.resolve("train.log"), dynamics);
        waitForRows(stopped.resolve(RUN).resolve("metrics.csv"), 20, p);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(ExitCodes.STOPPED, p.exitValue(), Files.readString(stopped.resolve("train.log")));
        RunStatus status = RunStatus.read(stopped.resolve(RUN)).orElseThrow();
        assertEquals(RunStatus.INTERRUPTED, status.state());
        Checkpoints.Index index = Checkpoints.read(stopped.resolve(RUN).resolve(Checkpoints.DIR).resolve(Checkpoints.INDEX));
        assertTrue(index.checkpoints().stream().anyMatch(e -> e.kinds().contains("interrupted") && e.epoch() > status.epoch()),
                "checkpoint of the row after the last measured one");
        assertEquals(0, Main.execute("train", "--resume", stopped.resolve(RUN).toString()));
        assertSameRun(reference, stopped);
    }

    @Test
    void absurdLearningRateTripsTheDivergenceGuard(@TempDir Path root) throws IOException {
        assertEquals(ExitCodes.DIVERGED, train(root, "train.lr=1000"));
        Path run = root.resolve(RUN);
        assertEquals(RunStatus.DIVERGED, RunStatus.read(run).orElseThrow().state());
        INDArray theta0 = Checkpoints.open(run, List.of(), indexParams(run), "float32", 2).load(0); // checksum-verified
        assertTrue(Double.isFinite(theta0.norm2Number().doubleValue()), "the initial checkpoint is intact");
        assertEquals(1, Checkpoints.read(run.resolve(Checkpoints.DIR).resolve(Checkpoints.INDEX)).checkpoints().size());
        assertTrue(Files.readString(run.resolve("run.log")).contains("too large for gradient descent"));
    }

    @Test
    void damagedNewestCheckpointFallsBackToAnOlderOne(@TempDir Path reference, @TempDir Path damaged) throws IOException {
        assertEquals(0, train(reference, ""));
        assertEquals(0, train(damaged, ""));
        Path run = damaged.resolve(RUN);
        // pretend the job died after epoch 45's checkpoint was written, and that this newest file got damaged
        RunStatus.write(run, RunStatus.RUNNING, 45, EPOCHS, null);
        Checkpoints ckpt = Checkpoints.open(run, List.of(), indexParams(run), "float32", 2);
        ckpt.dropAfter(49);
        Path newest = run.resolve(Checkpoints.DIR).resolve(Checkpoints.fileName(49));
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 1;
        Files.write(newest, bytes);
        assertEquals(0, train(damaged, ""));
        assertTrue(Files.readString(run.resolve("run.log")).contains("skipped damaged checkpoints [epoch_49.npy]"));
        assertSameRun(reference, damaged);

        // every checkpoint damaged: refuse instead of silently restarting
        RunStatus.write(run, RunStatus.RUNNING, 45, EPOCHS, null);
        try (var files = Files.list(run.resolve(Checkpoints.DIR))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".npy")).toList()) {
                Files.write(f, new byte[]{1, 2, 3});
            }
        }
        assertEquals(ExitCodes.BAD_INPUT, train(damaged, ""));
        assertTrue(Files.readString(run.resolve("run.log")).contains("refusing to restart silently"));
    }

    static long indexParams(Path run) throws IOException {
        return Checkpoints.read(run.resolve(Checkpoints.DIR).resolve(Checkpoints.INDEX)).numParams();
    }

    @Test
    void hookColumnsAgreeWithSavedCheckpoints(@TempDir Path root) throws IOException {
        assertEquals(0, train(root, "hooks.lambda_max_every=-1"));
        Path run = root.resolve(RUN);
        List<String> header = EpochCsv.header(run.resolve("metrics.csv"));
        List<double[]> rows = EpochCsv.read(run.resolve("metrics.csv"));
        int dist0 = header.indexOf("dist2_init");
        int path = header.indexOf("path_length");
        int anchor15 = header.indexOf("dist2_anchor_15");
        assertFalse(header.contains("lambda_max"));
        for (double[] r : rows) {
            // triangle inequality: the path is at least as long as the straight line
            assertTrue(r[path] >= Math.sqrt(r[dist0]) * (1 - 1e-6), "epoch " + r[0]);
            assertEquals(r[0] < 15, Double.isNaN(r[anchor15]), "anchor column empty before its epoch");
        }
        // distances recomputed from the saved theta_s, theta_t in double precision
        Checkpoints.Index index = Checkpoints.read(run.resolve(Checkpoints.DIR).resolve(Checkpoints.INDEX));
        INDArray theta0 = Npy.read(run.resolve(Checkpoints.DIR).resolve(Checkpoints.fileName(0))).castTo(DataType.DOUBLE);
        INDArray theta15 = Npy.read(run.resolve(Checkpoints.DIR).resolve(Checkpoints.fileName(15))).castTo(DataType.DOUBLE);
        for (Checkpoints.Entry e : index.checkpoints()) {
            INDArray theta = Npy.read(run.resolve(Checkpoints.DIR).resolve(e.file())).castTo(DataType.DOUBLE);
            double[] r = rows.get((int) e.epoch());
            double d0 = theta.sub(theta0).norm2Number().doubleValue();
            assertEquals(d0 * d0, r[dist0], 1e-9 * Math.max(1e-12, d0 * d0), "dist2_init at " + e.epoch());
            if (e.epoch() >= 15) {
                double d15 = theta.sub(theta15).norm2Number().doubleValue();
                assertEquals(d15 * d15, r[anchor15], 1e-9 * Math.max(1e-12, d15 * d15), "dist2_anchor_15 at " + e.epoch());
            }
            assertEquals(r[path], e.state().get("path_length"), 0.0);
            // per-layer distances add up to the total
            double layers = 0;
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i).startsWith("dist2_init.")) {
                    layers += r[i];
                }
            }
            assertEquals(r[dist0], layers, 1e-9 * Math.max(1e-12, r[dist0]));
        }
        // triplets.csv holds theta's values at the chosen indices
        List<String> tripletHeader = EpochCsv.header(run.resolve("triplets.csv"));
        List<double[]> triplets = EpochCsv.read(run.resolve("triplets.csv"));
        INDArray thetaFinal = Npy.read(run.resolve(Checkpoints.DIR).resolve(Checkpoints.fileName(EPOCHS)));
        assertEquals(10, tripletHeader.size());
        double[] last = triplets.get(triplets.size() - 1);
        for (int i = 1; i < tripletHeader.size(); i++) {
            long index1 = Long.parseLong(tripletHeader.get(i).substring(tripletHeader.get(i).indexOf('_') + 1));
            assertEquals(thetaFinal.getDouble(index1), last[i], 0.0);
        }
        // retention: at most checkpoint.keep periodic-only checkpoints remain
        long periodic = index.checkpoints().stream().filter(e -> e.kinds().equals(List.of(Checkpoints.PERIODIC))).count();
        assertTrue(periodic <= 2, index.checkpoints().toString());
    }
}
