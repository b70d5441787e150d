package org.speedlimits.bench;

import org.speedlimits.config.TargetEncoding;

import org.nd4j.linalg.api.buffer.DataType;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.DynamicsKind;
import org.speedlimits.data.Preprocessing;
import org.speedlimits.data.TrainingData;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.run.Backend;
import org.speedlimits.train.EpochRecord;
import org.speedlimits.train.Trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;

/**
 * Benchmark (not a test): gradient flow by the RKC integrator against fixed-step GD on the quickstart problem
 * (Myrtle-5 C = 16, n = 500, float32, oneDNN engine, the same theta_0) integrated to T = 3. Every run is compared
 * with a reference trajectory (flow at a very tight rtol) at the recorded times: max relative error of L(t),
 * |theta_t - theta_0|^2 and l_gamma(t), gradient evaluations and wall time. The reference is validated against a
 * second one at a 10x looser rtol: their difference bounds its own error and is printed beside the table.
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.speedlimits.bench.FlowBenchmark -Dexec.args="target/bench/flow"</pre>
 * Args: output folder, then optionally "T=3 width=16 n=500 ref=1e-7 flows=1e-2,1e-3,1e-4,1e-5 gd=1e-3,1e-4 grid=fine
 * reuse=0". grid=coarse records flow rows every T/20 instead of T/100, with the same 30 log-spaced times (each row costs
 * a flow run at least one step); errors are taken at the times two runs share. reuse=1 reads a run from its CSV in
 * the output folder where one exists (with its wall time from run.log) instead of running it again.
 */
public final class FlowBenchmark {
    /** The grid's time unit: every row time is a multiple of it, so both GD runs have a row there too. */
    static final double UNIT = 1e-3;

    record Run(String name, DynamicsKind kind, double lrOrRtol, TreeMap<Long, EpochRecord> rows, double seconds) {
        long gradEvals() {
            return rows.lastEntry().getValue().gradEvals();
        }
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench/flow");
        Map<String, String> o = new LinkedHashMap<>(Map.of("T", "3", "width", "16", "n", "500", "ref", "1e-7",
                "flows", "1e-2,1e-3,1e-4,1e-5", "gd", "1e-3,1e-4"));
        o.putIfAbsent("grid", "fine");
        o.putIfAbsent("reuse", "0");
        for (int i = 1; i < args.length; i++) {
            for (String kv : args[i].split("\\s+")) {
                if (!kv.isBlank()) o.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        Files.createDirectories(out);
        double horizon = Double.parseDouble(o.get("T"));
        int width = Integer.parseInt(o.get("width"));
        int n = Integer.parseInt(o.get("n"));
        Backend.initialise();
        TrainingData data = TrainingData.load(new ExperimentConfig.Data("data/cifar-10-batches-bin", n, 0, true,
                TargetEncoding.ONEHOT), DataType.FLOAT);
        double refRtol = Double.parseDouble(o.get("ref"));
        List<Run> runs = new ArrayList<>();
        boolean reuse = o.get("reuse").equals("1");
        boolean coarse = o.get("grid").equals("coarse");
        // the reference and GD are recorded on the fine grid, which contains the coarse one's regular times
        Run reference = run(data, width, horizon, DynamicsKind.FLOW, refRtol, out, false, reuse);
        Run check = run(data, width, horizon, DynamicsKind.FLOW, refRtol * 10, out, false, reuse);
        for (String r : o.get("flows").split(",")) {
            runs.add(run(data, width, horizon, DynamicsKind.FLOW, Double.parseDouble(r), out, coarse, reuse));
        }
        for (String lr : o.get("gd").split(",")) {
            runs.add(run(data, width, horizon, DynamicsKind.GD, Double.parseDouble(lr), out, false, reuse));
        }
        try (PrintWriter md = new PrintWriter(Files.newBufferedWriter(out.resolve("flow.md")))) {
            md.printf(Locale.ROOT, "Myrtle-5 C = %d, n = %d, float32 (oneDNN), T = %s, the same theta_0. Flow rows: %s."
                    + " Errors: max over the rows a run shares with the reference (t > 0) of |x - x_ref| / |x_ref|,"
                    + " against flow at rtol %.0e (%d gradient evaluations, %.0f s; %d rows).%n%n", width, n, o.get("T"),
                    coarse ? "every T/20 plus the same 30 log-spaced times (a flow run lands on each row, so fewer rows cost less)"
                            : "every T/100 plus 30 log-spaced times from 1e-3 (GD and the reference are recorded there too)",
                    refRtol, reference.gradEvals(), reference.seconds(), reference.rows().size());
            md.println("| run | rows compared | grad evals | wall s | s / eval | error L(t) | error \\|θ_t−θ_0\\|² | error l_γ(t) | bound t·ΔL ≥ \\|Δθ\\|² violated at |");
            md.println("|---|---|---|---|---|---|---|---|---|");
            runs.add(0, check);
            Map<String, double[]> errors = new LinkedHashMap<>();
            for (Run r : runs) {
                double[] e = errors(r, reference);
                errors.put(r.name(), e);
                md.printf(Locale.ROOT, "| %s | %d | %d | %.1f | %.4f | %.2e | %.2e | %.2e | %s |%n", r.name() + (r == check ? " (reference check)" : ""),
                        (int) e[3], r.gradEvals(), r.seconds(), r.seconds() / r.gradEvals(), e[0], e[1], e[2], violations(r));
            }
            md.println();
            for (Run gd : runs.stream().filter(r -> r.kind() == DynamicsKind.GD).toList()) {
                double[] target = errors.get(gd.name());
                Run match = null;
                for (Run f : runs.stream().filter(r -> r.kind() == DynamicsKind.FLOW && r != check).toList()) {
                    double[] e = errors.get(f.name());
                    if (e[0] <= target[0] && e[1] <= target[1] && e[2] <= target[2]
                            && (match == null || f.gradEvals() < match.gradEvals())) {
                        match = f;
                    }
                }
                md.println(match == null
                        ? "- " + gd.name() + ": no flow tolerance tried reaches its errors"
                        : String.format(Locale.ROOT, "- %s (errors %.2e / %.2e / %.2e): the cheapest flow with errors at most"
                                + " as large in all three is %s, **%.1f× fewer gradient evaluations** (%d vs %d), %.1f× less wall time",
                        gd.name(), target[0], target[1], target[2], match.name(), gd.gradEvals() / (double) match.gradEvals(),
                        match.gradEvals(), gd.gradEvals(), gd.seconds() / match.seconds()));
            }
        }
        System.out.print(Files.readString(out.resolve("flow.md")));
    }

    static Run run(TrainingData data, int width, double horizon, DynamicsKind kind, double value, Path out,
                   boolean coarse, boolean reuse) throws IOException {
        Network net = ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, width,
                ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0),
                0, DataType.FLOAT);
        double lr = kind == DynamicsKind.GD ? value : UNIT;
        long epochs = Math.round(horizon / lr);
        var config = new ExperimentConfig.Train(epochs, lr, ExperimentConfig.LossNormalization.MEAN,
                ExperimentConfig.Precision.FLOAT32, 1000, 1_000_000, 0, 0, 1e9, 1e9, ExperimentConfig.GradientEngine.AUTO,
                kind, 0, coarse ? horizon / 20 : 0, 30, kind == DynamicsKind.FLOW ? value : 1e-4, 1e-7, false);
        // the common grid in units of UNIT, mapped to this run's epochs
        NavigableSet<Long> grid = Trainer.rows(new ExperimentConfig.Train(Math.round(horizon / UNIT), UNIT, config.loss(),
                config.dtype(), 1000, 1, 0, 0, 1, 2, config.engine(), DynamicsKind.FLOW, 0, config.recordEvery(),
                config.recordLogPoints(), 1e-4, 1e-7, false), List.of());
        long scale = Math.round(UNIT / lr);
        TreeMap<Long, EpochRecord> rows = new TreeMap<>();
        String name = kind == DynamicsKind.GD ? String.format(Locale.ROOT, "gd lr=%.0e", value)
                : String.format(Locale.ROOT, "flow rtol=%.0e", value) + (coarse ? " coarse" : "");
        Path csvFile = out.resolve(name.replace(' ', '_') + ".csv");
        if (reuse && Files.exists(csvFile)) {
            return load(name, kind, value, csvFile, out.resolve("run.log"));
        }
        System.out.println("running " + name + " (" + epochs + " epochs of " + lr + ")");
        long t0 = System.nanoTime();
        try (Trainer trainer = new Trainer(net, data.train(), data.train(), config)) {
            trainer.run(List.of(c -> {
                if (c.epoch() % scale == 0 && grid.contains(c.epoch() / scale)) {
                    rows.put(c.epoch() / scale, c.record());
                }
            }));
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(csvFile))) {
            csv.println("time,train_loss,dist2_init,path_length,grad_evals,steps");
            rows.values().forEach(r -> csv.printf(Locale.ROOT, "%s,%s,%s,%s,%d,%d%n", r.time(), r.trainLoss(),
                    r.distanceSquaredFromInit(), r.pathLength(), r.gradEvals(), r.steps()));
        }
        System.out.printf(Locale.ROOT, "%s: %d gradient evaluations, %.1f s, final L %.8g%n", name,
                rows.lastEntry().getValue().gradEvals(), seconds, rows.lastEntry().getValue().trainLoss());
        return new Run(name, kind, value, rows, seconds);
    }

    /** A run read back from its CSV; its wall time from the "NAME: N gradient evaluations, S s" line of run.log. */
    static Run load(String name, DynamicsKind kind, double value, Path csvFile, Path log) throws IOException {
        TreeMap<Long, EpochRecord> rows = new TreeMap<>();
        List<String> lines = Files.readAllLines(csvFile);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            double t = Double.parseDouble(c[0]);
            rows.put(Math.round(t / UNIT), new EpochRecord(Math.round(t / UNIT), t, Double.parseDouble(c[1]), Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.parseDouble(c[2]), Double.parseDouble(c[3]),
                    Long.parseLong(c[4]), Long.parseLong(c[5]), new double[0], 0, new double[0]));
        }
        double seconds = Double.NaN;
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                if (line.startsWith(name + ": ") && line.contains(" gradient evaluations, ")) {
                    String after = line.substring(line.indexOf(" gradient evaluations, ") + 23);
                    seconds = Double.parseDouble(after.substring(0, after.indexOf(' ')));
                }
            }
        }
        System.out.println("reused " + csvFile + " (" + seconds + " s)");
        return new Run(name, kind, value, rows, seconds);
    }

    /** Max relative errors of L, dist2_init and path_length over the rows with t > 0 both runs have, and their count. */
    static double[] errors(Run r, Run reference) {
        double[] e = new double[4];
        for (var entry : reference.rows().entrySet()) {
            if (entry.getKey() == 0 || !r.rows().containsKey(entry.getKey())) continue;
            e[3]++;
            EpochRecord x = r.rows().get(entry.getKey());
            EpochRecord ref = entry.getValue();
            e[0] = Math.max(e[0], Math.abs(x.trainLoss() - ref.trainLoss()) / Math.abs(ref.trainLoss()));
            e[1] = Math.max(e[1], Math.abs(x.distanceSquaredFromInit() - ref.distanceSquaredFromInit()) / ref.distanceSquaredFromInit());
            e[2] = Math.max(e[2], Math.abs(x.pathLength() - ref.pathLength()) / ref.pathLength());
        }
        return e;
    }

    /** The rows where t (L_0 - L_t) < |theta_t - theta_0|^2, as "none" or a count and the first time. */
    static String violations(Run r) {
        double l0 = r.rows().firstEntry().getValue().trainLoss();
        List<Double> times = r.rows().values().stream()
                .filter(x -> x.time() * (l0 - x.trainLoss()) < x.distanceSquaredFromInit()).map(EpochRecord::time).toList();
        return times.isEmpty() ? "none" : times.size() + " rows, from t = " + times.get(0);
    }
}
