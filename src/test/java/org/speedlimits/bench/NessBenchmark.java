package org.speedlimits.bench;

import org.speedlimits.ness.Ensemble;
import org.speedlimits.ness.LocalTanhNet;
import org.speedlimits.ness.Observer;
import org.speedlimits.ness.Rng;
import org.speedlimits.ness.Sampler;
import org.speedlimits.ness.Sgld;
import org.speedlimits.ness.WorSgd;
import org.speedlimits.ness.WrSgd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a test): with-replacement SGD steps per second (paper 003, Eq. A1) on the 7-parameter regression
 * network of Eq. (30) (M = 200, m = 10, η = 1e-7, λ = 10, ε = 0.1), as {@link Ensemble} runs it: one chain on one
 * thread, and two chains on two threads; against the NumPy reference bench/ness_sgd.py doing the same loop
 * (vectorised over the batch), measured interleaved in the same invocation, the order alternating between
 * repetitions. Both sides train on the same data (written to target/bench/ness-data.txt) from the same θ (the end
 * of a burn-in), and the reference's minibatch gradient is first checked against the Java model's. Also reports
 * SGLD and WOR steps/s on one thread and the cost of Math.tanh against the model's tanh on the arguments the
 * model sees. Prints per-repetition lines, medians with ranges, and RESULT lines.
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=org.speedlimits.bench.NessBenchmark -Dexec.args="5000000 20000 5"</pre>
 * Arguments: Java steps per chain per measurement (default 5·10⁶), NumPy steps (default 2·10⁴), repetitions (5).
 */
public final class NessBenchmark {
    private static final double ETA = 1e-7;
    private static final int BATCH = 10;

    public static void main(String[] args) throws Exception {
        long steps = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        long pySteps = args.length > 1 ? Long.parseLong(args[1]) : 20_000L;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        LocalTanhNet model = LocalTanhNet.paper(1);

        // burn-in towards the stationary state (also the JIT warm-up); every measurement starts from its end
        double[] theta = {1.5, -1.5, 1.2, 1.2, 0.5, 0.5, -0.5};
        double before = model.loss(theta);
        WrSgd warm = new WrSgd(model, ETA, BATCH);
        Rng rng = new Rng(7);
        for (int i = 0; i < 3_000_000; i++) warm.step(theta, rng);
        System.out.printf(Locale.ROOT, "burn-in: loss %.6g -> %.6g after 3e6 WR steps; theta %s%n", before,
                model.loss(theta), Arrays.toString(theta));
        final double[] start = theta.clone();

        Path data = Path.of("target/bench/ness-data.txt");
        Files.createDirectories(data.getParent());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < model.examples(); i++) sb.append(model.x(i)).append(' ').append(model.y(i)).append('\n');
        Files.writeString(data, sb.toString());
        checkReference(model, data, start);

        double[] j1 = new double[reps], j2 = new double[reps], py = new double[reps];
        for (int r = 0; r < reps; r++) {
            // alternate the order, so a drift in machine load does not favour one side
            if (r % 2 == 0) {
                j1[r] = javaRate(new WrSgd(model, ETA, BATCH), start, 1, steps, r);
                j2[r] = javaRate(new WrSgd(model, ETA, BATCH), start, 2, steps, r);
                py[r] = numpyRate(data, start, pySteps);
            } else {
                py[r] = numpyRate(data, start, pySteps);
                j2[r] = javaRate(new WrSgd(model, ETA, BATCH), start, 2, steps, r);
                j1[r] = javaRate(new WrSgd(model, ETA, BATCH), start, 1, steps, r);
            }
            System.out.printf(Locale.ROOT, "repetition %d: java 1 thread %.3e steps/s, java 2 threads %.3e steps/s "
                    + "(%.3e per thread), numpy %.3e steps/s%n", r, j1[r], j2[r], j2[r] / 2, py[r]);
        }
        double[] r1 = new double[reps], r2 = new double[reps];
        for (int r = 0; r < reps; r++) {
            r1[r] = j1[r] / py[r];
            r2[r] = j2[r] / py[r];
        }
        System.out.println();
        System.out.println("| | steps/s, median | range | ratio to NumPy, median (range) |");
        System.out.println("|---|---|---|---|");
        row("Java, 1 chain, 1 thread", j1, r1);
        row("Java, 2 chains, 2 threads (total)", j2, r2);
        row("NumPy reference, 1 thread", py, null);
        System.out.printf(Locale.ROOT, "2-thread scaling: %.2f x the 1-thread rate (median)%n", median(j2) / median(j1));

        double sgld = javaRate(new Sgld(model, ETA, BATCH), start, 1, steps, 99);
        double wor = javaRate(new WorSgd(model, ETA, BATCH), start, 1, steps / 20, 99);
        System.out.printf(Locale.ROOT, "SGLD %.3e steps/s, WOR %.3e steps/s (1 thread, one measurement each)%n", sgld, wor);
        tanhCost(model, start);

        System.out.printf(Locale.ROOT, "RESULT ness-wr-sgd side=java threads=1 steps=%d median_steps_per_s=%.4e rates=%s%n", steps, median(j1), csv(j1));
        System.out.printf(Locale.ROOT, "RESULT ness-wr-sgd side=java threads=2 steps=%d median_steps_per_s=%.4e rates=%s%n", 2 * steps, median(j2), csv(j2));
        System.out.printf(Locale.ROOT, "RESULT ness-wr-sgd side=numpy threads=1 steps=%d median_steps_per_s=%.4e rates=%s%n", pySteps, median(py), csv(py));
    }

    /** Steps per second of {@code chains} = threads chains, each running {@code steps} steps from θ. */
    private static double javaRate(Sampler s, double[] start, int threads, long steps, int rep) {
        Ensemble e = new Ensemble(s, threads, 1000 + rep, k -> start, 1, k -> new Observer[0]);
        long units = steps / s.stepsPerUnit();
        long t0 = System.nanoTime();
        e.run(units, threads);
        double dt = (System.nanoTime() - t0) * 1e-9;
        for (int k = 0; k < e.size(); k++) {
            for (double v : e.chain(k).theta()) if (!Double.isFinite(v)) throw new IllegalStateException("diverged");
        }
        return threads * units * s.stepsPerUnit() / dt;
    }

    private static double numpyRate(Path data, double[] start, long steps) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", "bench/ness_sgd.py", "time", data.toString(), Long.toString(steps)));
        for (double v : start) cmd.add(Double.toString(v));
        String line = python(cmd, "RESULT");
        for (String kv : line.split(" ")) if (kv.startsWith("steps_per_s=")) return Double.parseDouble(kv.substring(12));
        throw new IllegalStateException("no steps_per_s in " + line);
    }

    /** The reference's minibatch gradient on examples 0..9 equals the Java model's (to rounding). */
    private static void checkReference(LocalTanhNet model, Path data, double[] theta) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", "bench/ness_sgd.py", "check", data.toString()));
        for (double v : theta) cmd.add(Double.toString(v));
        String[] got = python(cmd, "GRADIENT").split(" ");
        double[] g = new double[7];
        int[] idx = new int[BATCH];
        for (int i = 0; i < BATCH; i++) idx[i] = i;
        model.addExampleGradients(theta, idx, 0, BATCH, 1.0 / BATCH, g);
        double worst = 0;
        for (int a = 0; a < 7; a++) worst = Math.max(worst, Math.abs(Double.parseDouble(got[a + 1]) - g[a]) / (Math.abs(g[a]) + 1e-300));
        System.out.printf(Locale.ROOT, "reference check: NumPy minibatch gradient vs Java, max relative difference %.2e%n", worst);
        if (worst > 1e-9) throw new IllegalStateException("the NumPy reference computes a different gradient: " + String.join(" ", got));
    }

    private static String python(List<String> cmd, String prefix) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("MKL_NUM_THREADS", "1");
        Process p = pb.start();
        String found = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = in.readLine()) != null; ) {
                all.append(l).append('\n');
                if (l.startsWith(prefix)) found = l;
            }
        }
        if (p.waitFor() != 0 || found == null) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + all);
        return found;
    }

    /** ns per call of Math.tanh and of the model's tanh on the pre-activations θ₁x + θ₃, θ₂x + θ₄ of the data. */
    private static void tanhCost(LocalTanhNet model, double[] t) {
        int m = model.examples();
        double[] args = new double[2 * m];
        for (int i = 0; i < m; i++) {
            args[2 * i] = t[0] * model.x(i) + t[2];
            args[2 * i + 1] = t[1] * model.x(i) + t[3];
        }
        int small = 0;
        for (double a : args) if (Math.abs(a) < 3) small++;
        double sink = 0, slow = Double.MAX_VALUE, fast = Double.MAX_VALUE;
        int rounds = 20_000;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < rounds; k++) for (double a : args) sink += Math.tanh(a);
            long t1 = System.nanoTime();
            for (int k = 0; k < rounds; k++) for (double a : args) sink += LocalTanhNet.tanh(a);
            long t2 = System.nanoTime();
            slow = Math.min(slow, (t1 - t0) / (double) rounds / args.length);
            fast = Math.min(fast, (t2 - t1) / (double) rounds / args.length);
        }
        System.out.printf(Locale.ROOT, "tanh on the model's %d pre-activations (%d%% with |u| < 3, the rational branch): Math.tanh %.1f ns, "
                + "model tanh %.1f ns (best of 5; checksum %.3f)%n", args.length, 100 * small / args.length, slow, fast, sink);
    }

    private static void row(String name, double[] x, double[] ratio) {
        double[] s = x.clone();
        Arrays.sort(s);
        String r = "";
        if (ratio != null) {
            double[] q = ratio.clone();
            Arrays.sort(q);
            r = String.format(Locale.ROOT, "%.0f (%.0f–%.0f)", median(ratio), q[0], q[q.length - 1]);
        }
        System.out.printf(Locale.ROOT, "| %s | %.3e | %.3e–%.3e | %s |%n", name, median(x), s[0], s[s.length - 1], r);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    private static String csv(double[] x) {
        StringBuilder b = new StringBuilder();
        for (double v : x) b.append(b.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4e", v));
        return b.toString();
    }
}
