package org.speedlimits.ntk;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ExperimentConfig.NtkKernel;
import org.speedlimits.model.Network;

import java.util.List;

/**
 * The empirical NTK of a float64 network on a set of inputs, in the metric of its parameterisation:
 * Theta_{ia,jb} = J_ia S J_jb^T with J_ia = d f_a(x_i)/d theta and S the per-parameter learning-rate multipliers
 * ({@link org.speedlimits.model.Parameterization#lrScale}; 1 for standard), so that gradient flow moves the outputs
 * by df/dt = -Theta dL/df. Two forms: {@code full} (nK x nK, row i*K + a) and {@code trace}
 * (n x n, (1/K) sum_a Theta_{ia,ja}, neural-tangents' convention).
 *
 * <p>Memory: rows of J (scaled by sqrt S) are computed in chunks by {@link NetworkJacobian} and contracted by GEMM
 * into the Gram matrix panel by panel: a panel of p examples' Jacobians is held while the examples after it stream
 * past in chunks, so the peak is Gram + panel + one chunk's working set, all under the cap. When every Jacobian fits,
 * there is a single panel and each Jacobian is computed once; otherwise the later examples are recomputed once per
 * panel (about n/p passes over half the data).
 */
public final class EmpiricalNtk {
    private final NetworkJacobian jacobian;
    private final INDArray sqrtScale;
    private final NtkKernel kernel;
    private final long capBytes;
    private final int outputs;
    private final long numParams;

    public EmpiricalNtk(Network network, NtkKernel kernel, long capBytes) {
        this.jacobian = new NetworkJacobian(network);
        INDArray s = network.parameterization().lrScale();
        this.sqrtScale = s == null ? null : Transforms.sqrt(s.castTo(DataType.DOUBLE), true);
        this.kernel = kernel;
        this.capBytes = capBytes;
        this.outputs = jacobian.outputs();
        this.numParams = jacobian.numParams();
    }

    public NtkKernel kernel() {
        return kernel;
    }

    public long numParams() {
        return numParams;
    }

    public int outputs() {
        return outputs;
    }

    /** Side of the kernel matrix for n examples: n (trace) or nK (full). */
    public long side(long n) {
        return kernel == NtkKernel.TRACE ? n : n * outputs;
    }

    /** Bytes of one example's Jacobian rows (K x P doubles). */
    long jacobianBytesPerExample() {
        return 8L * outputs * numParams;
    }

    /**
     * Working set of computing one example's Jacobian: its rows plus the back-propagated errors and im2col patches of
     * the largest layer for K rows (measured from the layer shapes of one forward pass).
     */
    long workBytesPerExample(INDArray x) {
        List<INDArray> acts = jacobian.network().feedForward(NtkMath.rows(x, 0, 1).castTo(DataType.DOUBLE), false);
        long largest = 0;
        for (INDArray a : acts) {
            largest = Math.max(largest, a.length());
        }
        return jacobianBytesPerExample() + 8L * outputs * (4 * largest + 2 * 9 * largest);
    }

    /**
     * Chunk and panel sizes in examples, the bytes left for Jacobians once a chunk is being computed, and the
     * examples per off-diagonal block: the rows contracted against a panel at once. A block of one chunk is a
     * matrix-vector-like product that reads the whole panel per chunk (memory-bound: minutes per panel at
     * C = 128); a quarter of the room turns it into a GEMM.
     */
    public record Plan(int chunk, int panel, long freeBytes, int block) {
    }

    /**
     * Chunk and panel sizes for the examples x under the cap, with {@code reservedBytes} held elsewhere (the Gram
     * matrix, a Lanczos basis), or a ConfigException naming the cap.
     */
    public Plan plan(INDArray x, long reservedBytes) {
        long n = x.size(0);
        long work = workBytesPerExample(x);
        int chunk = (int) Math.max(1, Math.min(Math.min(16, n), capBytes / 8 / work));
        long left = capBytes - reservedBytes - chunk * work;
        long room = left <= 0 ? 0 : left / jacobianBytesPerExample(); // examples of Jacobian that fit
        long extra = room >= n ? 0 : Math.max(0, room / 4 - chunk); // block rows beyond the chunk's own
        long panel = Math.min(n, room - extra);
        if (panel < 1) {
            throw new ConfigException(String.format(java.util.Locale.ROOT,
                    "ntk.memory_cap_mb = %d is too small for the %s kernel of n = %d examples: it needs %d MB for "
                            + "the kernel and %d MB per example of Jacobian work; raise ntk.memory_cap_mb",
                    capBytes >> 20, kernel.name().toLowerCase(java.util.Locale.ROOT), n, reservedBytes >> 20,
                    (work >> 20) + 1));
        }
        return new Plan(chunk, (int) panel, Math.max(0, left), (int) (chunk + extra));
    }

    /** The kernel matrix and the outputs f(x) [n, K] at the network's current parameters. */
    public record Gram(INDArray matrix, INDArray outputs) {
    }

    /** The whole kernel matrix by Jacobian contraction (float64), panel by panel under the memory cap. */
    public Gram gram(INDArray x) {
        int n = (int) x.size(0);
        Plan plan = plan(x, 8L * side(n) * side(n));
        int per = kernel == NtkKernel.TRACE ? 1 : outputs;
        INDArray g = Nd4j.create(DataType.DOUBLE, (long) n * per, (long) n * per);
        INDArray f = Nd4j.create(DataType.DOUBLE, n, outputs);
        for (int a0 = 0; a0 < n; a0 += plan.panel()) {
            int a1 = Math.min(n, a0 + plan.panel());
            INDArray panel = jacobianRows(x, a0, a1, plan.chunk(), f);
            INDArray diagonal = contract(panel, panel);
            assign(g, a0 * per, a1 * per, a0 * per, a1 * per, diagonal);
            NetworkJacobian.release(List.of(diagonal));
            for (int b0 = a1; b0 < n; b0 += plan.block()) {
                int b1 = Math.min(n, b0 + plan.block());
                INDArray rows = jacobianRows(x, b0, b1, plan.chunk(), null);
                INDArray block = contract(panel, rows);
                assign(g, a0 * per, a1 * per, b0 * per, b1 * per, block);
                assign(g, b0 * per, b1 * per, a0 * per, a1 * per, block.transpose());
                NetworkJacobian.release(List.of(rows, block));
            }
            NetworkJacobian.release(List.of(panel));
        }
        jacobian.releaseBuffers(); // the eigensolver that follows needs the memory
        return new Gram(g, f);
    }

    /** Frees the Jacobian's reusable work buffers (they are reallocated if more Jacobian rows are computed). */
    public void releaseBuffers() {
        jacobian.releaseBuffers();
    }

    /**
     * Trace-kernel product Theta v for v of length n, never forming Theta: (1/K) sum_a J_a S J_a^T v, from the cached
     * scaled Jacobian [n, K*P] if given, else recomputed chunk by chunk (two passes over the data).
     */
    public INDArray traceKernelProduct(INDArray x, INDArray v, INDArray cachedJacobian, int chunk) {
        int n = (int) x.size(0);
        INDArray col = v.reshape(n, 1).castTo(DataType.DOUBLE);
        if (cachedJacobian != null) {
            INDArray w = cachedJacobian.transpose().mmul(col);
            return cachedJacobian.mmul(w).divi(outputs).reshape(n);
        }
        INDArray w = Nd4j.create(DataType.DOUBLE, (long) outputs * numParams, 1);
        for (int b0 = 0; b0 < n; b0 += chunk) {
            int b1 = Math.min(n, b0 + chunk);
            INDArray rows = jacobianRows(x, b0, b1, chunk, null);
            w.addi(rows.reshape(b1 - b0, (long) outputs * numParams).transpose().mmul(NtkMath.rows(col, b0, b1)));
            NetworkJacobian.release(List.of(rows));
        }
        INDArray out = Nd4j.create(DataType.DOUBLE, n, 1);
        for (int b0 = 0; b0 < n; b0 += chunk) {
            int b1 = Math.min(n, b0 + chunk);
            INDArray rows = jacobianRows(x, b0, b1, chunk, null);
            NtkMath.rows(out, b0, b1).assign(rows.reshape(b1 - b0, (long) outputs * numParams).mmul(w));
            NetworkJacobian.release(List.of(rows));
        }
        return out.divi(outputs).reshape(n);
    }

    /** Scaled Jacobian rows J S^{1/2} of examples [from, to) as [to-from, K, P]; fills f's rows when f != null. */
    public INDArray jacobianRows(INDArray x, int from, int to, int chunk, INDArray f) {
        // uninitialised: NetworkJacobian overwrites every entry (and checks that it did)
        INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, new long[]{to - from, outputs, numParams}, 'c');
        for (int c0 = from; c0 < to; c0 += chunk) {
            int c1 = Math.min(to, c0 + chunk);
            long rows = (long) (c1 - c0) * outputs;
            // the chunk's rows of out as a [rows, P] view: the Jacobian is written in place, never copied
            INDArray j = Nd4j.create(out.data(), new long[]{rows, numParams}, new long[]{numParams, 1},
                    out.offset() + (long) (c0 - from) * outputs * numParams, 'c');
            INDArray outputsOfChunk = jacobian.computeInto(NtkMath.rows(x, c0, c1), j);
            if (sqrtScale != null) {
                j.muliRowVector(sqrtScale);
            }
            if (f != null) {
                NtkMath.rows(f, c0, c1).assign(outputsOfChunk);
            }
            NetworkJacobian.release(List.of(outputsOfChunk));
        }
        return out;
    }

    /** J_A S J_B^T for two blocks of scaled Jacobian rows, in this kernel's form. */
    private INDArray contract(INDArray a, INDArray b) {
        if (kernel == NtkKernel.TRACE) {
            long width = (long) outputs * numParams;
            return a.reshape(a.size(0), width).mmul(b.reshape(b.size(0), width).transpose()).divi(outputs);
        }
        return a.reshape(a.size(0) * outputs, numParams).mmul(b.reshape(b.size(0) * outputs, numParams).transpose());
    }

    private static void assign(INDArray g, long r0, long r1, long c0, long c1, INDArray block) {
        g.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.interval(c0, c1)).assign(block);
    }
}
