package org.speedlimits.analysis;

import java.util.List;

/** Mean and sample standard deviation across seeds, element-wise; NaN where any seed is NaN. */
public record SeedStats(double[] mean, double[] std) {

    public static SeedStats of(List<double[]> perSeed) {
        int len = perSeed.get(0).length;
        double[] mean = new double[len], std = new double[len];
        for (int i = 0; i < len; i++) {
            double s = 0;
            boolean missing = false;
            for (double[] v : perSeed) {
                missing |= Double.isNaN(v[i]);
                s += v[i];
            }
            if (missing) {
                mean[i] = std[i] = Double.NaN;
                continue;
            }
            mean[i] = s / perSeed.size();
            double ss = 0;
            for (double[] v : perSeed) ss += (v[i] - mean[i]) * (v[i] - mean[i]);
            std[i] = perSeed.size() > 1 ? Math.sqrt(ss / (perSeed.size() - 1)) : 0;
        }
        return new SeedStats(mean, std);
    }

    public double lastMean() {
        return mean[mean.length - 1];
    }

    public double lastStd() {
        return std[std.length - 1];
    }

    /** Mean and std of scalars (NaNs dropped); {NaN, NaN} if none. */
    public static double[] scalar(List<Double> values) {
        double[] v = values.stream().filter(d -> !Double.isNaN(d)).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) return new double[]{Double.NaN, Double.NaN};
        double m = java.util.Arrays.stream(v).average().orElseThrow();
        double ss = java.util.Arrays.stream(v).map(x -> (x - m) * (x - m)).sum();
        return new double[]{m, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0};
    }
}
