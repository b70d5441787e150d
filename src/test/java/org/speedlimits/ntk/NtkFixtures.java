package org.speedlimits.ntk;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.config.ExperimentConfig.ModelType;
import org.speedlimits.config.ExperimentConfig.Parameterization;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.train.Split;

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
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        INDArray x = Nd4j.randn(rng, new long[]{n, 3, 32, 32}).castTo(DataType.DOUBLE);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % 10, 1.0);
        }
        return new Split(x, y);
    }

    static INDArray randomDirection(long n, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian();
        }
        INDArray d = Nd4j.createFromArray(v);
        return d.divi(d.norm2Number());
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
