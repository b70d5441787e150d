package org.speedlimits.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.data.Split;
import org.speedlimits.model.Network;
import org.speedlimits.model.OneDnnMyrtleGradient;
import org.speedlimits.model.SquaredErrorLoss;

/** The Myrtle gradient on oneDNN primitives ({@link OneDnnMyrtleGradient}): float32 Myrtle networks on the CPU. */
public final class OneDnnEngine implements GradientEngine {
    private final Network network;
    private final SquaredErrorLoss loss;
    private final int chunkSize;
    private final OneDnnMyrtleGradient oneDnn;

    OneDnnEngine(Network network, SquaredErrorLoss loss, int chunkSize, OneDnnMyrtleGradient oneDnn) {
        this.network = network;
        this.loss = loss;
        this.chunkSize = chunkSize;
        this.oneDnn = oneDnn;
    }

    @Override
    public String name() {
        return "onednn";
    }

    @Override
    public Evaluation evaluate(INDArray theta, Split split) {
        Parameters.load(network.net(), theta);
        INDArray gradient = Nd4j.create(DataType.FLOAT, network.net().params().shape());
        OneDnnMyrtleGradient.Result r = oneDnn.compute(split.x(), split.y(), chunkSize, gradient);
        double c = loss.factor(split.size());
        return new Evaluation(c * r.squaredError(), r.correct() / (double) split.size(), gradient.muli(c));
    }

    @Override
    public void close() {
        oneDnn.close();
    }
}
