package org.speedlimits.ntk;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.ExperimentConfig.Activation;
import org.speedlimits.config.ExperimentConfig.LossNormalization;
import org.speedlimits.config.ExperimentConfig.NtkKernel;
import org.speedlimits.config.ExperimentConfig.Parameterization;
import org.speedlimits.model.Network;
import org.speedlimits.train.Trainer;
import org.speedlimits.data.Split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel against closed forms, an independent VJP route through DL4J's own backprop, and the GD dynamics. */
class EmpiricalNtkTest {
    static final long BIG_CAP = 512L << 20;

    static INDArray gram(Network net, Split s, NtkKernel kernel, long cap) {
        return new EmpiricalNtk(net, kernel, cap).gram(s.x()).matrix();
    }

    static double relError(INDArray a, INDArray b) {
        return NtkFixtures.maxAbs(a.sub(b)) / NtkFixtures.maxAbs(b);
    }

    /**
     * Reference route, independent of NetworkJacobian: each row grad f_a(x_i) is a VJP by DL4J's own batched backprop
     * (calculateGradients with targets f - e_a/2, whose summed squared-error gradient is exactly e_a . df/dtheta),
     * then Theta = G S G^T.
     */
    static INDArray vjpKernel(Network net, Split s) {
        int n = (int) s.size();
        INDArray f = net.net().output(s.x(), false).dup();
        INDArray g = Nd4j.create(DataType.DOUBLE, n * 10L, net.numParams());
        for (int i = 0; i < n; i++) {
            INDArray xi = NtkMath.rows(s.x(), i, i + 1);
            for (int a = 0; a < 10; a++) {
                INDArray target = NtkMath.rows(f, i, i + 1).dup();
                target.putScalar(0, a, target.getDouble(0, a) - 0.5);
                g.putRow(i * 10L + a, net.net().calculateGradients(xi, target, null, null).getFirst().gradient().dup());
            }
        }
        INDArray scale = net.parameterization().lrScale();
        INDArray gs = scale == null ? g : g.mulRowVector(scale.castTo(DataType.DOUBLE));
        return gs.mmul(g.transpose());
    }

    @Test
    void agreesWithTheIndependentVjpRouteTo1e10() {
        Split s = NtkFixtures.data(5, 3);
        for (Network net : new Network[]{NtkFixtures.myrtle(3, true, Parameterization.NTK),
                NtkFixtures.fcn(2, 7, Activation.TANH, true, Parameterization.STANDARD)}) {
            INDArray reference = vjpKernel(net, s);
            INDArray full = gram(net, s, NtkKernel.FULL, BIG_CAP);
            assertTrue(relError(full, reference) <= 1e-10, "full kernel vs VJP route: " + relError(full, reference));
        }
    }

    @Test
    void linearModelKernelIsXXtTimesIdentity() {
        Split s = NtkFixtures.data(6, 5);
        INDArray x = s.x().reshape(5, 3072);
        INDArray xxt = x.mmul(x.transpose());
        for (Parameterization p : Parameterization.values()) {
            Network net = NtkFixtures.fcn(0, 1, Activation.RELU, false, p); // no hidden layer: f = W x
            double scale = p == Parameterization.NTK ? 1.5 * 1.5 / 3072 : 1.0;
            INDArray expected = Nd4j.create(DataType.DOUBLE, 50, 50);
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 5; j++) {
                    for (int a = 0; a < 10; a++) {
                        expected.putScalar(i * 10 + a, j * 10 + a, scale * xxt.getDouble(i, j));
                    }
                }
            }
            assertTrue(relError(gram(net, s, NtkKernel.FULL, BIG_CAP), expected) <= 1e-13, p.name());
            assertTrue(relError(gram(net, s, NtkKernel.TRACE, BIG_CAP), xxt.mul(scale)) <= 1e-13, p.name());
        }
    }

    /**
     * f_a(x) = sum_k V_ka phi(h_k) + c_a, h = W^T x + b: Theta_{ia,jb} = delta_ab (phi(h_i).phi(h_j) + 1)
     * + sum_k V_ka V_kb phi'(h_ik) phi'(h_jk) (x_i.x_j + 1), each term weighted by its block's lrScale.
     */
    @Test
    void oneHiddenLayerMatchesItsClosedForm() {
        Split s = NtkFixtures.data(7, 4);
        for (Parameterization p : Parameterization.values()) {
            Network net = NtkFixtures.fcn(1, 6, Activation.TANH, true, p);
            INDArray w = net.net().getLayer(0).getParam("W");
            INDArray b = net.net().getLayer(0).getParam("b").reshape(1, 6);
            INDArray v = net.net().getLayer(1).getParam("W");
            boolean ntk = p == Parameterization.NTK;
            double sw1 = ntk ? 1.5 * 1.5 / 3072 : 1, sb = ntk ? 0.3 * 0.3 : 1, sw2 = ntk ? 1.5 * 1.5 / 6 : 1;
            INDArray x = s.x().reshape(4, 3072);
            INDArray h = x.mmul(w).addRowVector(b);
            INDArray phi = Transforms.tanh(h, true);
            INDArray dphi = phi.mul(phi).rsubi(1.0);
            INDArray expected = Nd4j.create(DataType.DOUBLE, 40, 40);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    double features = phi.getRow(i).mul(phi.getRow(j)).sumNumber().doubleValue();
                    double inputs = x.getRow(i).mul(x.getRow(j)).sumNumber().doubleValue();
                    for (int a = 0; a < 10; a++) {
                        for (int c = 0; c < 10; c++) {
                            double hidden = v.getColumn(a).mul(v.getColumn(c)).mul(dphi.getRow(i)).mul(dphi.getRow(j))
                                    .sumNumber().doubleValue();
                            double value = hidden * (sw1 * inputs + sb) + (a == c ? sw2 * features + sb : 0);
                            expected.putScalar(i * 10 + a, j * 10 + c, value);
                        }
                    }
                }
            }
            assertTrue(relError(gram(net, s, NtkKernel.FULL, BIG_CAP), expected) <= 1e-12, p.name());
        }
    }

    @Test
    void symmetricPsdTraceIsSumOfJacobianNormsAndTraceKernelIsTheOutputAverage() {
        Split s = NtkFixtures.data(8, 4);
        Network net = NtkFixtures.myrtle(3, true, Parameterization.NTK);
        INDArray full = gram(net, s, NtkKernel.FULL, BIG_CAP);
        INDArray trace = gram(net, s, NtkKernel.TRACE, BIG_CAP);
        assertEquals(0.0, NtkFixtures.maxAbs(full.sub(full.transpose())), 0.0);
        double[] eig = SymmetricEigen.eigh(full.dup()).values();
        assertTrue(eig[eig.length - 1] >= -1e-12 * eig[0], "smallest eigenvalue " + eig[eig.length - 1]);
        // trace(Theta) = sum_i |J_i|^2_S, with the rows from the independent VJP route
        INDArray reference = vjpKernel(net, s);
        double sumNorms = Nd4j.diag(reference).sumNumber().doubleValue();
        assertEquals(sumNorms, Nd4j.diag(full).sumNumber().doubleValue(), 1e-11 * sumNorms);
        INDArray averaged = Nd4j.create(DataType.DOUBLE, 4, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double sum = 0;
                for (int a = 0; a < 10; a++) {
                    sum += full.getDouble(i * 10 + a, j * 10 + a);
                }
                averaged.putScalar(i, j, sum / 10);
            }
        }
        assertTrue(relError(trace, averaged) <= 1e-13);
    }

    @Test
    void panelsUnderASmallCapGiveTheSameKernel() {
        Split s = NtkFixtures.data(9, 7);
        Network net = NtkFixtures.myrtle(2, false, Parameterization.STANDARD);
        EmpiricalNtk small = new EmpiricalNtk(net, NtkKernel.TRACE, 0);
        long work = small.workBytesPerExample(s.x());
        long cap = 8L * 49 + work + 2 * small.jacobianBytesPerExample() + 64; // a chunk of 1 and panels of 2
        EmpiricalNtk tight = new EmpiricalNtk(net, NtkKernel.TRACE, cap);
        assertEquals(2, tight.plan(s.x(), 8L * 49).panel());
        assertEquals(1, tight.plan(s.x(), 8L * 49).block());
        assertTrue(relError(tight.gram(s.x()).matrix(), gram(net, s, NtkKernel.TRACE, BIG_CAP)) <= 1e-13);
        // 12 examples, room for 10: a quarter of it goes to off-diagonal blocks (2 rows), the rest to panels of 9
        Split s12 = NtkFixtures.data(9, 12);
        long jac = small.jacobianBytesPerExample();
        EmpiricalNtk blocked = null;
        EmpiricalNtk.Plan plan = null;
        for (long c = 8L * 144 + work + jac; plan == null || plan.freeBytes() / jac < 10; c += jac / 4) {
            blocked = new EmpiricalNtk(net, NtkKernel.TRACE, c);
            plan = blocked.plan(s12.x(), 8L * 144);
        }
        assertEquals(10, plan.freeBytes() / jac, plan.toString());
        assertEquals(2, plan.block(), plan.toString());
        assertEquals(9, plan.panel(), plan.toString());
        assertTrue(relError(blocked.gram(s12.x()).matrix(), gram(net, s12, NtkKernel.TRACE, BIG_CAP)) <= 1e-13);
        ConfigException e = assertThrows(ConfigException.class,
                () -> new EmpiricalNtk(net, NtkKernel.FULL, 1 << 10).gram(s.x()));
        assertTrue(e.getMessage().contains("ntk.memory_cap_mb = 0"), e.getMessage());
    }

    /**
     * The trace kernel in passes over a few outputs (whole-n panels) and in single-output passes with panels, against
     * the output average of the full kernel (one pass over all outputs: a different contraction).
     */
    @Test
    void traceKernelFromPassesOverOutputsIsTheFullKernelsOutputAverage() {
        Split s = NtkFixtures.data(11, 7);
        Network net = NtkFixtures.myrtle(2, false, Parameterization.STANDARD);
        INDArray full = gram(net, s, NtkKernel.FULL, BIG_CAP);
        INDArray averaged = Nd4j.create(DataType.DOUBLE, 7, 7);
        for (int a = 0; a < 10; a++) {
            averaged.addi(full.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(a, 10, 70),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(a, 10, 70)));
        }
        averaged.divi(10);
        EmpiricalNtk probe = new EmpiricalNtk(net, NtkKernel.TRACE, 0);
        long p = probe.numParams();
        long kernelBytes = 8L * 49;
        // room for all 7 examples' Jacobians of m outputs (plus one example's work), not of m + 1: passes of m
        for (int m : new int[]{10, 4, 3, 1}) {
            long cap = kernelBytes + probe.workBytesPerExample(s.x(), m) + 7L * 8 * m * p + 64;
            EmpiricalNtk ntk = new EmpiricalNtk(net, NtkKernel.TRACE, cap);
            EmpiricalNtk.Plan plan = ntk.gramPlan(s.x());
            assertEquals(m, plan.outputsPerPass(), plan.toString());
            assertEquals(7, plan.panel(), plan.toString());
            assertTrue(relError(ntk.gram(s.x()).matrix(), averaged) <= 1e-13, "passes of " + m + " outputs");
        }
        // room for 3 examples of one output: single-output passes in panels of 3 (7 = 3 + 3 + 1)
        EmpiricalNtk panels = new EmpiricalNtk(net, NtkKernel.TRACE,
                kernelBytes + probe.workBytesPerExample(s.x(), 1) + 3L * 8 * p + 64);
        EmpiricalNtk.Plan plan = panels.gramPlan(s.x());
        assertEquals(1, plan.outputsPerPass(), plan.toString());
        assertEquals(3, plan.panel(), plan.toString());
        assertTrue(relError(panels.gram(s.x()).matrix(), averaged) <= 1e-13, "single-output panels");
        // negative control: the average over the first 9 outputs only is visibly another kernel
        INDArray nine = averaged.mul(10).sub(full.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(9, 10, 70),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(9, 10, 70))).divi(9);
        assertTrue(relError(nine, averaged) > 1e-6, "the control differs by " + relError(nine, averaged));
    }

    /**
     * One GD step of the real trainer moves the outputs by -(eta/n) Theta r + O(eta^2) (mean loss; Theta in the
     * parameterisation's metric): halving eta shrinks the remainder about 4x.
     */
    @Test
    void oneGradientStepIsPredictedByTheKernel() {
        Split s = NtkFixtures.data(10, 6);
        for (Parameterization p : Parameterization.values()) {
            Network net = NtkFixtures.myrtle(3, false, p);
            INDArray theta = net.net().params().dup();
            INDArray f0 = net.net().output(s.x(), false).dup();
            INDArray r = f0.sub(s.y()).reshape(60, 1);
            INDArray predictedPerEta = gram(net, s, NtkKernel.FULL, BIG_CAP).mmul(r).divi(-6.0).reshape(6, 10);
            double[] remainder = new double[2];
            double eta = p == Parameterization.NTK ? 1e-3 : 1e-4;
            for (int h = 0; h < 2; h++, eta /= 2) {
                net.net().setParams(theta.dup());
                Trainer trainer = new Trainer(net, s, s, new ExperimentConfig.Train(1,
                        eta, LossNormalization.MEAN, ExperimentConfig.Precision.FLOAT64, 4, 1, 0, 0, 10, 1e3, ExperimentConfig.GradientEngine.AUTO));
                trainer.step(trainer.evaluateTrainingSet().gradient());
                INDArray df = net.net().output(s.x(), false).sub(f0);
                remainder[h] = NtkFixtures.maxAbs(df.sub(predictedPerEta.mul(eta)));
                assertTrue(remainder[h] < 0.05 * NtkFixtures.maxAbs(df), p + ": prediction off by " + remainder[h]);
            }
            double ratio = remainder[0] / remainder[1];
            assertTrue(ratio > 3.2 && ratio < 4.8, p + ": halving eta shrank the remainder " + ratio + "x");
            net.net().setParams(theta);
        }
    }
}
