package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.cli.Main;
import org.speedlimits.config.ExitCodes;

/** The ness command end to end on small settings: every file and figure, and bad input leaves nothing behind. */
class NessCommandTest {
    @TempDir
    Path tmp;

    @Test
    void regressionStagesWriteEveryFileAndFigure() throws Exception {
        Path out = tmp.resolve("reg");
        int code = Main.execute("ness", "-c", "ness-regression.yaml", "--out", out.toString(), "--set",
                "fig1c.runs=8 fig1c.steps=4000 fig1c.points=12 stationary.steps=200000 stationary.burn_in=20000 stationary.batches=10");
        assertEquals(0, code);
        for (String f : List.of("config.yaml", "theory.csv", "theory_sigma_wr.csv", "theory_sigma_wor.csv", "stationary.csv", "stationary_summary.csv", "stationary_modes.csv", "entropy.csv",
                "figures/fig1.png", "figures/fig1.csv", "figures/fig1_data.png", "figures/fig1_loss.svg", "figures/fig2.png", "figures/fig2_a.svg", "figures/fig2_c.png", "figures/fig3.png",
                "figures/fig3.csv", "figures/fig4.png", "figures/fig4_c.svg")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> summary = Files.readAllLines(out.resolve("stationary_summary.csv"));
        for (String d : List.of("sgd_wr,eq23_discrete,", "sgd_wor,app_b,", "sgd_wor,app_b_epoch_discrete,", "earthquake,discrete,")) {
            assertTrue(summary.stream().anyMatch(l -> l.startsWith(d + "sigma_rel_frobenius,")), d);
        }
        assertEquals(1 + 3 * 7, Files.readAllLines(out.resolve("stationary_modes.csv")).size(), "7 modes per dynamics");
        String theory = Files.readString(out.resolve("theory.csv"));
        double grad = Double.parseDouble(theory.lines().filter(l -> l.startsWith("gradient_norm_at_theta0,")).findFirst().orElseThrow().split(",")[1]);
        assertTrue(grad <= 1e-10, "Newton's minimum: |grad| = " + grad);
        // the WR variances land on the discrete-time theory within a loose factor even on this short run
        long sigmaRows = Files.readAllLines(out.resolve("stationary.csv")).stream().filter(l -> l.startsWith("sgd_wr,sigma,")).count();
        assertEquals(28, sigmaRows, "all N(N+1)/2 = 28 Sigma entries");
        for (String l : Files.readAllLines(out.resolve("stationary.csv"))) {
            String[] c = l.split(",");
            if (c[0].equals("sgd_wr") && c[1].equals("sigma") && c[2].equals(c[3])) {
                double sim = Double.parseDouble(c[4]), th = Double.parseDouble(c[6]);
                assertTrue(sim > th / 3 && sim < th * 3, "variance " + c[2] + ": simulation " + sim + " vs theory " + th);
            }
        }
    }

    @Test
    void posteriorStageWritesFig6WithSlopes() throws Exception {
        Path out = tmp.resolve("post");
        int code = Main.execute("ness", "-c", "ness-posterior.yaml", "--out", out.toString(), "--set",
                "posterior.etas=[1e-7,1e-6] posterior.sim_etas=[1e-6,2e-6] posterior.chains=3 posterior.epochs=20000 posterior.burn_in=2000");
        assertEquals(0, code);
        for (String f : List.of("figures/fig6.png", "figures/fig6_kl.svg", "figures/fig6.csv", "figures/fig6_simulation.csv", "figures/fig6_slopes.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(1 + 3 * 2, Files.readAllLines(out.resolve("figures/fig6_simulation.csv")).size());
    }

    @Test
    void badInputExitsWithTwoAndWritesNothing() {
        Path out = tmp.resolve("bad");
        assertEquals(ExitCodes.BAD_INPUT, Main.execute("ness", "-c", "ness-regression.yaml", "--out", out.toString(), "--set", "sgd.batch=7"));
        assertFalse(Files.exists(out));
        assertEquals(ExitCodes.BAD_INPUT, Main.execute("ness", "-c", "ness-mnist.yaml", "--out", out.toString(), "--set",
                "model.mnist_dir=" + tmp.resolve("nowhere")));
        assertFalse(Files.exists(out));
    }
}
