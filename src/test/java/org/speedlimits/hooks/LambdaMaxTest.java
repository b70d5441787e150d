package org.speedlimits.hooks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.linreg.SymEigen;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.train.GradientDescentTrainer;
import org.speedlimits.train.Split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Power iteration against a dense Hessian. Inputs are zero except a few pixels, so only the weights touching them
 * (and the readout) have non-zero gradient and Hessian entries: the dense Hessian of that small block, built column
 * by column from central differences of the gradient and diagonalised by an independent Jacobi solver, has the same
 * top eigenvalue as the full Hessian.
 */
class LambdaMaxTest {

    @ParameterizedTest
    @EnumSource(ExperimentConfig.Parameterization.class)
    void powerIterationMatchesTheDenseHessian(ExperimentConfig.Parameterization parameterization) {
        Network net = ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.FCN, 1, 3,
                ExperimentConfig.Activation.TANH, parameterization, 1.3, true, 0.5), 3, DataType.DOUBLE);
        int n = 5;
        INDArray x = Nd4j.zeros(DataType.DOUBLE, n, 3, 32, 32);
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            for (int pixel : new int[]{5, 40, 700}) {
                x.putScalar(new long[]{i, pixel % 3, pixel / 96 % 32, pixel % 32}, r.nextGaussian() * 3);
            }
        }
        INDArray y = Nd4j.rand(DataType.DOUBLE, n, 10);
        var config = new ExperimentConfig.Train(1, 0.1, ExperimentConfig.LossNormalization.MEAN,
                ExperimentConfig.Precision.FLOAT64, n, 1, 0, 0, 10, 1e3);
        GradientDescentTrainer trainer = new GradientDescentTrainer(net, new Split(x, y), new Split(x, y), config);
        INDArray theta = net.net().params();
        INDArray g0 = trainer.evaluateTrainingSet().gradient();

        // parameters with a non-zero gradient somewhere near theta
        INDArray saved = theta.dup();
        List<Integer> active = new ArrayList<>();
        theta.addi(Nd4j.rand(DataType.DOUBLE, theta.length()).muli(0.1));
        double[] g1 = trainer.evaluateTrainingSet().gradient().toDoubleVector();
        double[] g0v = g0.toDoubleVector();
        theta.assign(saved);
        for (int i = 0; i < g1.length; i++) {
            if (g0v[i] != 0 || g1[i] != 0) {
                active.add(i);
            }
        }
        INDArray s = net.parameterization().lrScale();
        int m = active.size();
        double[][] h = new double[m][m];
        double eps = 1e-5;
        for (int j = 0; j < m; j++) {
            int pj = active.get(j);
            double sj = s == null ? 1 : Math.sqrt(s.getDouble(pj));
            theta.putScalar(pj, saved.getDouble(pj) + eps * sj);
            double[] plus = trainer.evaluateTrainingSet().gradient().toDoubleVector();
            theta.putScalar(pj, saved.getDouble(pj) - eps * sj);
            double[] minus = trainer.evaluateTrainingSet().gradient().toDoubleVector();
            theta.putScalar(pj, saved.getDouble(pj));
            for (int i = 0; i < m; i++) {
                int pi = active.get(i);
                double si = s == null ? 1 : Math.sqrt(s.getDouble(pi));
                h[i][j] = si * (plus[pi] - minus[pi]) / (2 * eps);
            }
        }
        for (int i = 0; i < m; i++) { // symmetrise the finite-difference noise away
            for (int j = 0; j < i; j++) {
                h[i][j] = h[j][i] = 0.5 * (h[i][j] + h[j][i]);
            }
        }
        double[] eigenvalues = SymEigen.of(h).values;
        double dominant = Arrays.stream(eigenvalues).boxed().max((a, b) -> Double.compare(Math.abs(a), Math.abs(b))).orElseThrow();

        double estimate = LambdaMax.estimate(theta, s, 400, 11, () -> trainer.evaluateTrainingSet().gradient());
        assertEquals(dominant, estimate, 1e-4 * Math.abs(dominant), "active parameters: " + m);
        assertEquals(saved, theta, "theta restored exactly");
    }
}
