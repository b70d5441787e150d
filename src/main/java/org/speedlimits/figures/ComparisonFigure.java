package org.speedlimits.figures;

import org.speedlimits.analysis.RunComparison;
import org.speedlimits.analysis.RunData;
import org.speedlimits.plot.FigureWriter;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Scale;
import org.speedlimits.plot.Series;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs of one θ₀ under different dynamics on one time axis (comparison.png, .svg, .pdf, .csv): (a) train loss,
 * (b) cold-start inefficiency with the speed limit 1 (and, per GD run, the first-order floor 1 − ηλ_max/2),
 * (c) l_γ/l_geo, (d) each run's loss drop, inefficiency and l_γ/l_geo over the reference's, minus 1, at the shared
 * times, with ± ηλ_max/2 per GD run (to first order GD's loss drop exceeds the flow's, and its first-step
 * inefficiency falls short of 1, by ηgᵀHg/(2|g|²) ≤ ηλ_max/2).
 */
public final class ComparisonFigure {
    private ComparisonFigure() {}

    public static void write(RunComparison c, Path dir) {
        new FigureWriter(dir).grid("comparison", 2, panels(c));
    }

    static List<Panel> panels(RunComparison c) {
        List<RunComparison.Member> members = c.members();
        double[][] times = members.stream().map(m -> positive(m.run().time)).toArray(double[][]::new);
        Scale time = Scale.symlogFor(times);
        List<Series> loss = new ArrayList<>(), ineff = new ArrayList<>(), ratio = new ArrayList<>(), gap = new ArrayList<>();
        ineff.add(Series.horizontal("speed limit = 1", 1.0));
        double[] shared = c.shared().stream().mapToDouble(RunComparison.Shared::time).toArray();
        for (int m = 0; m < members.size(); m++) {
            RunComparison.Member mem = members.get(m);
            RunData r = mem.run();
            loss.add(Series.of(mem.label(), r.time, r.trainLoss, Series.Look.LINE_MARKERS).colour(m));
            double[] t = Arrays.copyOfRange(r.time, 1, r.rows());
            ineff.add(Series.of(mem.label(), t, tail(c.coldInefficiency(m)), Series.Look.LINE_MARKERS).colour(m));
            ratio.add(Series.of(mem.label(), t, tail(c.lengthRatio(m)), Series.Look.LINE_MARKERS).colour(m));
            if (m > 0) {
                int k = m;
                gap.add(Series.of(mem.label() + ": loss drop", shared, c.shared().stream()
                        .mapToDouble(s -> c.dropRatio(k, s) - 1).toArray(), Series.Look.LINE_MARKERS).colour(m));
                gap.add(Series.of(mem.label() + ": inefficiency", shared,
                        relative(c, k, c.coldInefficiency(k), c.coldInefficiency(0)), Series.Look.DASHED).colour(m));
                gap.add(Series.of(mem.label() + ": l_γ/l_geo", shared,
                        relative(c, k, c.lengthRatio(k), c.lengthRatio(0)), Series.Look.DIAMONDS).colour(m));
            }
            if (!Double.isNaN(mem.firstOrderGap())) {
                ineff.add(Series.horizontal(mem.label() + ": 1 − ηλ_max/2", 1 - mem.firstOrderGap()).colour(m));
                gap.add(Series.horizontal(mem.label() + ": ± ηλ_max/2", mem.firstOrderGap()).colour(m));
                gap.add(Series.horizontal(mem.label() + ": − ηλ_max/2", -mem.firstOrderGap()).colour(m).hiddenFromLegend());
            }
        }
        gap.add(Series.horizontal("0 (equal)", 0.0));
        String ref = members.get(0).label();
        return List.of(
                new Panel("loss", "(a) train loss", PaperFigures.TIME_AXIS, "loss L (MSE, 1/2n convention)", time, Scale.AUTO, loss),
                new Panel("inefficiency", "(b) cold-start inefficiency", PaperFigures.TIME_AXIS, "t (L0 − Lt) / |θt − θ0|²",
                        time, Scale.LOG, ineff),
                new Panel("length_ratio", "(c) path length over distance", PaperFigures.TIME_AXIS, "l_γ / l_geo", time, Scale.AUTO, ratio),
                new Panel("relative_difference", "(d) against " + ref + " at the shared times", PaperFigures.TIME_AXIS,
                        "ratio to " + ref + "'s − 1", time, Scale.LINEAR, gap));
    }

    /** Member k's per-row values over the reference's, minus 1, at each shared time. */
    private static double[] relative(RunComparison c, int k, double[] mine, double[] reference) {
        return c.shared().stream().mapToDouble(s -> mine[s.rows()[k]] / reference[s.rows()[0]] - 1).toArray();
    }

    private static double[] tail(double[] v) {
        return Arrays.copyOfRange(v, 1, v.length);
    }

    private static double[] positive(double[] t) {
        return Arrays.stream(t).filter(x -> x > 0).toArray();
    }
}
