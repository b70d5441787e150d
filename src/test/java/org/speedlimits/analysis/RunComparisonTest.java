package org.speedlimits.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.speedlimits.analysis.QuadraticRuns.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GD against gradient flow on a quadratic L = ½ Σ_k λ_k θ_k², where both are closed forms: flow θ_k(t) = θ_k(0) e^{-λ_k t},
 * GD θ_k = θ_k(0) (1 − ηλ_k)^j at t = jη. The comparison must reproduce the closed-form loss-drop ratio at the shared
 * times, and the ratio must show the first-order gap the class documents (1 + ηλ/2 after one step on one mode; within
 * [0, ηλ_max/2] on two modes), with GD's one-step inefficiency 1 − η gᵀHg/(2|g|²).
 */
class RunComparisonTest {
    @TempDir
    Path tmp;

    @Test
    void dropRatioMatchesTheClosedFormsAtSharedTimesOnly() throws Exception {
        RunComparison c = QuadraticRuns.comparison(tmp);
        assertEquals(List.of("flow", "gd lr=0.00100"), c.members().stream().map(RunComparison.Member::label).toList());
        assertEquals(40, c.shared().size(), "GD's 40 times after 0, each also a flow row; the flow's half-steps unmatched");
        for (RunComparison.Shared s : c.shared()) {
            long j = Math.round(s.time() / ETA);
            double expected = (loss(THETA0) - loss(gd(j))) / (loss(THETA0) - loss(flow(j * ETA)));
            assertEquals(expected, c.dropRatio(1, s), 1e-12, "t = " + s.time());
            assertEquals(1.0, c.dropRatio(0, s), 0);
            double gap = c.dropRatio(1, s) - 1;
            assertTrue(gap > 0 && gap <= c.members().get(1).firstOrderGap(), "GD drops more than flow, by at most ηλ_max/2: " + gap);
        }
        assertEquals(ETA * LAMBDA[0] / 2, c.members().get(1).firstOrderGap(), 1e-15);
        assertTrue(Double.isNaN(c.members().get(0).firstOrderGap()), "flow has no first-order gap");
    }

    @Test
    void gdInefficiencyAfterOneStepIsOneMinusHalfEtaRayleighQuotient() throws Exception {
        RunComparison c = QuadraticRuns.comparison(tmp);
        double gg = 0, ghg = 0;
        for (int k = 0; k < LAMBDA.length; k++) {
            double g = LAMBDA[k] * THETA0[k];
            gg += g * g;
            ghg += LAMBDA[k] * g * g;
        }
        assertEquals(1 - ETA * ghg / (2 * gg), c.coldInefficiency(1)[1], 1e-9);
        assertTrue(c.coldInefficiency(1)[1] < 1, "one GD step breaks the flow's bound");
        double[] flowIneff = c.coldInefficiency(0);
        for (int i = 1; i < flowIneff.length; i++) assertTrue(flowIneff[i] >= 1 - 1e-9, "flow obeys the speed limit: " + flowIneff[i]);
        double[] ratio = c.lengthRatio(0);
        for (int i = 1; i < ratio.length; i++) assertTrue(ratio[i] >= 1 - 1e-9, "l_γ ≥ l_geo: " + ratio[i]);
    }

    @Test
    void writesOneRowPerSharedTime() throws Exception {
        RunComparison c = QuadraticRuns.comparison(tmp);
        c.write(tmp.resolve("out"));
        List<String> lines = Files.readAllLines(tmp.resolve("out").resolve("comparison.csv"));
        assertEquals("time,flow_train_loss,flow_inefficiency,flow_length_ratio,flow_drop_ratio,"
                + "gd_lr=0.00100_train_loss,gd_lr=0.00100_inefficiency,gd_lr=0.00100_length_ratio,gd_lr=0.00100_drop_ratio", lines.get(0));
        assertEquals(41, lines.size());
        String[] last = lines.get(40).split(",");
        assertEquals(0.04, Double.parseDouble(last[0]), 1e-12);
        assertEquals(c.dropRatio(1, c.shared().get(39)), Double.parseDouble(last[8]), 1e-9);
    }

    /** A rerun (same dynamics, another directory) is compared under its own label; identical rows drop identically. */
    @Test
    void aRerunOfTheSameDynamicsIsComparedBesideTheOriginal() throws Exception {
        String rows = row(0, 0, THETA0, 0, Double.NaN) + row(1, ETA, gd(1), 0.01, Double.NaN) + row(2, 2 * ETA, gd(2), 0.01, Double.NaN);
        RunData original = RunData.load(QuadraticRuns.run(tmp, "original", "flow", "0", rows));
        RunData rerun = RunData.load(QuadraticRuns.run(tmp, "rerun", "flow", "0", rows));
        RunComparison c = RunComparison.of(List.of(original, rerun), Double.POSITIVE_INFINITY);
        assertEquals(List.of("flow", "flow-2"), c.members().stream().map(RunComparison.Member::label).toList());
        assertEquals(2, c.shared().size());
        for (RunComparison.Shared s : c.shared()) assertEquals(1.0, c.dropRatio(1, s), 0.0, "t = " + s.time());
        c.write(tmp.resolve("out"));
        assertTrue(Files.readAllLines(tmp.resolve("out").resolve("comparison.csv")).get(0).contains("flow-2_drop_ratio"));
    }

    @Test
    void runsFromDifferentStartsOrWithoutSharedTimesAreRefused() throws Exception {
        String rows = row(0, 0, THETA0, 0, Double.NaN) + row(1, ETA, gd(1), 0.01, Double.NaN);
        RunData a = RunData.load(QuadraticRuns.run(tmp, "a", "flow", "0", rows));
        RunData otherSeed = RunData.load(QuadraticRuns.run(tmp, "b", "gd", "1", rows));
        AnalysisException seed = assertThrows(AnalysisException.class, () -> RunComparison.of(List.of(a, otherSeed), 1));
        assertTrue(seed.getMessage().contains("seed is 1, not 0"), seed.getMessage());
        double[] moved = {THETA0[0] * 1.01, THETA0[1]};
        RunData otherTheta = RunData.load(QuadraticRuns.run(tmp, "c", "gd", "0", row(0, 0, moved, 0, Double.NaN) + row(1, ETA, gd(1), 0.01, Double.NaN)));
        AnalysisException theta = assertThrows(AnalysisException.class, () -> RunComparison.of(List.of(a, otherTheta), 1));
        assertTrue(theta.getMessage().contains("not the same θ₀"), theta.getMessage());
        RunData offset = RunData.load(QuadraticRuns.run(tmp, "d", "gd", "0", row(0, 0, THETA0, 0, Double.NaN) + row(1, ETA * (1 + 1e-6), gd(1), 0.01, Double.NaN)));
        AnalysisException none = assertThrows(AnalysisException.class, () -> RunComparison.of(List.of(a, offset), 1));
        assertTrue(none.getMessage().contains("share no recorded time"), none.getMessage());
        AnalysisException twice = assertThrows(AnalysisException.class, () -> RunComparison.of(List.of(a, a), 1));
        assertTrue(twice.getMessage().contains("is given twice"), twice.getMessage());
        assertThrows(AnalysisException.class, () -> RunComparison.of(List.of(a), 1));
    }
}
