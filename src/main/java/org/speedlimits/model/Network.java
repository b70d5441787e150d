package org.speedlimits.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;

/** A built model: the DL4J network, where each parameter array sits in theta, and the parameter-space geometry. */
public record Network(MultiLayerNetwork net, List<ParameterBlock> blocks, Parameterization parameterization) {
    public long numParams() {
        return net.numParams();
    }

    /** The output layer's loss, which also reports loss and accuracy of the last backward pass. */
    public ObservedSquaredError observedLoss() {
        var out = (org.deeplearning4j.nn.conf.layers.BaseOutputLayer) net.getOutputLayer().conf().getLayer();
        return (ObservedSquaredError) out.getLossFn();
    }
}
