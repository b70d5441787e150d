package org.speedlimits.ntk;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.config.NtkBudget;
import org.speedlimits.config.ExperimentConfig.NtkKernel;
import org.speedlimits.model.Network;
import org.speedlimits.engine.NativeAllocator;
import org.speedlimits.data.Split;

import java.util.Locale;

/**
 * Spectrum of the empirical NTK at the network's current parameters and the overlaps of the residue r = f(X) - Y
 * with its eigenvectors: proj2_k = sum_a (v_k^T r_a)^2 (trace kernel; r_a = residue column of output a) or
 * (v_k^T r)^2 (full kernel, r flattened example-major), overlap_k = proj2_k / |r|^2. At epoch 0 proj2_k is the
 * Delta_k^2 of the NTK theory of the speed limit. All eigenpairs by {@link SymmetricEigen#eigh} (LAPACK dsytrd + dstedc) up to {@code ntk.dense_max}; above it
 * the top {@code ntk.top_k} of the trace kernel by Lanczos on kernel-vector products.
 */
public final class NtkAnalysis {

    /** What was computed at one theta. eigenvalues descending; eigenvectors [side, m] or null. */
    public record Result(NtkKernel kernel, int n, int outputs, double trace, double[] eigenvalues, double[] proj2,
                         double residueNorm2, INDArray eigenvectors, boolean allEigenpairs) {
        public double overlap(int k) {
            return residueNorm2 == 0 ? 0 : proj2[k] / residueNorm2;
        }
    }

    private NtkAnalysis() {
    }

    /** Bytes the dense path needs for a kernel of this side: the Gram matrix and {@link SymmetricEigen#eigh}'s workspace. */
    public static long denseBytes(long side) {
        return NtkBudget.denseBytes(side);
    }

    /**
     * Checks that the NTK settings can work for n training examples with K outputs (before any training starts);
     * the check itself is {@link NtkBudget#checkFeasible}, which the config validation runs too.
     */
    public static void checkFeasible(ExperimentConfig.Ntk o, long n, int outputs, String source) {
        NtkBudget.checkFeasible(o, n, outputs, source);
    }

    /** The spectrum and residue overlaps of a float64 network on the training split. */
    public static Result compute(Network net64, Split train, ExperimentConfig.Ntk o, long seed) {
        NativeAllocator.releaseFreedMemory(); // training's retained memory goes back before the NTK's large buffers
        int n = (int) train.size();
        EmpiricalNtk ntk = new EmpiricalNtk(net64, o.kernel(), o.memoryCapMb() << 20);
        int k = ntk.outputs();
        long side = ntk.side(n);
        checkFeasible(o, n, k, "ntk");
        INDArray x = NtkMath.toDouble(train.x());
        INDArray y = NtkMath.toDouble(train.y());
        SymmetricEigen.Eigenpairs eig;
        INDArray f;
        double trace;
        if (side <= o.denseMax()) {
            EmpiricalNtk.Gram g = ntk.gram(x);
            f = g.outputs();
            trace = Nd4j.diag(g.matrix()).sumNumber().doubleValue();
            eig = SymmetricEigen.eigh(g.matrix());
        } else {
            // trace kernel, top-k by Lanczos; the scaled Jacobian is cached when it fits under the cap
            int steps = Math.max(2 * o.topK(), o.topK() + 50);
            EmpiricalNtk.Plan plan = ntk.plan(x, 8L * (steps + 2) * n);
            long cacheBytes = (long) n * ntk.jacobianBytesPerExample();
            INDArray cached = cacheBytes <= plan.freeBytes() ? ntk.jacobianRows(x, 0, n, plan.chunk(), null)
                    .reshape(n, (long) k * ntk.numParams()) : null;
            f = forward(net64, x, plan.chunk());
            trace = cached != null ? cached.mul(cached).sumNumber().doubleValue() / k : traceByPasses(ntk, x, n, plan.chunk());
            eig = SymmetricEigen.lanczos(v -> ntk.traceKernelProduct(x, v, cached, plan.chunk()), n, o.topK(), steps, seed);
            ntk.releaseBuffers();
        }
        INDArray r = f.sub(y);
        double norm2 = r.mul(r).sumNumber().doubleValue();
        INDArray rCols = o.kernel() == NtkKernel.TRACE ? r : r.reshape(side, 1);
        INDArray proj = eig.vectors().transpose().mmul(rCols); // [m, K] or [m, 1]
        double[] proj2 = proj.mul(proj).sum(1).toDoubleVector();
        return new Result(o.kernel(), n, k, trace, eig.values(), proj2, norm2, o.eigenvectors() ? eig.vectors() : null,
                side <= o.denseMax());
    }

    private static INDArray forward(Network net, INDArray x, int chunk) {
        int n = (int) x.size(0);
        INDArray f = null;
        for (int c0 = 0; c0 < n; c0 += chunk) {
            INDArray part = net.net().output(NtkMath.rows(x, c0, Math.min(n, c0 + chunk)), false);
            f = f == null ? part.dup() : Nd4j.concat(0, f, part);
        }
        return f;
    }

    private static double traceByPasses(EmpiricalNtk ntk, INDArray x, int n, int chunk) {
        double sum = 0;
        for (int c0 = 0; c0 < n; c0 += chunk) {
            INDArray j = ntk.jacobianRows(x, c0, Math.min(n, c0 + chunk), chunk, null);
            sum += j.mul(j).sumNumber().doubleValue();
        }
        return sum / ntk.outputs();
    }
}
