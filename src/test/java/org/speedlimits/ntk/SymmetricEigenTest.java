package org.speedlimits.ntk;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.NtkKernel;
import org.speedlimits.config.ExperimentConfig.Parameterization;
import org.speedlimits.model.Network;
import org.speedlimits.data.Split;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** eigh residuals and orthonormality, Lanczos against eigh, kernel-vector products, overlap identities. */
class SymmetricEigenTest {

    static INDArray randomPsd(int n, long seed, double decay) {
        INDArray q = Nd4j.create(DataType.DOUBLE, n, n);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q.putScalar(i, j, rng.nextGaussian());
            }
        }
        INDArray basis = SymmetricEigen.eigh(q.add(q.transpose())).vectors(); // a random orthonormal basis
        INDArray lambda = Nd4j.create(DataType.DOUBLE, n);
        for (int i = 0; i < n; i++) {
            lambda.putScalar(i, Math.pow(decay, i));
        }
        return basis.mulRowVector(lambda).mmul(basis.transpose());
    }

    static void assertEigenpairs(INDArray a, SymmetricEigen.Eigenpairs e) {
        INDArray v = e.vectors();
        INDArray av = a.mmul(v);
        INDArray vl = v.mulRowVector(Nd4j.createFromArray(e.values()));
        double norm = a.norm2Number().doubleValue();
        assertTrue(av.sub(vl).norm2Number().doubleValue() <= 1e-10 * norm, "|AV - V Lambda| too large");
        int m = (int) v.size(1);
        double orth = NtkFixtures.maxAbs(v.transpose().mmul(v).sub(Nd4j.eye(m).castTo(DataType.DOUBLE)));
        assertTrue(orth <= 1e-12, "V^T V - I: " + orth);
        for (int k = 1; k < e.values().length; k++) {
            assertTrue(e.values()[k - 1] >= e.values()[k], "not descending at " + k);
        }
    }

    @Test
    void eighResidualAndOrthonormality() {
        INDArray a = randomPsd(150, 3, 0.93);
        assertEigenpairs(a, SymmetricEigen.eigh(a.dup()));
        Split s = NtkFixtures.data(11, 9);
        INDArray theta = new EmpiricalNtk(NtkFixtures.myrtle(3, true, Parameterization.NTK), NtkKernel.FULL, 1L << 29)
                .gram(s.x()).matrix();
        assertEigenpairs(theta, SymmetricEigen.eigh(theta.dup()));
    }

    @Test
    void lanczosTopKMatchesEigh() {
        INDArray a = randomPsd(300, 4, 0.8);
        SymmetricEigen.Eigenpairs all = SymmetricEigen.eigh(a.dup());
        SymmetricEigen.Eigenpairs top = SymmetricEigen.lanczos(v -> a.mmul(v.reshape(300, 1)), 300, 6, 60, 1);
        for (int k = 0; k < 6; k++) {
            assertEquals(all.values()[k], top.values()[k], 1e-12 * all.values()[0]);
            double cos = Math.abs(all.vectors().getColumn(k).mul(top.vectors().getColumn(k)).sumNumber().doubleValue());
            assertEquals(1.0, cos, 1e-9);
        }
        assertEigenpairs(a, top);
    }

    @Test
    void traceKernelProductsMatchTheGram() {
        Split s = NtkFixtures.data(12, 5);
        Network net = NtkFixtures.myrtle(2, true, Parameterization.NTK);
        EmpiricalNtk ntk = new EmpiricalNtk(net, NtkKernel.TRACE, 1L << 29);
        INDArray gram = ntk.gram(s.x()).matrix();
        INDArray v = NtkFixtures.randomDirection(5, 5);
        INDArray expected = gram.mmul(v.reshape(5, 1)).reshape(5);
        INDArray cached = ntk.jacobianRows(s.x(), 0, 5, 3, null).reshape(5, 10 * net.numParams());
        for (INDArray got : List.of(ntk.traceKernelProduct(s.x(), v, cached, 3), ntk.traceKernelProduct(s.x(), v, null, 3))) {
            assertTrue(NtkFixtures.maxAbs(got.sub(expected)) <= 1e-12 * NtkFixtures.maxAbs(expected));
        }
    }

    static ExperimentConfig.Ntk options(NtkKernel kernel, int denseMax, int topK) {
        return new ExperimentConfig.Ntk(List.of("0"), kernel, 512, true, topK, denseMax);
    }

    /** Overlaps sum to 1 over all eigenpairs, and sum_k lambda_k proj2_k = sum_a r_a^T Theta r_a (no V involved). */
    @Test
    void overlapsAreACompleteDecompositionOfTheResidue() {
        Split s = NtkFixtures.data(13, 8);
        Network net = NtkFixtures.myrtle(3, false, Parameterization.STANDARD);
        for (NtkKernel kernel : NtkKernel.values()) {
            NtkAnalysis.Result r = NtkAnalysis.compute(net, s, options(kernel, 5000, 10), 1);
            INDArray table = NtkFiles.table(r);
            assertEquals(1.0, table.getDouble(table.rows() - 1, 3), 1e-12);
            INDArray res = net.net().output(s.x(), false).sub(s.y());
            assertEquals(res.mul(res).sumNumber().doubleValue(), r.residueNorm2(), 1e-12 * r.residueNorm2());
            INDArray gram = new EmpiricalNtk(net, kernel, 1L << 29).gram(s.x()).matrix();
            INDArray cols = kernel == NtkKernel.TRACE ? res : res.reshape(80, 1);
            double quadratic = cols.mul(gram.mmul(cols)).sumNumber().doubleValue();
            double spectral = 0;
            for (int k = 0; k < r.eigenvalues().length; k++) {
                spectral += r.eigenvalues()[k] * r.proj2()[k];
            }
            assertEquals(quadratic, spectral, 1e-10 * Math.abs(quadratic));
            assertEquals(Nd4j.diag(gram).sumNumber().doubleValue(), r.trace(), 1e-12 * r.trace());
        }
    }

    @Test
    void lanczosPathAgreesWithTheDensePathOnTheTopEigenpairs() {
        Split s = NtkFixtures.data(14, 20);
        Network net = NtkFixtures.myrtle(2, false, Parameterization.STANDARD);
        NtkAnalysis.Result dense = NtkAnalysis.compute(net, s, options(NtkKernel.TRACE, 5000, 3), 1);
        NtkAnalysis.Result lanczos = NtkAnalysis.compute(net, s, options(NtkKernel.TRACE, 10, 3), 1);
        assertEquals(3, lanczos.eigenvalues().length);
        for (int k = 0; k < 3; k++) {
            assertEquals(dense.eigenvalues()[k], lanczos.eigenvalues()[k], 1e-10 * dense.eigenvalues()[0]);
            assertEquals(dense.proj2()[k], lanczos.proj2()[k], 1e-8 * dense.residueNorm2());
        }
        assertEquals(dense.trace(), lanczos.trace(), 1e-12 * dense.trace());
    }
}
