package org.speedlimits.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.run.Backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reusing convolution gives DL4J's own gradients: the same network rebuilt with DL4J's ConvolutionLayer (from
 * the JSON configuration, which also checks that checkpoints round-trip) and the same parameters is the reference.
 */
class ReusingConvolutionLayerTest {

    @ParameterizedTest
    @CsvSource({"org.speedlimits.model.ReluActivation, DOUBLE, true",
            "org.speedlimits.model.ReluActivation, FLOAT, true",
            "org.nd4j.linalg.activations.impl.ActivationReLU, DOUBLE, true", // networks of older checkpoints
            "org.nd4j.linalg.activations.impl.ActivationTanH, DOUBLE, false"})
    void gradientsEqualDl4jConvolution(String activationClass, DataType type, boolean reuses) {
        Backend.initialise(); // oneDNN helpers on, as in training (float only)
        Network ours = ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, 4,
                Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), true, 0.3), 3, type);
        // the convolutions' activation swapped through the JSON configuration (Myrtle-5 itself is ReLU-only)
        String json = ours.net().getLayerWiseConfigurations().toJson()
                .replace(ReluActivation.class.getName(), activationClass);
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        net.init(ours.net().params().dup(), true);
        assertInstanceOf(ReusingConvolutionLayer.class,
                MultiLayerConfiguration.fromJson(json).getConf(0).getLayer(), "JSON round trip keeps the class");
        MultiLayerNetwork reference = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                json.replace(ReusingConvolutionLayer.class.getName(),
                        org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class.getName())));
        reference.init(net.params().dup(), true);
        assertEquals(org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class, reference.getLayer(0).getClass());

        Nd4j.getRandom().setSeed(11);
        INDArray x1 = Nd4j.randn(type, 6, 3, 32, 32);
        INDArray y1 = Nd4j.randn(type, 6, 10);
        INDArray x2 = Nd4j.randn(type, 5, 3, 32, 32);
        INDArray y2 = Nd4j.randn(type, 5, 10);
        double tolerance = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        // gradient, a forward-only pass on other data in between (it must not be mistaken for the training pass),
        // then a gradient on that other data
        assertClose(gradient(reference, x1, y1), gradient(net, x1, y1), tolerance);
        assertClose(reference.output(x2, false), net.output(x2, false), tolerance);
        assertClose(gradient(reference, x2, y2), gradient(net, x2, y2), tolerance);
        assertClose(gradient(reference, x1, y1), gradient(net, x1, y1), tolerance);

        int reused = 0;
        for (Layer l : net.getLayers()) {
            if (l instanceof ReusingConvolutionLayer.Impl impl) {
                reused += impl.reused;
            }
        }
        // 4 convolutions x 3 gradient passes, or none where the activation's derivative needs z
        assertEquals(reuses ? 12 : 0, reused);
    }

    private static INDArray gradient(MultiLayerNetwork net, INDArray x, INDArray y) {
        Gradient g = net.calculateGradients(x, y, null, null).getFirst();
        return g.gradient().dup();
    }

    private static void assertClose(INDArray expected, INDArray actual, double relative) {
        double scale = Math.max(1e-30, expected.norm2Number().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        assertTrue(diff <= relative * scale, "relative difference " + diff / scale + " > " + relative);
    }
}
