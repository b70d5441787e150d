package org.speedlimits.analysis;

import org.speedlimits.io.EpochCsv;
import org.speedlimits.io.OutputFolder;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Runs from one θ₀ under different dynamics (GD at some learning rate beside gradient flow: the paper's open question
 * about discretisation), or a rerun beside the original (labelled flow, flow-2, …), compared at the physical times
 * that every run recorded. Nothing is interpolated: a time is shared when each run has a row within a relative 1e-9
 * of it (t = lr·epoch is a float product).
 *
 * <p>What to expect, to first order in η (GD follows the flow of L + (η/4)|∇L|²): over one step of length η, flow
 * lowers L by η|g|² − η²gᵀHg and GD by η|g|² − η²gᵀHg/2, so at equal t GD's loss drop is larger by a factor
 * 1 + η⟨gᵀHg/|g|²⟩/2 ∈ [1, 1 + ηλ_max/2] while the curvature along g is non-negative; its cold inefficiency starts at
 * 1 − ηgᵀHg/(2|g|²) ≥ 1 − ηλ_max/2 instead of 1. {@link Member#firstOrderGap()} is that ηλ_max/2, with the λ_max the
 * GD run measured at t = 0.
 */
public final class RunComparison {
    /** Relative slack when matching times. */
    public static final double TIME_SLACK = 1e-9;

    /** One compared run: its label (dynamics, and lr for GD), and for GD the step size and λ_max at t = 0. */
    public record Member(RunData run, String label, boolean gd, double lr, double lambdaMax0) {
        /** η λ_max(0) / 2 for a GD run with λ_max measured at t = 0; NaN otherwise. */
        public double firstOrderGap() {
            return gd ? lr * lambdaMax0 / 2 : Double.NaN;
        }
    }

    /** A time every run recorded, and each run's row there. */
    public record Shared(double time, int[] rows) {
    }

    private final List<Member> members;
    private final List<Shared> shared;

    private RunComparison(List<Member> members, List<Shared> shared) {
        this.members = members;
        this.shared = shared;
    }

    /**
     * The runs (the first is the reference the loss drops are divided by), cut to {@code horizon} and then to the last
     * time they share. Throws AnalysisException, naming the runs, when fewer than two are given or they do not start from
     * the same θ₀ and data (seed, n, model and loss convention in config.yaml, and the loss at t = 0).
     */
    public static RunComparison of(List<RunData> runs, double horizon) {
        if (runs.size() < 2) {
            throw new AnalysisException("compare needs at least two runs, got " + runs.size());
        }
        List<Member> members = new ArrayList<>();
        RunData ref = runs.get(0);
        for (RunData full : runs) {
            sameStart(ref, full);
            RunData r = Double.isInfinite(horizon) ? full : full.upTo(horizon);
            boolean gd = "gd".equals(r.config.get("train.dynamics"));
            double lr = Double.parseDouble(r.config.getOrDefault("train.lr", "NaN"));
            if (members.stream().anyMatch(m -> sameDirectory(m.run().dir, r.dir))) {
                throw new AnalysisException("run " + r.dir + " is given twice");
            }
            String base = gd ? String.format(Locale.ROOT, "gd lr=%.3g", lr) : r.config.getOrDefault("train.dynamics", r.name());
            long twins = members.stream().filter(m -> m.label().equals(base) || m.label().startsWith(base + "-")).count();
            String label = twins == 0 ? base : base + "-" + (twins + 1); // a rerun of the same dynamics (e.g. on another machine)
            members.add(new Member(r, label, gd, lr, r.lambdaMax[0]));
        }
        List<Shared> shared = new ArrayList<>();
        RunData first = members.get(0).run();
        for (int i = 1; i < first.rows(); i++) {
            double t = first.time[i];
            int[] rows = new int[members.size()];
            boolean all = true;
            for (int m = 0; m < members.size() && all; m++) {
                rows[m] = rowAt(members.get(m).run().time, t);
                all = rows[m] >= 0;
            }
            if (all) shared.add(new Shared(t, rows));
        }
        if (shared.isEmpty()) {
            throw new AnalysisException("the compared runs share no recorded time after 0" + (Double.isInfinite(horizon) ? ""
                    : " up to t = " + horizon) + "; give them common hooks.anchor_times (rows at exactly those times)");
        }
        double last = shared.get(shared.size() - 1).time();
        List<Member> cut = members.stream().map(m -> new Member(m.run().upTo(last), m.label(), m.gd(), m.lr(), m.lambdaMax0())).toList();
        return new RunComparison(cut, List.copyOf(shared));
    }

    private static void sameStart(RunData ref, RunData r) {
        for (String key : List.of("seed", "data.n_train", "data.dir", "model.type", "model.depth", "model.width",
                "model.parameterization", "train.loss", "data.targets")) {
            if (!Objects.equals(ref.config.get(key), r.config.get(key))) {
                throw new AnalysisException(r.dir + " does not start where " + ref.dir + " does: " + key + " is "
                        + r.config.get(key) + ", not " + ref.config.get(key));
            }
        }
        double l0 = ref.trainLoss[0], l1 = r.trainLoss[0];
        if (!(Math.abs(l0 - l1) <= 1e-6 * Math.abs(l0))) {
            throw new AnalysisException(r.dir + " starts at train loss " + l1 + ", " + ref.dir + " at " + l0
                    + ": not the same θ₀ and data");
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** Index of the row at time t (relative slack {@link #TIME_SLACK}), or -1. */
    static int rowAt(double[] times, double t) {
        int lo = 0, hi = times.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Math.abs(times[mid] - t) <= TIME_SLACK * Math.abs(t)) return mid;
            if (times[mid] < t) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    public List<Member> members() {
        return members;
    }

    public List<Shared> shared() {
        return shared;
    }

    /** (L₀ − L(t)) of member m over that of the reference (member 0), at a shared time. */
    public double dropRatio(int m, Shared s) {
        RunData r = members.get(m).run(), ref = members.get(0).run();
        return (r.trainLoss[0] - r.trainLoss[s.rows()[m]]) / (ref.trainLoss[0] - ref.trainLoss[s.rows()[0]]);
    }

    /** Member m's cold-start inefficiency per row (NaN at t = 0), as in the analysis. */
    public double[] coldInefficiency(int m) {
        return GroupAnalysis.coldInefficiency(members.get(m).run());
    }

    /** Member m's l_γ/l_geo per row (NaN at t = 0). */
    public double[] lengthRatio(int m) {
        return GroupAnalysis.geometricRatio(members.get(m).run());
    }

    /** {@code dir/comparison.csv}: per shared time and run, the loss, inefficiency, l_γ/l_geo and the drop ratio. */
    public void write(Path dir) {
        StringBuilder csv = new StringBuilder("time");
        for (Member m : members) {
            String c = m.label().replace(' ', '_');
            csv.append(',').append(c).append("_train_loss,").append(c).append("_inefficiency,").append(c)
                    .append("_length_ratio,").append(c).append("_drop_ratio");
        }
        csv.append('\n');
        List<double[]> ineff = new ArrayList<>(), ratio = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            ineff.add(coldInefficiency(m));
            ratio.add(lengthRatio(m));
        }
        for (Shared s : shared) {
            csv.append(EpochCsv.format(s.time()));
            for (int m = 0; m < members.size(); m++) {
                int row = s.rows()[m];
                csv.append(',').append(EpochCsv.format(members.get(m).run().trainLoss[row]))
                        .append(',').append(EpochCsv.format(ineff.get(m)[row]))
                        .append(',').append(EpochCsv.format(ratio.get(m)[row]))
                        .append(',').append(EpochCsv.format(dropRatio(m, s)));
            }
            csv.append('\n');
        }
        OutputFolder.write(dir, tmp -> Files.writeString(tmp.resolve("comparison.csv"), csv.toString()));
    }

    /** A markdown table: per run, the values at the last shared time, and GD's first-order expectation. */
    public void printReport(PrintStream out) {
        Shared last = shared.get(shared.size() - 1);
        out.printf(Locale.ROOT, "compared at %d shared times up to t = %.6g (reference: %s)%n", shared.size(), last.time(),
                members.get(0).label());
        out.println("| run | train loss | drop / reference's − 1 | max over shared times | cold inefficiency | l_γ/l_geo | test acc | η λ_max(0)/2 |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (int m = 0; m < members.size(); m++) {
            Member mem = members.get(m);
            int row = last.rows()[m];
            double maxGap = 0;
            for (Shared s : shared) maxGap = Math.max(maxGap, Math.abs(dropRatio(m, s) - 1));
            double acc = mem.run().testAcc[row];
            out.printf(Locale.ROOT, "| %s | %.6g | %+.3e | %.3e | %.5f | %.5f | %s | %s |%n", mem.label(), mem.run().trainLoss[row],
                    dropRatio(m, last) - 1, maxGap, coldInefficiency(m)[row], lengthRatio(m)[row],
                    Double.isNaN(acc) ? "–" : String.format(Locale.ROOT, "%.4f", acc),
                    Double.isNaN(mem.firstOrderGap()) ? "" : String.format(Locale.ROOT, "%.3e", mem.firstOrderGap()));
        }
    }
}
