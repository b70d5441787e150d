package org.speedlimits.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.config.ExperimentConfig.ModelType;
import org.speedlimits.config.ExperimentConfig.Parameterization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFactoryTest {

    static ExperimentConfig.Model myrtle(int depth, int width) {
        return new ExperimentConfig.Model(ModelType.MYRTLE, depth, width, Activation.RELU, Parameterization.STANDARD,
                Math.sqrt(2), false, 0.0);
    }

    @Test
    void myrtle5ParameterCountIs27CSquaredPlus37C() {
        // independent closed form from the issue: P = 27 C^2 + 37 C; 447,104 at C = 128
        assertEquals(447_104L, 27L * 128 * 128 + 37L * 128);
        for (int c : new int[]{1, 4, 16, 128}) {
            assertEquals(27L * c * c + 37L * c, ModelFactory.myrtleParameterCount(5, c));
        }
        assertEquals(447_104L, ModelFactory.build(myrtle(5, 128), 0, DataType.FLOAT).numParams());
        assertEquals(27L * 16 * 16 + 37 * 16, ModelFactory.build(myrtle(5, 16), 0, DataType.FLOAT).numParams());
    }

    @ParameterizedTest
    @CsvSource({"7, 45", "10, 72"})
    void deeperMyrtlesFollowLayerFactors(int depth, int squareCoefficient) {
        // [2,2,2] -> 6 convs: 27C + 5*9C^2 + 10C ; [3,3,3] -> 9 convs: 27C + 8*9C^2 + 10C
        int c = 8;
        assertEquals((long) squareCoefficient * c * c + 37L * c, ModelFactory.build(myrtle(depth, c), 0, DataType.FLOAT).numParams());
    }

    @Test
    void myrtleMapsImagesToTenOutputs() {
        Network n = ModelFactory.build(myrtle(5, 4), 1, DataType.FLOAT);
        INDArray out = n.net().output(Nd4j.rand(DataType.FLOAT, 3, 3, 32, 32));
        assertArrayEquals(new long[]{3, 10}, out.shape());
    }

    @Test
    void sameSeedGivesBitIdenticalThetaAndOtherSeedDoesNot() {
        // seed 0 (the default) once gave a fresh theta_0 on every build: ND4J's RNG ignores seed 0
        INDArray zero = ModelFactory.build(myrtle(5, 8), 0, DataType.FLOAT).net().params();
        Nd4j.rand(DataType.FLOAT, 100); // other draws in between must not matter
        assertArrayEquals(zero.toFloatVector(), ModelFactory.build(myrtle(5, 8), 0, DataType.FLOAT).net().params().toFloatVector());
        INDArray a = ModelFactory.build(myrtle(5, 8), 42, DataType.FLOAT).net().params();
        INDArray b = ModelFactory.build(myrtle(5, 8), 42, DataType.FLOAT).net().params();
        INDArray c = ModelFactory.build(myrtle(5, 8), 43, DataType.FLOAT).net().params();
        assertArrayEquals(a.toFloatVector(), b.toFloatVector());
        assertNotEquals(a, c);
    }

    @Test
    void weightsHaveVarianceSigmaSquaredOverFanIn() {
        double sigma = 1.3;
        var model = new ExperimentConfig.Model(ModelType.MYRTLE, 5, 64, Activation.RELU, Parameterization.STANDARD,
                sigma, false, 0.0);
        Network n = ModelFactory.build(model, 7, DataType.DOUBLE);
        for (ParameterBlock b : n.blocks()) {
            INDArray w = n.net().params().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(b.offset(), b.offset() + b.length()));
            double var = w.mul(w).meanNumber().doubleValue();
            double expected = sigma * sigma / b.fanIn();
            double stderr = expected * Math.sqrt(2.0 / b.length());
            assertEquals(expected, var, 5 * stderr, b.name());
            assertEquals(0.0, w.meanNumber().doubleValue(), 5 * Math.sqrt(expected / b.length()), b.name());
        }
    }

    @Test
    void blocksTileThetaAndMatchDl4jViews() {
        Network n = ModelFactory.build(myrtle(5, 4), 3, DataType.DOUBLE);
        long next = 0;
        for (ParameterBlock b : n.blocks()) {
            assertEquals(next, b.offset(), b.name());
            next += b.length();
            // writing through the layer's own view must show up at the block's offset in theta
            n.net().getLayer(b.layer()).getParam(b.key()).assign(b.offset() + 0.5);
            assertEquals(b.offset() + 0.5, n.net().params().getDouble(b.offset()), b.name());
            assertEquals(b.offset() + 0.5, n.net().params().getDouble(b.offset() + b.length() - 1), b.name());
        }
        assertEquals(n.numParams(), next);
        assertEquals(5, n.blocks().size()); // 4 convs + readout, no biases
        assertEquals(27, n.blocks().get(0).fanIn());
        assertEquals(36, n.blocks().get(1).fanIn());
        assertEquals(4, n.blocks().get(4).fanIn());
    }

    @Test
    void fcnWithBiasesAndErf() {
        var model = new ExperimentConfig.Model(ModelType.FCN, 2, 16, Activation.ERF, Parameterization.STANDARD,
                1.0, true, 0.1);
        Network n = ModelFactory.build(model, 0, DataType.DOUBLE);
        assertEquals(3072L * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10, n.numParams());
        INDArray out = n.net().output(Nd4j.rand(DataType.DOUBLE, 2, 3, 32, 32));
        assertArrayEquals(new long[]{2, 10}, out.shape());
        assertTrue(n.blocks().stream().anyMatch(ParameterBlock::isBias));
        // biases come from the seed too, and have std sigma_b
        Nd4j.rand(DataType.DOUBLE, 10);
        assertEquals(n.net().params(), ModelFactory.build(model, 0, DataType.DOUBLE).net().params());
        INDArray b = n.net().getLayer(0).getParam("b");
        assertTrue(b.stdNumber().doubleValue() > 0.05 && b.stdNumber().doubleValue() < 0.2, "bias std " + b.stdNumber());
    }
}
