package org.speedlimits.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.data.Split;
import org.speedlimits.model.CudaLibraries;
import org.speedlimits.model.CudnnMyrtleGradient;
import org.speedlimits.model.Network;
import org.speedlimits.model.SquaredErrorLoss;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Myrtle gradient on an NVIDIA GPU ({@link CudnnMyrtleGradient}): the split's images stay on the device, theta
 * goes up and the gradient comes back each evaluation, so everything else stays on the host.
 */
public final class CudnnEngine implements GradientEngine {
    private final Network network;
    private final SquaredErrorLoss loss;
    private final int chunkSize;
    private final boolean tf32;
    private final CudnnMyrtleGradient cudnn;

    CudnnEngine(Network network, SquaredErrorLoss loss, int chunkSize, boolean tf32, CudnnMyrtleGradient cudnn) {
        this.network = network;
        this.loss = loss;
        this.chunkSize = chunkSize;
        this.tf32 = tf32;
        this.cudnn = cudnn;
    }

    @Override
    public String name() {
        return "cudnn";
    }

    @Override
    public Evaluation evaluate(INDArray theta, Split split) {
        Parameters.load(network.net(), theta);
        INDArray gradient = Nd4j.create(DataType.FLOAT, network.net().params().shape());
        CudnnMyrtleGradient.Result r = cudnn.compute(split.x(), split.y(), chunkSize, gradient);
        double c = loss.factor(split.size());
        return new Evaluation(c * r.squaredError(), r.correct() / (double) split.size(), gradient.muli(c));
    }

    @Override
    public Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>(CudaLibraries.status().description());
        env.put("tf32", tf32);
        return env;
    }

    @Override
    public void close() {
        cudnn.close();
    }
}
