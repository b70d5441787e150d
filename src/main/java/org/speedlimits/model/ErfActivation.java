package org.speedlimits.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** erf(z), the activation with a closed-form NTK (Williams 1997); derivative 2/sqrt(pi) exp(-z^2). DL4J has none built in. */
public class ErfActivation extends BaseActivationFunction {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        Nd4j.getExecutioner().exec(new Erf(in, in));
        return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray derivative = Transforms.exp(in.mul(in).negi(), false).muli(TWO_OVER_SQRT_PI);
        return new Pair<>(epsilon.muli(derivative), null);
    }

    @Override
    public String toString() {
        return "erf";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErfActivation;
    }

    @Override
    public int hashCode() {
        return ErfActivation.class.hashCode();
    }
}
