package org.speedlimits.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.cli.Main;
import org.speedlimits.data.TestData;
import org.speedlimits.io.EpochCsv;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speed limit on a real flow run (Myrtle-5 C = 4, 128 CIFAR-10 images, float32, oneDNN): on every row
 * |theta_t - theta_0|^2 <= l_gamma(t)^2 <= t (L_0 - L_t), both Cauchy-Schwarz for gradient flow
 * (|theta_t - theta_0| <= integral |theta-dot| and (integral |theta-dot|)^2 <= t integral |theta-dot|^2 = t Delta L).
 * Tolerances: {@link FlowBounds}. A negative control shows gd at a large lr breaks the first inequality, so the check
 * can fail.
 */
class FlowRunBoundTest {
    static String overrides(Path root, String extra) {
        Path data = TestData.realCifar().orElseThrow(() -> new AssertionError(
                "no CIFAR-10: install it with ./data-download.sh or set CIFAR10_MIRROR to the offline mirror"));
        return "output.root=" + root + " output.run_id=bound output.figure=false data.dir=" + data
                + " data.n_train=128 data.n_test=0 model.width=4 train.time=0.3 train.lr=0.001 train.rtol=1e-3 hooks.triplets=0 "
                + "hooks.lambda_max_every=-1 train.record_every=0.01 train.record_log_points=30 " + extra;
    }

    static List<double[]> rows(Path root, String extra) throws Exception {
        assertEquals(0, Main.execute("train", "-c", "quickstart.yaml", "--set", overrides(root, extra)));
        return EpochCsv.read(root.resolve("quickstart/bound/metrics.csv"));
    }

    @Test
    void cauchySchwarzHoldsOnEveryRowOfAFlowRun(@TempDir Path root) throws Exception {
        List<String> header = List.of("epoch", "time", "train_loss", "train_acc", "test_loss", "test_acc", "grad_norm2",
                "dist2_init", "path_length");
        List<double[]> rows = rows(root, "train.dynamics=flow");
        assertEquals(header, EpochCsv.header(root.resolve("quickstart/bound/metrics.csv")).subList(0, header.size()));
        assertTrue(rows.size() > 30, "log-spaced and regular rows");
        FlowBounds.assertOnEveryRow(header, rows, "flow run");
    }

    /** Negative control: GD at lr * lambda_max ~ 1 violates t Delta L >= |Delta theta|^2 right after its first step. */
    @Test
    void largeStepGdViolatesTheBound(@TempDir Path root) throws Exception {
        List<double[]> rows = rows(root, "train.dynamics=gd train.lr=0.01 train.time=0.1");
        double l0 = rows.get(0)[2];
        double[] first = rows.get(1);
        assertTrue(first[1] * (l0 - first[2]) < first[7], "one large GD step has inefficiency < 1");
    }
}
