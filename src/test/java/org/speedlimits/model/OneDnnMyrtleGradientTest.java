package org.speedlimits.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.run.Backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN gradient against an independent implementation: DL4J's own layers on the same network and parameters
 * in float64 (calculateGradients, the summed L2 loss). Every parameter block is compared on its own, so a layout
 * mistake in a small block (a bias, the readout) cannot hide behind the large convolution kernels.
 */
class OneDnnMyrtleGradientTest {

    private static Network myrtle(int depth, int width, boolean bias, Activation activation, DataType type) {
        return ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, depth, width,
                activation, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), bias, 0.3), 5, type);
    }

    @ParameterizedTest
    @CsvSource({"5, 4, true, 7, 3", "5, 6, false, 5, 5", "7, 3, true, 4, 1000", "10, 2, false, 3, 2",
            "5, 64, true, 3, 2"}) // width 64: oneDNN chooses the algorithm (Winograd on AVX-512)
    void gradientAndLossEqualDl4jInDoublePrecision(int depth, int width, boolean bias, int n, int chunk) {
        Backend.initialise();
        Network network = myrtle(depth, width, bias, Activation.RELU, DataType.FLOAT);
        Network reference = myrtle(depth, width, bias, Activation.RELU, DataType.DOUBLE);
        reference.net().setParams(network.net().params().castTo(DataType.DOUBLE));

        Nd4j.getRandom().setSeed(17);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, 32, 32);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, (i * 7) % 10, 1f);
        }
        INDArray y = labels.sub(0.1); // targets as in training: one-hot minus the mean

        INDArray gradient = Nd4j.create(DataType.FLOAT, network.numParams());
        gradient.assign(Double.NaN); // every element must be written
        try (OneDnnMyrtleGradient engine = new OneDnnMyrtleGradient(network.net())) {
            // the second call reuses the primitives and must overwrite; the third rebuilds them for one chunk
            for (int repeat = 0; repeat < 3; repeat++) {
                OneDnnMyrtleGradient.Result r = engine.compute(x, y, repeat < 2 ? chunk : n, gradient);

                INDArray expected = reference.net().calculateGradients(x.castTo(DataType.DOUBLE),
                        y.castTo(DataType.DOUBLE), null, null).getFirst().gradient();
                for (ParameterBlock b : network.blocks()) {
                    var rows = NDArrayIndex.interval(b.offset(), b.offset() + b.length());
                    assertClose(expected.get(rows), gradient.get(rows), 2e-5, b.name());
                }
                INDArray f = reference.net().output(x.castTo(DataType.DOUBLE), false);
                INDArray d = f.sub(y.castTo(DataType.DOUBLE));
                double squaredError = d.mul(d).sumNumber().doubleValue();
                assertEquals(squaredError, r.squaredError(), 2e-5 * squaredError, "S = sum |f - y|^2");
                long correct = f.argMax(1).eq(labels.argMax(1)).castTo(DataType.LONG).sumNumber().longValue();
                assertEquals(correct, r.correct());
            }
        }
    }

    @Test
    void namesWhatItCannotCompute() {
        Backend.initialise();
        assertNull(OneDnnMyrtleGradient.unsupportedReason(myrtle(5, 2, true, Activation.RELU, DataType.FLOAT).net()));
        // Myrtle is ReLU-only in ModelFactory; swap the activation through the JSON configuration
        String json = myrtle(5, 2, true, Activation.RELU, DataType.FLOAT).net().getLayerWiseConfigurations().toJson()
                .replace(ReluActivation.class.getName(), "org.nd4j.linalg.activations.impl.ActivationTanH");
        MultiLayerNetwork tanh = new MultiLayerNetwork(
                org.deeplearning4j.nn.conf.MultiLayerConfiguration.fromJson(json));
        tanh.init();
        assertTrue(OneDnnMyrtleGradient.unsupportedReason(tanh).contains("not ReLU"),
                OneDnnMyrtleGradient.unsupportedReason(tanh));
        MultiLayerNetwork doubles = myrtle(5, 2, true, Activation.RELU, DataType.DOUBLE).net();
        assertTrue(OneDnnMyrtleGradient.unsupportedReason(doubles).contains("float32"));
        ExperimentConfig.Model fcn = new ExperimentConfig.Model(ExperimentConfig.ModelType.FCN, 2, 8,
                Activation.RELU, ExperimentConfig.Parameterization.STANDARD, 1.0, true, 0.0);
        String why = OneDnnMyrtleGradient.unsupportedReason(ModelFactory.build(fcn, 1, DataType.FLOAT).net());
        assertNotNull(why);
        MultiLayerNetwork mse = new MultiLayerNetwork(org.deeplearning4j.nn.conf.MultiLayerConfiguration.fromJson(
                json.replace("org.nd4j.linalg.activations.impl.ActivationTanH", ReluActivation.class.getName())
                        .replace(ObservedSquaredError.class.getName(), "org.nd4j.linalg.lossfunctions.impl.LossMSE")));
        mse.init();
        assertTrue(OneDnnMyrtleGradient.unsupportedReason(mse).contains("summed L2"),
                "LossMSE (a LossL2 subclass, divided by K) is not the summed squared error");
        try (OneDnnMyrtleGradient engine = new OneDnnMyrtleGradient(myrtle(5, 2, false, Activation.RELU,
                DataType.FLOAT).net())) {
            INDArray g = Nd4j.create(DataType.FLOAT, engine.numParams());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> engine.compute(
                    Nd4j.create(DataType.FLOAT, 2, 3, 16, 16), Nd4j.create(DataType.FLOAT, 2, 10), 2, g));
            assertTrue(shape.getMessage().contains("[2, 3, 16, 16]"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> engine.compute(Nd4j.create(DataType.FLOAT, 2, 3, 32, 32),
                    Nd4j.create(DataType.FLOAT, 2, 10), 2, Nd4j.create(DataType.FLOAT, 5)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OneDnnMyrtleGradient(tanh));
        assertTrue(e.getMessage().contains("not ReLU"), e.getMessage());
    }

    private static void assertClose(INDArray expected, INDArray actual, double relative, String what) {
        double scale = Math.max(1e-30, expected.norm2Number().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        assertTrue(diff <= relative * scale, what + ": relative difference " + diff / scale + " > " + relative);
    }
}
