package org.speedlimits.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.io.EpochCsv;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.EpochListener;
import org.speedlimits.train.EpochSchedule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * triplets.csv (paper Fig. 1c): the values of K random triplets of parameters at the recorded epochs. Columns
 * {@code epoch, t<k>_<index>} for triplet k = 1..K and the parameter's index in theta; indices are distinct and drawn
 * from the run's seed, so every run of a sweep with the same seed follows the same weights.
 */
public final class WeightTriplets implements EpochListener {
    private final long[] indices;
    private final EpochSchedule schedule;
    private final EpochCsv csv;

    private WeightTriplets(long[] indices, EpochSchedule schedule, EpochCsv csv) {
        this.indices = indices;
        this.schedule = schedule;
        this.csv = csv;
    }

    /** 3K distinct indices in [0, numParams) from the seed (all of them when theta is smaller). */
    public static long[] chooseIndices(long seed, int triplets, long numParams) {
        int count = (int) Math.min(3L * triplets, numParams - numParams % 3);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x7E1F1E75L);
        java.util.LinkedHashSet<Long> chosen = new java.util.LinkedHashSet<>();
        while (chosen.size() < count) {
            chosen.add(rng.nextLong(numParams));
        }
        return chosen.stream().mapToLong(Long::longValue).toArray();
    }

    public static String header(long[] indices) {
        List<String> columns = new ArrayList<>(List.of("epoch"));
        for (int i = 0; i < indices.length; i++) {
            columns.add("t" + (i / 3 + 1) + "_" + indices[i]);
        }
        return String.join(",", columns);
    }

    public static WeightTriplets open(Path file, long seed, int triplets, long numParams, EpochSchedule schedule,
                                      long fromEpoch) {
        long[] indices = chooseIndices(seed, triplets, numParams);
        String header = header(indices);
        return new WeightTriplets(indices, schedule,
                fromEpoch == 0 ? EpochCsv.create(file, header) : EpochCsv.resume(file, header, fromEpoch));
    }

    @Override
    public void onEpoch(EpochContext c) {
        if (!schedule.contains(c.epoch())) {
            return;
        }
        INDArray theta = c.theta();
        double[] values = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = theta.getDouble(indices[i]);
        }
        csv.row(c.epoch(), values);
    }

    @Override
    public void onEnd(EpochContext last) {
        csv.close();
    }
}
