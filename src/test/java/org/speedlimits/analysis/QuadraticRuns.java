package org.speedlimits.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A flow run and a GD run on the quadratic L = ½ Σ_k λ_k θ_k², written from closed forms: flow θ_k(t) = θ_k(0) e^{-λ_k t},
 * GD θ_k = θ_k(0) (1 − ηλ_k)^j at t = jη (every step to 40 steps, λ_max measured at t = 0); the flow at every half GD step,
 * so that half its rows are at times GD never visits.
 */
public final class QuadraticRuns {
    private QuadraticRuns() {}

    public static final double[] LAMBDA = {40.0, 3.0};
    static final double[] THETA0 = {0.6, -1.1};
    static final double ETA = 1e-3;

    static double loss(double[] th) {
        double l = 0;
        for (int k = 0; k < th.length; k++) l += 0.5 * LAMBDA[k] * th[k] * th[k];
        return l;
    }

    static double dist2(double[] th) {
        double d = 0;
        for (int k = 0; k < th.length; k++) d += (th[k] - THETA0[k]) * (th[k] - THETA0[k]);
        return d;
    }

    static double[] flow(double t) {
        double[] th = new double[LAMBDA.length];
        for (int k = 0; k < th.length; k++) th[k] = THETA0[k] * Math.exp(-LAMBDA[k] * t);
        return th;
    }

    static double[] gd(long steps) {
        double[] th = new double[LAMBDA.length];
        for (int k = 0; k < th.length; k++) th[k] = THETA0[k] * Math.pow(1 - ETA * LAMBDA[k], steps);
        return th;
    }

    /** |dθ/dt| of the flow, integrated by Simpson's rule (the path length of a smooth curve). */
    static double flowLength(double t) {
        int m = 2000;
        double h = t / m, s = 0;
        for (int i = 0; i <= m; i++) {
            double[] th = flow(i * h);
            double v = 0;
            for (int k = 0; k < th.length; k++) v += Math.pow(LAMBDA[k] * th[k], 2);
            s += Math.sqrt(v) * (i == 0 || i == m ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return s * h / 3;
    }

    static Path run(Path tmp, String name, String dynamics, String seed, String rows) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("config.yaml"), "seed: " + seed + "\ndata:\n  n_train: 4\nmodel:\n  type: quadratic\n"
                + "train:\n  loss: mean\n  dynamics: " + dynamics + "\n  lr: " + ETA + "\n");
        Files.writeString(dir.resolve("status.json"), "{\"state\": \"done\"}");
        Files.writeString(dir.resolve("metrics.csv"), "epoch,time,train_loss,test_acc,dist2_init,path_length,lambda_max\n" + rows);
        return dir;
    }

    static String row(long epoch, double t, double[] th, double length, double lambdaMax) {
        return String.format(Locale.ROOT, "%d,%.17g,%.17g,0.1,%.17g,%.17g,%s%n", epoch, t, loss(th), dist2(th), length,
                Double.isNaN(lambdaMax) ? "" : Double.toString(lambdaMax));
    }

    /** Both runs under {@code tmp}, compared with the flow as the reference. */
    public static RunComparison comparison(Path tmp) throws Exception {
        StringBuilder g = new StringBuilder(), f = new StringBuilder();
        double length = 0;
        for (long j = 0; j <= 40; j++) {
            if (j > 0) {
                double[] prev = gd(j - 1);
                double step = 0;
                for (int k = 0; k < prev.length; k++) step += Math.pow(ETA * LAMBDA[k] * prev[k], 2);
                length += Math.sqrt(step);
            }
            g.append(row(j, j * ETA, gd(j), length, j == 0 ? LAMBDA[0] : Double.NaN));
        }
        for (long j = 0; j <= 80; j++) {
            double t = j * ETA / 2; // odd j: times GD never visits, must not be matched
            f.append(row(j, t, flow(t), flowLength(t), Double.NaN));
        }
        return RunComparison.of(List.of(RunData.load(run(tmp, "flow", "flow", "0", f.toString())),
                RunData.load(run(tmp, "gd", "gd", "0", g.toString()))), Double.POSITIVE_INFINITY);
    }

}
