package org.speedlimits.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.config.ExperimentConfig.LossNormalization;
import org.speedlimits.config.ExperimentConfig.ModelType;
import org.speedlimits.config.ExperimentConfig.Parameterization;
import org.speedlimits.data.Split;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.model.ParameterBlock;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the trainer against the physics, in float64, with the loss written out independently here:
 * L(theta) = 1/(2n) sum_i |f(x_i) - y_i|^2 (or 1/2 sum for the sum convention) evaluated by plain forward passes.
 */
public class TrainerTest {
    static final int N = 12;

    static Network myrtle(Parameterization p) {
        return ModelFactory.build(new ExperimentConfig.Model(ModelType.MYRTLE, 5, 3, Activation.RELU, p,
                Math.sqrt(2), false, 0.0), 11, DataType.DOUBLE);
    }

    static Network fcn(Parameterization p) {
        return ModelFactory.build(new ExperimentConfig.Model(ModelType.FCN, 2, 8, Activation.TANH, p,
                1.5, true, 0.3), 5, DataType.DOUBLE);
    }

    /** n Gaussian images and one-hot targets (also used by the NTK tests). */
    public static Split data(long seed, int n) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        INDArray x = Nd4j.randn(rng, new long[]{n, 3, 32, 32}).castTo(DataType.DOUBLE);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % 10, 1.0);
        }
        return new Split(x, y);
    }

    static ExperimentConfig.Train train(double lr, int chunk, LossNormalization loss) {
        return new ExperimentConfig.Train(3, lr, loss, ExperimentConfig.Precision.FLOAT64, chunk, 1, 0, 0, 10, 1e3, ExperimentConfig.GradientEngine.AUTO);
    }

    /** Independent loss: forward pass and the formula, nothing from the trainer. */
    static double lossAt(Network net, Split s, INDArray theta, LossNormalization norm) {
        INDArray saved = net.net().params().dup();
        net.net().setParams(theta);
        INDArray diff = net.net().output(s.x(), false).sub(s.y());
        net.net().setParams(saved);
        double sum = diff.mul(diff).sumNumber().doubleValue();
        return norm == LossNormalization.MEAN ? sum / (2.0 * s.size()) : sum / 2.0;
    }

    static double dot(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue();
    }

    /** Per-parameter learning-rate multipliers written out from the blocks: sigma^2/fan_in under NTK, 1 otherwise. */
    static INDArray lrScales(Network net) {
        INDArray s = Nd4j.ones(DataType.DOUBLE, net.numParams());
        if (net.parameterization().kind() == Parameterization.NTK) {
            for (ParameterBlock b : net.blocks()) {
                for (long i = b.offset(); i < b.offset() + b.length(); i++) {
                    s.putScalar(i, b.sigma() * b.sigma() / b.fanIn());
                }
            }
        }
        return s;
    }

    void assertUpdateIsMinusLrGradient(Network net, LossNormalization norm) {
        Split s = data(1, N);
        double lr = 0.05;
        var trainer = new Trainer(net, s, s, train(lr, 5, norm));
        INDArray theta = net.net().params().dup();
        trainer.step(trainer.evaluateTrainingSet().gradient());
        INDArray update = net.net().params().sub(theta);
        // u = -lr * S grad L  <=>  grad L = -S^{-1} u / lr; compare directional derivatives along u and random v
        INDArray impliedGradient = update.div(lrScales(net)).divi(-lr);
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(99);
        List<INDArray> directions = new ArrayList<>(List.of(update.div(update.norm2Number().doubleValue())));
        for (int k = 0; k < 3; k++) {
            INDArray v = Nd4j.randn(rng, new long[]{net.numParams()}).castTo(DataType.DOUBLE);
            directions.add(v.divi(v.norm2Number().doubleValue()));
        }
        double eps = 1e-5;
        for (INDArray v : directions) {
            double fd = (lossAt(net, s, theta.add(v.mul(eps)), norm) - lossAt(net, s, theta.sub(v.mul(eps)), norm)) / (2 * eps);
            double predicted = dot(impliedGradient, v);
            assertEquals(fd, predicted, 1e-6 * Math.max(1e-3, Math.abs(fd)), "directional derivative");
        }
    }

    @Test
    void updateIsMinusLrTimesGradientOfTheMeanLoss() {
        assertUpdateIsMinusLrGradient(myrtle(Parameterization.STANDARD), LossNormalization.MEAN);
    }

    @Test
    void updateIsMinusLrTimesGradientOfTheSumLoss() {
        assertUpdateIsMinusLrGradient(fcn(Parameterization.STANDARD), LossNormalization.SUM);
    }

    @Test
    void ntkParameterisationScalesTheUpdatePerLayer() {
        assertUpdateIsMinusLrGradient(fcn(Parameterization.NTK), LossNormalization.MEAN);
        assertUpdateIsMinusLrGradient(myrtle(Parameterization.NTK), LossNormalization.MEAN);
    }

    @Test
    void reportedLossAndAccuracyMatchAForwardPass() {
        Network net = myrtle(Parameterization.STANDARD);
        Split s = data(2, N);
        var eval = new Trainer(net, s, s, train(0.1, 5, LossNormalization.MEAN)).evaluateTrainingSet();
        assertEquals(lossAt(net, s, net.net().params(), LossNormalization.MEAN), eval.loss(), 1e-12);
        INDArray f = net.net().output(s.x(), false);
        long correct = 0;
        for (int i = 0; i < N; i++) {
            correct += f.getRow(i).argMax().getInt(0) == s.y().getRow(i).argMax().getInt(0) ? 1 : 0;
        }
        assertEquals(correct / (double) N, eval.accuracy(), 0.0);
    }

    @Test
    void chunkedGradientEqualsFullBatchGradient() {
        Network net = myrtle(Parameterization.STANDARD);
        Split s = data(3, N);
        INDArray full = new Trainer(net, s, s, train(0.1, N, LossNormalization.MEAN)).evaluateTrainingSet().gradient();
        INDArray chunked = new Trainer(net, s, s, train(0.1, 5, LossNormalization.MEAN)).evaluateTrainingSet().gradient();
        assertEquals(0.0, full.sub(chunked).norm2Number().doubleValue(), 1e-12 * full.norm2Number().doubleValue());
    }

    /** L_t - L_{t+1} = lr |grad L|^2 + O(lr^2): the residual must shrink ~4x when lr halves. */
    @Test
    void energyIdentityHoldsToSecondOrder() {
        assertEnergyIdentity(Parameterization.STANDARD);
        assertEnergyIdentity(Parameterization.NTK);
    }

    void assertEnergyIdentity(Parameterization parameterization) {
        Split s = data(4, N);
        double[] residual = new double[2];
        double[] lrs = {4e-4, 2e-4};
        for (int k = 0; k < 2; k++) {
            Network net = myrtle(parameterization);
            var trainer = new Trainer(net, s, s, train(lrs[k], N, LossNormalization.MEAN));
            var before = trainer.evaluateTrainingSet();
            double g2 = net.parameterization().gradientNormSquared(before.gradient());
            trainer.step(before.gradient());
            double after = trainer.evaluateTrainingSet().loss();
            residual[k] = before.loss() - after - lrs[k] * g2;
            assertTrue(before.loss() - after > 0, "a small GD step lowers the loss");
        }
        double ratio = residual[0] / residual[1];
        assertTrue(ratio > 3.5 && ratio < 4.5, parameterization + ": residual ratio " + ratio + " should be ~4");
    }

    @Test
    void runRecordsDistanceAndPhysicalTime() {
        Network net = fcn(Parameterization.STANDARD);
        Split s = data(5, N);
        List<EpochRecord> rows = new ArrayList<>();
        INDArray theta0 = net.net().params().dup();
        new Trainer(net, s, s, train(0.05, 5, LossNormalization.MEAN)).run(List.of(c -> rows.add(c.record())));
        assertEquals(4, rows.size()); // epochs 0..3
        EpochRecord last = rows.get(3);
        assertEquals(0.15, last.time(), 1e-15);
        INDArray d = net.net().params().sub(theta0);
        assertEquals(dot(d, d), last.distanceSquaredFromInit(), 1e-12 * dot(d, d));
        assertEquals(0.0, rows.get(0).distanceSquaredFromInit());
        assertTrue(last.trainLoss() < rows.get(0).trainLoss());
        assertTrue(rows.stream().allMatch(EpochRecord::hasTest));
    }

    /**
     * train.engine: the oneDNN gradient pass and DL4J's give the same loss, accuracy, gradient and GD step on a float32
     * Myrtle-5 (chunked, with biases, NTK parameterisation); onednn where it cannot apply is an error naming the key.
     */
    @Test
    void oneDnnAndDl4jEnginesTrainTheSame() {
        org.speedlimits.run.Backend.initialise();
        ExperimentConfig.Model model = new ExperimentConfig.Model(ModelType.MYRTLE, 5, 4, Activation.RELU,
                Parameterization.NTK, Math.sqrt(2), true, 0.2);
        Split d = data(3, 9);
        Split s = new Split(d.x().castTo(DataType.FLOAT), d.y().castTo(DataType.FLOAT));
        List<INDArray> thetas = new ArrayList<>();
        List<org.speedlimits.engine.Evaluation> evals = new ArrayList<>();
        for (ExperimentConfig.GradientEngine engine : List.of(ExperimentConfig.GradientEngine.DL4J,
                ExperimentConfig.GradientEngine.ONEDNN)) {
            Network net = ModelFactory.build(model, 4, DataType.FLOAT);
            var trainer = new Trainer(net, s, s, new ExperimentConfig.Train(3, 0.5,
                    LossNormalization.MEAN, ExperimentConfig.Precision.FLOAT32, 4, 1, 0, 0, 10, 1e3, engine));
            assertEquals(engine.name().toLowerCase(java.util.Locale.ROOT), trainer.engineName());
            org.speedlimits.engine.Evaluation e = trainer.evaluateTrainingSet();
            evals.add(e);
            trainer.step(e.gradient());
            thetas.add(net.net().params().dup());
        }
        org.speedlimits.engine.Evaluation dl4j = evals.get(0);
        org.speedlimits.engine.Evaluation oneDnn = evals.get(1);
        assertEquals(dl4j.loss(), oneDnn.loss(), 1e-5 * dl4j.loss());
        assertEquals(dl4j.accuracy(), oneDnn.accuracy());
        INDArray g = dl4j.gradient().castTo(DataType.DOUBLE);
        assertEquals(0.0, g.sub(oneDnn.gradient().castTo(DataType.DOUBLE)).norm2Number().doubleValue(),
                1e-5 * g.norm2Number().doubleValue());
        assertEquals(0.0, thetas.get(0).sub(thetas.get(1)).norm2Number().doubleValue(),
                1e-5 * thetas.get(0).norm2Number().doubleValue());
        assertTrue(thetas.get(0).sub(myrtleTheta0(model)).norm2Number().doubleValue() > 0, "the step moved theta");

        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Trainer(myrtle(Parameterization.STANDARD), data(1, 2), data(1, 2),
                        new ExperimentConfig.Train(3, 0.1, LossNormalization.MEAN, ExperimentConfig.Precision.FLOAT64,
                                4, 1, 0, 0, 10, 1e3, ExperimentConfig.GradientEngine.ONEDNN)));
        assertTrue(e.getMessage().contains("train.engine") && e.getMessage().contains("float32"), e.getMessage());
        assertEquals("dl4j", new Trainer(myrtle(Parameterization.STANDARD), data(1, 2), data(1, 2),
                train(0.1, 4, LossNormalization.MEAN)).engineName(), "auto falls back to DL4J for float64");
    }

    private static INDArray myrtleTheta0(ExperimentConfig.Model model) {
        return ModelFactory.build(model, 4, DataType.FLOAT).net().params();
    }
}
