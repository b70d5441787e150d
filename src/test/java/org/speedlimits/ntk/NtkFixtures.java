package org.speedlimits.ntk;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.config.ExperimentConfig.ModelType;
import org.speedlimits.config.ExperimentConfig.Parameterization;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.data.Split;

/** Small float64 networks and generated data shared by the NTK tests. */
final class NtkFixtures {
    private NtkFixtures() {
    }

    static Network myrtle(int width, boolean bias, Parameterization p) {
        return ModelFactory.build(new ExperimentConfig.Model(ModelType.MYRTLE, 5, width, Activation.RELU, p,
                Math.sqrt(2), bias, bias ? 0.3 : 0.0), 11, DataType.DOUBLE);
    }

    static Network fcn(int depth, int width, Activation act, boolean bias, Parameterization p) {
        return ModelFactory.build(new ExperimentConfig.Model(ModelType.FCN, depth, width, act, p,
                1.5, bias, bias ? 0.3 : 0.0), 5, DataType.DOUBLE);
    }

    static Split data(long seed, int n) {
        return org.speedlimits.train.TrainerTest.data(seed, n);
    }

    static INDArray randomDirection(long n, long seed) {
        return NtkMath.unitGaussian((int) n, seed);
    }

    /** f(theta) on x, the network left at its original parameters. */
    static INDArray outputsAt(Network net, INDArray theta, INDArray x) {
        INDArray saved = net.net().params().dup();
        net.net().setParams(theta);
        INDArray f = net.net().output(x, false).dup();
        net.net().setParams(saved);
        return f;
    }

    static double maxAbs(INDArray a) {
        return a.amaxNumber().doubleValue();
    }
}
