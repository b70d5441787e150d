package org.speedlimits.engine;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.data.Split;
import org.speedlimits.model.Network;
import org.speedlimits.model.ObservedSquaredError;
import org.speedlimits.model.SquaredErrorLoss;

/**
 * The gradient through DL4J's own layers: any network ModelFactory builds, float32 or float64, on whatever ND4J
 * backend is loaded. Examples go in chunks of {@code chunkSize} to bound memory; the loss is a sum over examples, so
 * summing the chunk gradients gives exactly the full-batch gradient.
 */
public final class Dl4jEngine implements GradientEngine {
    private final Network network;
    private final SquaredErrorLoss loss;
    private final int chunkSize;

    public Dl4jEngine(Network network, SquaredErrorLoss loss, int chunkSize) {
        this.network = network;
        this.loss = loss;
        this.chunkSize = chunkSize;
    }

    @Override
    public String name() {
        return "dl4j";
    }

    @Override
    public Evaluation evaluate(INDArray theta, Split split) {
        MultiLayerNetwork net = network.net();
        Parameters.load(net, theta);
        ObservedSquaredError observed = network.observedLoss();
        observed.reset();
        INDArray sum = null;
        for (long start = 0; start < split.size(); start += chunkSize) {
            INDArrayIndex rows = NDArrayIndex.interval(start, Math.min(split.size(), start + chunkSize));
            Gradient g = net.calculateGradients(rowsOf(split.x(), rows), rowsOf(split.y(), rows), null, null).getFirst();
            INDArray flat = g.gradient();
            sum = sum == null ? flat.dup() : sum.addi(flat);
        }
        double c = loss.factor(split.size());
        return new Evaluation(c * observed.squaredError(), observed.correct() / (double) split.size(), sum.muli(c));
    }

    /** Rows {@code rows} of a (rank >= 2) array, as a view. */
    public static INDArray rowsOf(INDArray a, INDArrayIndex rows) {
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        index[0] = rows;
        for (int i = 1; i < index.length; i++) {
            index[i] = NDArrayIndex.all();
        }
        return a.get(index);
    }
}
