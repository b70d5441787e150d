package org.speedlimits.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's ConvolutionLayer, except that the backward pass does not run the forward convolution a second time.
 * <p>
 * Why: DL4J M2.1's ConvolutionLayer.backpropGradient recomputes the pre-activation z (a full oneDNN convolution
 * plus its layout reorders) only to pass it to the activation's backprop. For ReLU that derivative, 1[z > 0], equals
 * 1[a > 0] with a = relu(z) the layer's output from the forward pass of the same gradient computation, and the
 * identity's derivative needs neither; so the backward pass is handed that output instead (oneDNN verbose: 8 forward
 * convolutions per gradient pass of Myrtle-5 become 4). Other activations (tanh, erf) need z and recompute it as
 * before. The output is only reused when the layer's input is still the very array of that forward pass.
 * ReusingConvolutionLayerTest checks that gradients equal DL4J's.
 */
public class ReusingConvolutionLayer extends ConvolutionLayer {

    public ReusingConvolutionLayer() {
        // for DL4J's JSON (checkpoints)
    }

    private ReusingConvolutionLayer(Builder builder) {
        super(builder);
    }

    /** Whether the layer output can stand in for z in this activation's backprop. */
    static boolean outputDeterminesDerivative(IActivation activation) {
        return ReluActivation.isRelu(activation) || activation instanceof ActivationIdentity;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        // as ConvolutionLayer.instantiate, with this layer's implementation
        LayerValidation.assertNInNOutSet("ConvolutionLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        Impl layer = new Impl(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    /** ConvolutionLayer.Builder building this class. */
    public static class Builder extends ConvolutionLayer.Builder {
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        @Override
        @SuppressWarnings("unchecked")
        public ReusingConvolutionLayer build() {
            super.build(); // DL4J's validation of kernel, stride, padding and mode
            return new ReusingConvolutionLayer(this);
        }
    }

    /** The layer implementation: remembers its training-mode output for the backward pass that follows. */
    static final class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        private INDArray forwardInput;
        private INDArray forwardOutput;
        /** Backward passes that reused the forward output (for tests). */
        int reused;

        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray out = super.activate(training, workspaceMgr);
            boolean reusable = training && outputDeterminesDerivative(layerConf().getActivationFn());
            forwardInput = reusable ? input : null;
            forwardOutput = reusable ? out : null;
            return out;
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                                                       LayerWorkspaceMgr workspaceMgr) {
            if (forBackprop && forwardOutput != null && input != null && input == forwardInput
                    && !forwardOutput.wasClosed()) {
                reused++;
                return new Pair<>(forwardOutput, null); // backpropGradient uses only the first element
            }
            return super.preOutput4d(training, forBackprop, workspaceMgr);
        }

        @Override
        public void clear() {
            super.clear();
            forwardInput = null;
            forwardOutput = null;
        }
    }
}
