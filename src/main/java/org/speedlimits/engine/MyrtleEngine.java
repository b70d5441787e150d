package org.speedlimits.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.data.Split;
import org.speedlimits.model.MyrtleGradient;
import org.speedlimits.model.Network;
import org.speedlimits.model.SquaredErrorLoss;

import java.util.Map;

/**
 * The Myrtle gradient on a vendor's primitives ({@link MyrtleGradient}: oneDNN on the CPU, cuDNN on a GPU). theta is
 * loaded into the network for the layer parameters' views; the pass writes S and grad S, scaled here to the run's
 * loss convention.
 */
final class MyrtleEngine implements GradientEngine {
    private final String name;
    private final Network network;
    private final SquaredErrorLoss loss;
    private final int chunkSize;
    private final MyrtleGradient pass;

    MyrtleEngine(String name, Network network, SquaredErrorLoss loss, int chunkSize, MyrtleGradient pass) {
        this.name = name;
        this.network = network;
        this.loss = loss;
        this.chunkSize = chunkSize;
        this.pass = pass;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Evaluation evaluate(INDArray theta, Split split) {
        Parameters.load(network.net(), theta);
        INDArray gradient = Nd4j.create(DataType.FLOAT, network.net().params().shape());
        MyrtleGradient.Result r = pass.compute(split.x(), split.y(), chunkSize, gradient);
        double c = loss.factor(split.size());
        return new Evaluation(c * r.squaredError(), r.correct() / (double) split.size(), gradient.muli(c));
    }

    @Override
    public Map<String, Object> environment() {
        return pass.environment();
    }

    @Override
    public void close() {
        pass.close();
    }
}
