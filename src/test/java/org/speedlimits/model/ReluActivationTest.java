package org.speedlimits.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fast ReLU is the same function as DL4J's ActivationReLU, forward and backward, including at z = 0. */
class ReluActivationTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void matchesDl4jReluIncludingExactZeros(DataType type) {
        Nd4j.getRandom().setSeed(7);
        INDArray z = Nd4j.randn(type, 4, 3, 5, 5);
        z.putScalar(new long[]{0, 0, 0, 0}, 0.0);
        z.putScalar(new long[]{1, 2, 3, 4}, -0.0);
        z.putScalar(new long[]{2, 1, 1, 1}, Double.MIN_VALUE);
        INDArray eps = Nd4j.randn(type, 4, 3, 5, 5);

        INDArray oursOut = new ReluActivation().getActivation(z.dup(), true);
        INDArray dl4jOut = new ActivationReLU().getActivation(z.dup(), true);
        assertEquals(dl4jOut, oursOut);

        INDArray zForOurs = z.dup();
        Pair<INDArray, INDArray> ours = new ReluActivation().backprop(zForOurs, eps.dup());
        Pair<INDArray, INDArray> dl4j = new ActivationReLU().backprop(z.dup(), eps.dup());
        assertEquals(dl4j.getFirst(), ours.getFirst());
        assertEquals(z, zForOurs, "backprop must not change the pre-activation");

        // and against the definition, element by element
        double[] zs = z.dup().data().asDouble();
        double[] es = eps.dup().data().asDouble();
        double[] gs = ours.getFirst().dup().data().asDouble();
        for (int i = 0; i < zs.length; i++) {
            assertEquals(zs[i] > 0 ? es[i] : 0.0, gs[i], 0.0, "element " + i + " z=" + zs[i]);
        }
    }
}
