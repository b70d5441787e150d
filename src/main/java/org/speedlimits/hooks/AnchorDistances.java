package org.speedlimits.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.model.Parameterization;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.Measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;

/**
 * |theta_t - theta_s|^2 for every anchor epoch s > 0 (s = 0 is metrics.csv's dist2_init), in the parameterisation's
 * metric: column {@code dist2_anchor_<s>}, empty before s. Each theta_s is kept once in memory (and checkpointed, so
 * a resumed run reloads it); this makes the warm-start inefficiency computable for any warm-start epoch chosen later.
 */
public final class AnchorDistances implements Measure {
    private final NavigableSet<Long> anchors;
    private final Parameterization metric;
    private final TreeMap<Long, INDArray> thetas = new TreeMap<>();

    public AnchorDistances(NavigableSet<Long> anchorEpochs, Parameterization metric) {
        this.anchors = anchorEpochs.tailSet(1L, true);
        this.metric = metric;
    }

    public static String column(long anchor) {
        return "dist2_anchor_" + anchor;
    }

    @Override
    public List<String> columns() {
        List<String> names = new ArrayList<>();
        anchors.forEach(a -> names.add(column(a)));
        return names;
    }

    /** Supplies theta_s of an anchor already passed (when resuming from a later checkpoint). */
    public void putAnchor(long epoch, INDArray theta) {
        thetas.put(epoch, theta);
    }

    public NavigableSet<Long> anchors() {
        return anchors;
    }

    @Override
    public double[] measure(EpochContext c) {
        if (anchors.contains(c.epoch())) {
            thetas.put(c.epoch(), c.theta().dup());
        }
        double[] out = new double[anchors.size()];
        int i = 0;
        for (long a : anchors) {
            INDArray anchor = thetas.get(a);
            out[i++] = a > c.epoch() ? Double.NaN : metric.distanceSquared(c.theta(), anchor);
        }
        return out;
    }

    @Override
    public Map<String, Double> stateAt(long epoch) {
        return Map.of();
    }
}
