package org.speedlimits.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.run.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end runs on real CIFAR-10 (the offline mirror installed by ./data-download.sh, see .ci/run). */
class TrainCommandTest {
    /** Small enough that GD tracks gradient flow here (lr * lambda_max ~ 0.02), as the speed limit assumes. */
    static final double LR = 5e-4;

    /** Real CIFAR-10: the installed copy or the offline mirror; a test fails (not skips) without either. */
    static Path data;

    @BeforeAll
    static void needsData() {
        data = org.speedlimits.data.TestData.requireCifar();
    }

    static String small(Path root) {
        return "output.root=" + root + " data.dir=" + data + " data.n_train=64 data.n_test=100 model.width=4 train.epochs=25 train.lr=" + LR
                + " train.dynamics=gd train.eval_every=5 train.chunk_size=40 output.figure=true";
    }

    static Path onlyRun(Path root) throws IOException {
        try (Stream<Path> runs = Files.list(root.resolve("quickstart"))) {
            List<Path> all = runs.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    static List<double[]> rows(Path metrics) throws IOException {
        List<String> lines = Files.readAllLines(metrics);
        assertTrue(lines.get(0).startsWith("epoch,time,train_loss,train_acc,test_loss,test_acc,grad_norm2,dist2_init,path_length"), lines.get(0));
        return lines.stream().skip(1).map(l -> Stream.of(l.split(",", -1))
                .mapToDouble(v -> v.isEmpty() ? Double.NaN : Double.parseDouble(v)).toArray()).toList();
    }

    @Test
    void runWritesACompleteRunDirectoryAndObeysTheSpeedLimit(@TempDir Path root) throws IOException {
        assertEquals(0, Main.execute("train", "--config", "quickstart.yaml", "--set", small(root)));
        Path run = onlyRun(root);
        for (String f : new String[]{RunDirectory.CONFIG, RunDirectory.METRICS, RunDirectory.LOG, RunDirectory.ENV,
                RunDirectory.FIGURE}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(run.resolve(RunDirectory.CONFIG)).contains("epochs: 25"));
        assertTrue(Files.readString(run.resolve(RunDirectory.ENV)).contains("\"backend\""));
        // float32 Myrtle on the CPU backend: train.engine auto picks the oneDNN gradient, and env.json says so
        assertTrue(Files.readString(run.resolve(RunDirectory.ENV)).matches("(?s).*\"gradient_engine\"\\s*:\\s*\"onednn\".*"),
                Files.readString(run.resolve(RunDirectory.ENV)));
        assertTrue(Files.readString(run.resolve(RunDirectory.LOG)).contains("epoch 25/25"));

        List<double[]> rows = rows(run.resolve(RunDirectory.METRICS));
        assertEquals(26, rows.size());
        double lr = LR;
        double loss0 = rows.get(0)[2];
        double dissipated = 0; // lr * sum_k |grad L(theta_k)|^2, the discrete "entropy production"
        for (int e = 1; e < rows.size(); e++) {
            double[] r = rows.get(e);
            dissipated += lr * rows.get(e - 1)[6];
            double t = r[1];
            double dist2 = r[7];
            assertEquals(lr * e, t, 1e-12);
            // discrete Cauchy-Schwarz: |sum_k lr g_k|^2 <= t * lr * sum_k |g_k|^2, exactly (float32 theta)
            assertTrue(t * dissipated >= dist2 * (1 - 1e-4), "epoch " + e + ": discrete bound");
            // the speed limit t * dL >= |dtheta|^2, up to the O(lr) discretisation at the first steps
            assertTrue(t * (loss0 - r[2]) >= dist2 * (1 - 0.02), "epoch " + e + ": t dL = " + t * (loss0 - r[2])
                    + " < |dtheta|^2 = " + dist2);
        }
        assertTrue(rows.get(25)[2] < loss0, "loss falls");
        double[] last = rows.get(25);
        assertTrue(last[1] * (loss0 - last[2]) > last[7], "after a few steps the ratio exceeds 1");
        assertTrue(Double.isNaN(rows.get(1)[4]) == false, "epoch 1 is on the log-spaced test schedule");
        assertTrue(Double.isNaN(rows.get(7)[4]), "epoch 7 is not on the test schedule");
    }

    @Test
    void sameSeedGivesIdenticalMetricsAndACompleteRunIsNotRedone(@TempDir Path a, @TempDir Path b) throws IOException {
        String common = " data.dir=" + data + " train.epochs=6 data.n_train=40 data.n_test=20 model.width=4 output.figure=false output.run_id=r";
        assertEquals(0, Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + a + common));
        assertEquals(0, Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + b + common));
        String first = Files.readString(a.resolve("quickstart/r/metrics.csv"));
        assertEquals(first, Files.readString(b.resolve("quickstart/r/metrics.csv")));
        // rerunning a complete run does nothing; a different config under the same run id is refused
        long modified = Files.getLastModifiedTime(a.resolve("quickstart/r/metrics.csv")).toMillis();
        assertEquals(0, Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + a + common));
        assertEquals(modified, Files.getLastModifiedTime(a.resolve("quickstart/r/metrics.csv")).toMillis());
        assertEquals(2, Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + a + common + " seed=5"));
        assertEquals(first, Files.readString(a.resolve("quickstart/r/metrics.csv")));
        assertEquals(0, Main.execute("train", "-c", "quickstart.yaml", "--overwrite", "--set", "output.root=" + a + common));
        assertEquals(first, Files.readString(a.resolve("quickstart/r/metrics.csv")));
    }

    @Test
    void badInputFailsBeforeAnythingIsWritten(@TempDir Path root) {
        assertEquals(2, Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + root + " train.lr=0"));
        assertEquals(2, Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + root + " model.widht=3"));
        assertEquals(2, Main.execute("train", "-c", "quickstart.yaml", "--set", "output.root=" + root + " data.n_train=100000"));
        assertEquals(2, Main.execute("train", "-c", "no-such.yaml"));
        assertFalse(Files.exists(root.resolve("quickstart")), "no half-written run directory");
    }
}
