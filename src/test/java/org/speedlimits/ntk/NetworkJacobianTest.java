package org.speedlimits.ntk;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.config.ExperimentConfig.Parameterization;
import org.speedlimits.model.Network;
import org.speedlimits.data.Split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batched per-example Jacobian against central finite differences of the network's own forward pass. */
class NetworkJacobianTest {

    /** J v for random unit v against (f(theta + eps v) - f(theta - eps v)) / (2 eps), all examples and outputs. */
    static void assertJvMatchesFiniteDifferences(Network net, Split data, long seed) {
        NetworkJacobian.Chunk chunk = new NetworkJacobian(net).compute(data.x());
        INDArray theta = net.net().params().dup();
        long n = data.size();
        for (int trial = 0; trial < 2; trial++) {
            INDArray v = NtkFixtures.randomDirection(theta.length(), seed + trial);
            INDArray jv = chunk.jacobian().reshape(n * 10, theta.length()).mmul(v.reshape(-1, 1)).reshape(n, 10);
            double eps = 1e-5;
            INDArray plus = NtkFixtures.outputsAt(net, theta.add(v.mul(eps)), data.x());
            INDArray minus = NtkFixtures.outputsAt(net, theta.sub(v.mul(eps)), data.x());
            INDArray fd = plus.sub(minus).divi(2 * eps);
            double err = NtkFixtures.maxAbs(jv.sub(fd));
            double scale = NtkFixtures.maxAbs(fd);
            assertTrue(err <= 1e-6 * scale, "J v vs finite differences: max error " + err + " at scale " + scale);
        }
        assertArrayEquals(net.net().output(data.x(), false).data().asDouble(), chunk.outputs().data().asDouble(), 1e-12);
    }

    @Test
    void myrtleJacobianMatchesFiniteDifferences() {
        assertJvMatchesFiniteDifferences(NtkFixtures.myrtle(3, true, Parameterization.STANDARD), NtkFixtures.data(1, 4), 7);
    }

    @Test
    void fcnJacobianMatchesFiniteDifferences() {
        assertJvMatchesFiniteDifferences(NtkFixtures.fcn(2, 6, Activation.TANH, true, Parameterization.STANDARD),
                NtkFixtures.data(2, 5), 9);
        assertJvMatchesFiniteDifferences(NtkFixtures.fcn(1, 5, Activation.ERF, false, Parameterization.STANDARD),
                NtkFixtures.data(3, 3), 10);
    }

    @Test
    void chunksGiveTheSameRowsAsOneBatch() {
        Network net = NtkFixtures.myrtle(2, false, Parameterization.STANDARD);
        Split data = NtkFixtures.data(4, 5);
        NetworkJacobian jac = new NetworkJacobian(net);
        INDArray all = jac.compute(data.x()).jacobian();
        INDArray first = jac.compute(data.x().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2))).jacobian();
        INDArray rest = jac.compute(data.x().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5))).jacobian();
        assertTrue(NtkFixtures.maxAbs(Nd4j.concat(0, first, rest).sub(all)) <= 1e-14 * NtkFixtures.maxAbs(all));
    }

    @Test
    void aRangeOfOutputsGivesThoseRowsOfTheFullJacobian() {
        Network net = NtkFixtures.myrtle(2, true, Parameterization.STANDARD);
        Split data = NtkFixtures.data(5, 3);
        NetworkJacobian jac = new NetworkJacobian(net);
        long p = jac.numParams();
        INDArray all = jac.compute(data.x()).jacobian(); // [3, 10, P]
        for (int[] range : new int[][]{{0, 1}, {3, 7}, {9, 10}, {0, 10}}) {
            int m = range[1] - range[0];
            INDArray part = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3L * m, p);
            jac.computeInto(data.x(), part, range[0], range[1]);
            INDArray expected = all.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(range[0], range[1]),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).dup().reshape(3L * m, p);
            assertTrue(NtkFixtures.maxAbs(part.sub(expected)) <= 1e-14 * NtkFixtures.maxAbs(all),
                    "outputs " + range[0] + ".." + range[1]);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> jac.computeInto(data.x(), Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3, p), 4, 4));
        // a destination of the wrong shape is refused, not partly written
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> jac.computeInto(data.x(), Nd4j.create(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 6, p), 0, 1));
    }
}
