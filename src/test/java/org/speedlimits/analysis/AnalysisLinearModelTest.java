package org.speedlimits.analysis;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A linear model trained by exact gradient flow (solved in weight space, {@link LinearModelRuns}) is its own NTK
 * limit: measured inefficiency, path length and distance must equal the NTK theory of Eq. 14/58/67 (with
 * lambda -> c lambda) computed from the written ntk/ spectra, and the analysis output must report both.
 */
class AnalysisLinearModelTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"mean", "sum"})
    void measuredInefficiencyAndPathLengthEqualNtkTheory(String lossConvention) throws Exception {
        // eta * c * lambda_max stays small, and t_final * c * lambda_min ~ O(1): modes partly learned
        LinearModelRuns model = new LinearModelRuns(12, 20, 3, lossConvention, lossConvention.equals("mean") ? 0.5 : 0.04, 7);
        long epochs = 400;
        List<Path> dirs = new ArrayList<>();
        for (long seed = 0; seed < 3; seed++) {
            dirs.add(model.write(tmp.resolve("run-s" + seed), new LinearModelRuns.Spec(seed, epochs, new long[]{50, 100},
                    new long[]{0, 50}, e -> e % 10 == 0 ? Math.min(0.5, 0.1 + e / 1000.0) : Double.NaN, "done")));
        }
        Analysis analysis = Analysis.of(dirs, 0.12);
        assertEquals(1, analysis.groups.size());
        GroupAnalysis g = analysis.groups.get(0);
        assertEquals(3, g.seeds());
        // seed-mean test accuracy 0.1 + e/1000 first reaches 0.12 at e = 20; the first anchor after it is 50
        assertEquals(20, g.warmEpoch);
        assertEquals(50, g.anchorEpoch);
        assertNotNull(g.ntkWarm);
        assertEquals(50, g.ntkWarm.epoch());

        int checked = 0;
        for (int i = 1; i < g.epoch.length; i++) {
            if (Double.isNaN(g.theoryCold[i])) continue;
            checked++;
            double t = g.time[i];
            // measured (from metrics.csv) vs theory (from ntk/epoch_0.npy), seed means
            assertEquals(g.cold.mean()[i], g.theoryCold[i], 1e-7 * g.cold.mean()[i], "cold inefficiency at t=" + t);
            assertEquals(g.geo.mean()[i], g.theoryGeo[i], 1e-6 * g.geo.mean()[i], "l_gamma/l_geo at t=" + t);
            double measuredDist2 = dirs.stream().map(RunData::load).mapToDouble(r -> r.dist2Init[(int) Math.round(t / model.eta)]).average().orElseThrow();
            assertEquals(measuredDist2, g.theoryDist2[i], 1e-8 * measuredDist2, "|theta_t - theta_0|^2 at t=" + t);
            assertEquals(g.dist2Init.mean()[i], g.theoryDist2[i], 1e-8 * measuredDist2, "seed-mean |theta_t - theta_0|^2 at t=" + t);
            assertEquals(g.lossDrop.mean()[i], g.theoryLossDrop[i], 1e-8 * g.lossDrop.mean()[i], "L_0 - L_t at t=" + t);
            assertEquals(g.pathLength.mean()[i], g.theoryPathLength[i], 1e-6 * g.pathLength.mean()[i], "l_gamma at t=" + t);
            if (g.epoch[i] > 50) {
                assertEquals(g.warm.mean()[i], g.theoryWarm[i], 1e-7 * g.warm.mean()[i], "warm inefficiency at t=" + t);
            }
        }
        assertTrue(checked > 100, "theory evaluated at " + checked + " epochs");

        // Eq. 58 as printed (paper convention, eta = 1) with lambda -> c lambda, for seed 0 at the last epoch,
        // against the value the measured metrics give
        RunData run0 = RunData.load(dirs.get(0));
        NtkSpectrum s0 = run0.ntk.get(0L);
        double t = run0.time[run0.rows() - 1], num = 0, den = 0;
        for (int k = 0; k < s0.size(); k++) {
            double lam = model.c * s0.eigenvalue()[k];
            num += Math.pow(1 - Math.exp(-lam * t), 2) * s0.proj2()[k] / lam;
            den += s0.proj2()[k] * (1 - Math.exp(-2 * lam * t));
        }
        double eq58 = 2 / t * num / den; // T_SL / t = 1 / inefficiency
        double measured = t * (run0.trainLoss[0] - run0.trainLoss[run0.rows() - 1]) / run0.dist2Init[run0.rows() - 1];
        assertEquals(1 / eq58, measured, 1e-8 * measured);
        assertTrue(measured > 1, "speed limit: inefficiency >= 1, got " + measured);

        // and the files: summary row reports the measured mean and the theory
        Path out = tmp.resolve("analysis");
        analysis.write(out);
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(Analysis.SUMMARY_HEADER, summary.get(0));
        String[] cold = summary.get(1).split(",");
        String[] warm = summary.get(2).split(",");
        assertEquals("cold", cold[2]);
        assertEquals("3", cold[3]);
        int last = g.epoch.length - 1;
        double coldMean = dirs.stream().map(RunData::load)
                .mapToDouble(r -> r.time[last] * (r.trainLoss[0] - r.trainLoss[last]) / r.dist2Init[last]).average().orElseThrow();
        assertEquals(coldMean, Double.parseDouble(cold[5]), 1e-12 * coldMean);
        assertEquals(coldMean, Double.parseDouble(cold[7]), 1e-7 * coldMean);
        assertEquals("warm", warm[2]);
        assertEquals("20", warm[17]);
        assertEquals("50", warm[18]);
        assertEquals(Double.parseDouble(warm[5]), Double.parseDouble(warm[7]), 1e-7 * Double.parseDouble(warm[5]));
        assertTrue(Files.size(out.resolve("curves").resolve(g.group.slug() + ".csv")) > 0);
    }
}
