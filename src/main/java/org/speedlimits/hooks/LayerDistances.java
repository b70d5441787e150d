package org.speedlimits.hooks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.model.Network;
import org.speedlimits.model.ParameterBlock;
import org.speedlimits.model.Parameterization;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.Measure;

import java.util.List;

/** Per-parameter-array breakdown of |theta_t - theta_0|^2: column {@code dist2_init.<block name>}; they sum to dist2_init. */
public final class LayerDistances implements Measure {
    private final List<ParameterBlock> blocks;
    private final Parameterization metric;
    private final INDArray theta0;

    public LayerDistances(Network network, INDArray theta0) {
        this.blocks = network.blocks();
        this.metric = network.parameterization();
        this.theta0 = theta0;
    }

    @Override
    public List<String> columns() {
        return blocks.stream().map(b -> "dist2_init." + b.name()).toList();
    }

    @Override
    public double[] measure(EpochContext c) {
        double[] out = new double[blocks.size()];
        for (int i = 0; i < out.length; i++) {
            ParameterBlock b = blocks.get(i);
            var slice = NDArrayIndex.interval(b.offset(), b.offset() + b.length());
            out[i] = metric.distanceSquared(c.theta().get(slice), theta0.get(slice), b);
        }
        return out;
    }
}
