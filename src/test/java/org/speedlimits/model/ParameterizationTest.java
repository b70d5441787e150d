package org.speedlimits.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.config.ExperimentConfig;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Distances and gradient norms against sums written out element by element here (double loops over Java arrays):
 * whole vectors, row vectors, views at an offset (the per-layer distances), f-ordered arrays, both precisions, and
 * the NTK metric.
 */
class ParameterizationTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void distancesAndNormsEqualElementwiseSums(DataType type) {
        Network net = ModelFactory.build(new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, 3,
                ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.NTK, 1.3, true, 0.4), 2, type);
        Parameterization p = net.parameterization();
        int n = (int) net.numParams();
        SplittableRandom rng = new SplittableRandom(9);
        double[] a = rng.doubles(n, -1, 1).toArray();
        double[] b = rng.doubles(n, -1, 1).toArray();
        INDArray rowA = Nd4j.createFromArray(a).castTo(type).reshape(1, n); // theta's shape in DL4J
        INDArray rowB = Nd4j.createFromArray(b).castTo(type).reshape(1, n);
        double[] weight = new double[n];
        double[] lr = new double[n];
        for (ParameterBlock block : net.blocks()) {
            for (long i = block.offset(); i < block.offset() + block.length(); i++) {
                weight[(int) i] = Parameterization.metricWeight(ExperimentConfig.Parameterization.NTK, block);
                lr[(int) i] = Parameterization.ntkScale(block);
            }
        }
        double tol = 1e-12;
        double expected = 0;
        double expectedNorm = 0;
        for (int i = 0; i < n; i++) {
            double x = (float) a[i];
            double y = (float) b[i];
            if (type == DataType.DOUBLE) {
                x = a[i];
                y = b[i];
            }
            expected += weight[i] * (x - y) * (x - y);
            expectedNorm += (type == DataType.FLOAT ? (double) (float) lr[i] : lr[i]) * x * x;
        }
        assertEquals(expected, p.distanceSquared(rowA, rowB), tol * expected);
        assertEquals(expected, p.distanceSquared(rowA.reshape(n), rowB.dup('f')), tol * expected, "f-ordered copy");
        assertEquals(expectedNorm, p.gradientNormSquared(rowA), tol * expectedNorm);

        for (ParameterBlock block : net.blocks()) { // views at an offset, as LayerDistances reads them
            var slice = NDArrayIndex.interval(block.offset(), block.offset() + block.length());
            double blockSum = 0;
            for (long i = block.offset(); i < block.offset() + block.length(); i++) {
                double x = rowA.getDouble(i);
                double y = rowB.getDouble(i);
                blockSum += (x - y) * (x - y);
            }
            double w = Parameterization.metricWeight(ExperimentConfig.Parameterization.NTK, block);
            assertEquals(w * blockSum, p.distanceSquared(rowA.reshape(n).get(slice), rowB.reshape(n).get(slice), block),
                    tol * Math.max(1e-300, w * blockSum), block.name());
        }
        // a strided view (every other element) takes the general path
        INDArray strided = rowA.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 2, n));
        double stridedSum = 0;
        for (int i = 0; i < n; i += 2) {
            stridedSum += rowA.getDouble(i) * rowA.getDouble(i);
        }
        assertEquals(stridedSum, Parameterization.weightedSquaredSum(strided, null, null), tol * stridedSum);
    }
}
