package org.speedlimits.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The speed-limit quantities of one seed ensemble (a {@link RunSet.Group}): measured curves per seed and as mean/std,
 * the warm start (first epoch where the SEED-MEAN test accuracy reaches the threshold) and its anchor, the NTK-theory
 * predictions and the power-law exponents of the spectra.
 */
public final class GroupAnalysis {
    /** Theory is evaluated at most at this many (log-spaced) epochs: each point costs one pass over m modes. */
    static final int THEORY_POINTS = 400;

    public final RunSet.Group group;
    public final double[] epoch, time;
    public final SeedStats trainLoss, testAcc, cold, geo;
    /** Null when there is no warm start (threshold never reached or no anchor after it; see warmNote). */
    public final SeedStats warm;
    public final long warmEpoch, anchorEpoch;
    public final String warmNote;
    /** Seed-mean theory curves (NaN where not evaluated or no NTK data). */
    public final double[] theoryCold, theoryGeo, theoryWarm, theoryDist2, theoryLossDrop, theoryPathLength;
    /** Measured L_0 - L_t, |theta_t - theta_0|^2 and l_gamma(t). */
    public final SeedStats lossDrop, dist2Init, pathLength;
    public final NtkSummary ntkInit, ntkWarm;
    public final boolean warmIsError;

    /**
     * Power-law exponents (mean over seeds) of the spectra at one NTK epoch per run ({@code epoch}: the first run's;
     * {@code epochs}: all distinct ones, e.g. "2000" or "1990/2010").
     */
    public record NtkSummary(long epoch, String epochs, double alpha, double delta, String fitRange, int seeds,
                             List<NtkSpectrum> spectra, List<RunData> runs) {
        public String regime() {
            return PowerLawFit.regime(delta);
        }
    }

    public GroupAnalysis(RunSet.Group group, double warmThreshold) {
        this(group, warmThreshold, Double.NaN);
    }

    /** {@code warmTime} finite: the warm start is the first row at time ≥ warmTime instead of the accuracy rule. */
    public GroupAnalysis(RunSet.Group group, double warmThreshold, double warmTime) {
        this.group = group;
        List<RunData> runs = group.runs();
        RunData first = runs.get(0);
        epoch = first.epoch;
        time = first.time;
        trainLoss = SeedStats.of(runs.stream().map(r -> r.trainLoss).toList());
        testAcc = SeedStats.of(runs.stream().map(r -> r.testAcc).toList());
        cold = SeedStats.of(runs.stream().map(GroupAnalysis::coldInefficiency).toList());
        geo = SeedStats.of(runs.stream().map(GroupAnalysis::geometricRatio).toList());
        lossDrop = SeedStats.of(runs.stream().map(r -> java.util.Arrays.stream(r.trainLoss).map(l -> r.trainLoss[0] - l).toArray()).toList());
        dist2Init = SeedStats.of(runs.stream().map(r -> r.dist2Init).toList());
        pathLength = SeedStats.of(runs.stream().map(r -> r.pathLength).toList());

        boolean fixed = !Double.isNaN(warmTime);
        long tw = fixed ? firstAtTime(epoch, time, warmTime) : firstReaching(epoch, testAcc.mean(), warmThreshold);
        warmEpoch = tw;
        long anchor = -1;
        String note = fixed ? String.format(java.util.Locale.ROOT, "warm start fixed at t = %s (--warm-time)", warmTime) : "";
        boolean error = false;
        if (tw < 0 && fixed) {
            note = String.format(java.util.Locale.ROOT, "no row at time >= %s (--warm-time): no warm start", warmTime);
        } else if (tw < 0) {
            note = String.format("seed-mean test accuracy never reaches %.3g (max %.3g): no warm start", warmThreshold, max(testAcc.mean()));
        } else {
            TreeSet<Long> common = new TreeSet<>(first.anchors.keySet());
            common.add(0L); // dist2_init is the anchor at epoch 0
            runs.forEach(r -> {
                TreeSet<Long> own = new TreeSet<>(r.anchors.keySet());
                own.add(0L);
                common.retainAll(own);
            });
            Long a = common.ceiling(tw);
            if (a == null || a >= first.lastEpoch()) {
                error = true;
                note = "warm start at epoch " + tw + (fixed ? " (--warm-time " + warmTime + ")" : " (seed-mean test accuracy >= " + warmThreshold + ")")
                        + " but no recorded anchor at or after it"
                        + " before the last epoch (anchors in all runs: " + common + "); rerun with hooks.anchors including an epoch >= " + tw;
            } else {
                anchor = a;
                if (a > tw) note = join(note, "anchor " + a + " is the first recorded anchor after the warm-start epoch " + tw);
            }
        }
        anchorEpoch = anchor;
        warmIsError = error;
        warmNote = note;
        long s = anchor;
        warm = anchor < 0 ? null : SeedStats.of(runs.stream().map(r -> warmInefficiency(r, s)).toList());

        int[] theoryRows = logSpacedRows(epoch, THEORY_POINTS);
        ntkInit = spectra(runs, r -> 0L);
        theoryDist2 = nanArray(epoch.length);
        theoryLossDrop = nanArray(epoch.length);
        theoryPathLength = nanArray(epoch.length);
        theoryCold = nanArray(epoch.length);
        theoryGeo = nanArray(epoch.length);
        if (ntkInit != null) {
            fillColdTheory(theoryRows);
        }
        // each run's own NTK epoch closest to the anchor (the NTK stage may pick a warm epoch per run)
        ntkWarm = anchor < 0 ? null : spectra(runs, r -> nearestNtkEpoch(r, s));
        theoryWarm = nanArray(epoch.length);
        if (ntkWarm != null) {
            fillWarmTheory(theoryRows, first.row(anchor));
        }
    }

    static double[] coldInefficiency(RunData r) {
        double[] out = new double[r.rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = i == 0 ? Double.NaN : r.time[i] * (r.trainLoss[0] - r.trainLoss[i]) / r.dist2Init[i];
        }
        return out;
    }

    /** (t - t_s)(L_s - L_t)/|theta_t - theta_s|^2 after the anchor s; NaN up to s. */
    static double[] warmInefficiency(RunData r, long anchor) {
        double[] d2 = anchor == 0 ? r.dist2Init : r.anchors.get(anchor);
        int s = r.row(anchor);
        if (s < 0) throw new AnalysisException(r.dir + ": metrics.csv has no row for anchor epoch " + anchor);
        double[] out = nanArray(r.rows());
        for (int i = s + 1; i < out.length; i++) {
            out[i] = (r.time[i] - r.time[s]) * (r.trainLoss[s] - r.trainLoss[i]) / d2[i];
        }
        return out;
    }

    static double[] geometricRatio(RunData r) {
        double[] out = new double[r.rows()];
        for (int i = 0; i < out.length; i++) {
            out[i] = i == 0 ? Double.NaN : r.pathLength[i] / Math.sqrt(r.dist2Init[i]);
        }
        return out;
    }

    /** First epoch after 0 whose time is ≥ {@code t} (relative slack 1e-9), or -1. */
    static long firstAtTime(double[] epochs, double[] times, double t) {
        for (int i = 0; i < epochs.length; i++) {
            if (epochs[i] > 0 && times[i] >= t * (1 - 1e-9)) return (long) epochs[i];
        }
        return -1;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    /** First epoch after 0 (epoch 0 is the cold start) where {@code acc} (the seed mean; NaN = not measured) reaches the threshold, or -1. */
    static long firstReaching(double[] epochs, double[] acc, double threshold) {
        for (int i = 0; i < acc.length; i++) {
            if (epochs[i] > 0 && !Double.isNaN(acc[i]) && acc[i] >= threshold) return (long) epochs[i];
        }
        return -1;
    }

    private static double max(double[] v) {
        double m = Double.NaN;
        for (double x : v) if (!Double.isNaN(x) && !(x <= m)) m = x;
        return m;
    }

    static double[] nanArray(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    /** Row indices: row 0, up to {@code points} log-spaced epochs, and the last row. */
    static int[] logSpacedRows(double[] epochs, int points) {
        TreeSet<Integer> rows = new TreeSet<>(List.of(0, epochs.length - 1));
        double last = epochs[epochs.length - 1];
        for (int p = 0; p < points && last >= 1; p++) {
            double target = Math.pow(last, p / (double) (points - 1));
            int i = java.util.Arrays.binarySearch(epochs, target);
            i = i >= 0 ? i : Math.min(epochs.length - 1, -i - 1);
            rows.add(i);
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The NTK epoch of this run for the warm start at {@code target}: {@link #nearestWarmEpoch} of its NTK epochs. */
    static long nearestNtkEpoch(RunData run, long target) {
        return nearestWarmEpoch(run.ntk.navigableKeySet(), target);
    }

    /**
     * The NTK epoch (> 0: epoch 0 is the cold start) closest to the warm-start anchor {@code target} (ties: the later
     * one), or -1 if there is none within max(50, target / 4) epochs: a spectrum taken far from the warm start (e.g.
     * at the end of a run, or at a seed's own warm epoch far from the seed-mean one) must not stand in for it; such
     * runs are left out of the warm-start spectrum (compute it with {@code ntk --run <dir> --epoch <anchor>}).
     */
    static long nearestWarmEpoch(java.util.NavigableSet<Long> epochs, long target) {
        java.util.NavigableSet<Long> later = epochs.tailSet(1L, true);
        Long lo = later.floor(target), hi = later.ceiling(target);
        long best;
        if (lo == null && hi == null) return -1;
        else if (lo == null) best = hi;
        else if (hi == null) best = lo;
        else best = target - lo < hi - target ? lo : hi;
        return Math.abs(best - target) <= Math.max(50, target / 4) ? best : -1;
    }

    /** Power-law fits of each run's spectrum at the epoch {@code choose} picks for it; null if no run has one. */
    static NtkSummary spectra(List<RunData> runs, java.util.function.ToLongFunction<RunData> choose) {
        List<NtkSpectrum> found = new ArrayList<>();
        List<RunData> with = new ArrayList<>();
        for (RunData r : runs) {
            NtkSpectrum s = r.ntk.get(choose.applyAsLong(r));
            if (s != null) {
                found.add(s);
                with.add(r);
            }
        }
        if (found.isEmpty()) return null;
        List<Double> alphas = new ArrayList<>(), deltas = new ArrayList<>();
        String range = "";
        for (NtkSpectrum s : found) {
            int[] k = PowerLawFit.defaultRange(s.size());
            if (k[1] <= k[0]) continue;
            PowerLawFit a = PowerLawFit.fit(s.eigenvalue(), k[0], k[1]);
            PowerLawFit d = PowerLawFit.fit(s.proj2(), k[0], k[1]);
            alphas.add(a.exponent());
            deltas.add(d.exponent());
            range = a.range();
        }
        String epochs = String.join("/", found.stream().map(sp -> Long.toString(sp.epoch())).distinct().toList());
        return new NtkSummary(found.get(0).epoch(), epochs, SeedStats.scalar(alphas)[0], SeedStats.scalar(deltas)[0], range,
                found.size(), found, with);
    }

    private void fillColdTheory(int[] rows) {
        double[] times = new double[rows.length];
        for (int j = 0; j < rows.length; j++) times[j] = time[rows[j]];
        List<double[]> ineff = new ArrayList<>(), geoRatio = new ArrayList<>(), dist2 = new ArrayList<>();
        List<double[]> drop = new ArrayList<>(), lengths = new ArrayList<>();
        for (int q = 0; q < ntkInit.runs().size(); q++) {
            RunData r = ntkInit.runs().get(q);
            NtkSpectrum s = ntkInit.spectra().get(q);
            NtkTheory theory = new NtkTheory(s.eigenvalue(), s.proj2(), r.lossFactor());
            double[] length = theory.pathLength(times);
            double[] i = new double[rows.length], g = new double[rows.length], d = new double[rows.length];
            double[] l = new double[rows.length];
            for (int j = 0; j < rows.length; j++) {
                d[j] = theory.dist2(times[j]);
                l[j] = theory.lossDrop(times[j]);
                i[j] = times[j] > 0 ? theory.inefficiency(times[j]) : Double.NaN;
                g[j] = times[j] > 0 ? length[j] / Math.sqrt(d[j]) : Double.NaN;
            }
            ineff.add(i);
            geoRatio.add(g);
            dist2.add(d);
            drop.add(l);
            lengths.add(length);
        }
        scatter(SeedStats.of(ineff).mean(), rows, theoryCold);
        scatter(SeedStats.of(geoRatio).mean(), rows, theoryGeo);
        scatter(SeedStats.of(dist2).mean(), rows, theoryDist2);
        scatter(SeedStats.of(drop).mean(), rows, theoryLossDrop);
        scatter(SeedStats.of(lengths).mean(), rows, theoryPathLength);
    }

    private void fillWarmTheory(int[] rows, int anchorRow) {
        int[] after = java.util.Arrays.stream(rows).filter(i -> i > anchorRow).toArray();
        if (after.length == 0) return;
        List<double[]> ineff = new ArrayList<>();
        for (int q = 0; q < ntkWarm.runs().size(); q++) {
            RunData r = ntkWarm.runs().get(q);
            NtkSpectrum s = ntkWarm.spectra().get(q);
            NtkTheory theory = new NtkTheory(s.eigenvalue(), s.proj2(), r.lossFactor());
            double[] i = new double[after.length];
            for (int j = 0; j < after.length; j++) i[j] = theory.inefficiency(time[after[j]] - time[anchorRow]);
            ineff.add(i);
        }
        scatter(SeedStats.of(ineff).mean(), after, theoryWarm);
    }

    private static void scatter(double[] values, int[] rows, double[] into) {
        for (int j = 0; j < rows.length; j++) into[rows[j]] = values[j];
    }

    public int seeds() {
        return group.runs().size();
    }

    public Map<String, String> keys() {
        return group.keys();
    }
}
