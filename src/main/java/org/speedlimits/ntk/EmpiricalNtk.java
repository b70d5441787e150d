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
 * <p>The trace kernel is built a few outputs at a time, Theta = (1/K) sum_a J_a S J_a^T: a pass over m outputs holds
 * [n, m*P] of Jacobian instead of [n, K*P], with m as large as lets the whole pass fit under the cap. Recomputing an
 * example's backward pass (which the panels below do, ~n/(2p) times) costs far more than repeating its forward pass
 * and im2col once per pass: at C = 128 under a 9000 MB cap, n = 500 takes 3 passes of up to 4 outputs and n = 1250
 * 10 single-output passes, and no Jacobian row is computed twice.
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
        return jacobianBytes(outputs);
    }

    /** Bytes of {@code rows} Jacobian rows (rows x P doubles). */
    private long jacobianBytes(int rows) {
        return 8L * rows * numParams;
    }

    /**
     * Working set of computing one example's Jacobian: its rows plus the back-propagated errors and im2col patches of
     * the largest layer for K rows (measured from the layer shapes of one forward pass).
     */
    long workBytesPerExample(INDArray x) {
        return workBytesPerExample(x, outputs);
    }

    /** The same for {@code rows} Jacobian rows per example (one output or all K). */
    long workBytesPerExample(INDArray x, int rows) {
        List<INDArray> acts = jacobian.network().feedForward(NtkMath.rows(x, 0, 1).castTo(DataType.DOUBLE), false);
        long largest = 0;
        for (INDArray a : acts) {
            largest = Math.max(largest, a.length());
        }
        return jacobianBytes(rows) + 8L * rows * (4 * largest + 2 * 9 * largest);
    }

    /**
     * Chunk and panel sizes in examples, the bytes left for Jacobians once a chunk is being computed, and the
     * examples per off-diagonal block: the rows contracted against a panel at once. A block of one chunk is a
     * matrix-vector-like product that reads the whole panel per chunk (memory-bound: minutes per panel at
     * C = 128); a quarter of the room turns it into a GEMM.
     */
    public record Plan(int chunk, int panel, long freeBytes, int block, int outputsPerPass) {
    }

    /**
     * Chunk and panel sizes for the examples x under the cap, with {@code reservedBytes} held elsewhere (the Gram
     * matrix, a Lanczos basis), or a ConfigException naming the cap.
     */
    public Plan plan(INDArray x, long reservedBytes) {
        return plan(x, reservedBytes, outputs, true);
    }

    /**
     * The plan of {@link #gram}: all K outputs per pass for the full kernel; for the trace kernel the most outputs
     * per pass whose Jacobian for all n examples fits in one panel, or one output per pass in panels if none does.
     */
    Plan gramPlan(INDArray x) {
        long side = side(x.size(0));
        long kernelBytes = 8L * side * side;
        if (kernel == NtkKernel.TRACE) {
            for (int m = outputs; m > 1; m--) {
                Plan p = plan(x, kernelBytes, m, false);
                if (p != null && p.panel() == x.size(0)) {
                    return p;
                }
            }
            return plan(x, kernelBytes, 1, true);
        }
        return plan(x, kernelBytes, outputs, true);
    }

    /** The plan for m Jacobian rows (outputs) per example; if nothing fits, a ConfigException or (orThrow false) null. */
    private Plan plan(INDArray x, long reservedBytes, int rowsPerExample, boolean orThrow) {
        long n = x.size(0);
        long bytesPerExample = jacobianBytes(rowsPerExample);
        long work = workBytesPerExample(x, rowsPerExample);
        int chunk = (int) Math.max(1, Math.min(Math.min(16, n), capBytes / 8 / work));
        long left = capBytes - reservedBytes - chunk * work;
        long room = left <= 0 ? 0 : left / bytesPerExample; // examples of Jacobian that fit
        long extra = room >= n ? 0 : Math.max(0, room / 4 - chunk); // block rows beyond the chunk's own
        long panel = Math.min(n, room - extra);
        if (panel < 1) {
            if (!orThrow) {
                return null;
            }
            throw new ConfigException(String.format(java.util.Locale.ROOT,
                    "ntk.memory_cap_mb = %d is too small for the %s kernel of n = %d examples: it needs %d MB for "
                            + "the kernel and %d MB per example of Jacobian work; raise ntk.memory_cap_mb",
                    capBytes >> 20, kernel.name().toLowerCase(java.util.Locale.ROOT), n, reservedBytes >> 20,
                    (work >> 20) + 1));
        }
        return new Plan(chunk, (int) panel, Math.max(0, left), (int) (chunk + extra), rowsPerExample);
    }

    /** The kernel matrix and the outputs f(x) [n, K] at the network's current parameters. */
    public record Gram(INDArray matrix, INDArray outputs) {
    }

    /**
     * The whole kernel matrix by Jacobian contraction (float64), panel by panel under the memory cap: the full kernel
     * in one pass over all outputs, the trace kernel summed over passes of {@link Plan#outputsPerPass} outputs.
     */
    public Gram gram(INDArray x) {
        int n = (int) x.size(0);
        Plan plan = gramPlan(x);
        long side = side(n);
        INDArray g = Nd4j.create(DataType.DOUBLE, side, side);
        INDArray f = Nd4j.create(DataType.DOUBLE, n, outputs);
        for (int a0 = 0; a0 < outputs; a0 += plan.outputsPerPass()) {
            addPass(g, x, plan, a0, Math.min(outputs, a0 + plan.outputsPerPass()), a0 == 0 ? f : null);
        }
        if (kernel == NtkKernel.TRACE) {
            g.divi(outputs);
        }
        jacobian.releaseBuffers(); // the eigensolver that follows needs the memory
        return new Gram(g, f);
    }

    /**
     * Adds the pass of outputs [from, to) to g: sum over those outputs of J_a S J_a^T (trace kernel) or J S J^T
     * (full kernel, all outputs, row i*K + a), panel by panel: a panel of examples is held while the examples after
     * it stream past in blocks.
     */
    private void addPass(INDArray g, INDArray x, Plan plan, int from, int to, INDArray f) {
        int n = (int) x.size(0);
        int per = kernel == NtkKernel.TRACE ? 1 : outputs; // kernel rows per example
        for (int p0 = 0; p0 < n; p0 += plan.panel()) {
            int p1 = Math.min(n, p0 + plan.panel());
            INDArray panel = contractible(passRows(x, p0, p1, plan.chunk(), f, from, to), p1 - p0);
            addSymmetric(g, p0 * per, panel, plan.chunk() * per);
            for (int b0 = p1; b0 < n; b0 += plan.block()) {
                int b1 = Math.min(n, b0 + plan.block());
                INDArray rows = contractible(passRows(x, b0, b1, plan.chunk(), null, from, to), b1 - b0);
                INDArray block = panel.mmul(rows.transpose());
                add(g, p0 * per, p1 * per, b0 * per, b1 * per, block);
                add(g, b0 * per, b1 * per, p0 * per, p1 * per, block.transpose());
                NetworkJacobian.release(List.of(rows, block));
            }
            NetworkJacobian.release(List.of(panel));
        }
    }

    /** Jacobian rows [examples * m, P] as the kernel's contraction operand: [examples, m*P] (trace) or as is (full). */
    private INDArray contractible(INDArray rows, int examples) {
        return kernel == NtkKernel.TRACE ? rows.reshape(examples, rows.length() / examples) : rows;
    }

    /**
     * Adds A A^T to g's diagonal block at offset (A: [r, w]) from its upper-triangle tiles only: a single GEMM would
     * compute every entry twice, and for one panel of all n examples this product is the whole kernel.
     */
    private static void addSymmetric(INDArray g, long offset, INDArray a, int minTile) {
        long r = a.size(0);
        long tile = Math.max(minTile, (r + 3) / 4);
        for (long i0 = 0; i0 < r; i0 += tile) {
            long i1 = Math.min(r, i0 + tile);
            INDArray ai = NtkMath.rows(a, i0, i1);
            for (long j0 = i0; j0 < r; j0 += tile) {
                long j1 = Math.min(r, j0 + tile);
                INDArray block = ai.mmul(NtkMath.rows(a, j0, j1).transpose());
                add(g, offset + i0, offset + i1, offset + j0, offset + j1, block);
                if (j0 != i0) {
                    add(g, offset + j0, offset + j1, offset + i0, offset + i1, block.transpose());
                }
                NetworkJacobian.release(List.of(block));
            }
        }
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
        return passRows(x, from, to, chunk, f, 0, outputs).reshape(to - from, outputs, numParams);
    }

    /**
     * Scaled Jacobian rows of examples [from, to) for the outputs [a0, a1) as a [(to-from)*(a1-a0), P] matrix, row
     * i*(a1-a0) + j for output a0 + j; fills f's rows when f != null.
     */
    private INDArray passRows(INDArray x, int from, int to, int chunk, INDArray f, int a0, int a1) {
        int per = a1 - a0;
        // uninitialised: NetworkJacobian overwrites every entry (and checks that it did)
        INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, new long[]{(long) (to - from) * per, numParams}, 'c');
        for (int c0 = from; c0 < to; c0 += chunk) {
            int c1 = Math.min(to, c0 + chunk);
            long rows = (long) (c1 - c0) * per;
            // the chunk's rows of out as a [rows, P] view: the Jacobian is written in place, never copied
            INDArray j = Nd4j.create(out.data(), new long[]{rows, numParams}, new long[]{numParams, 1},
                    out.offset() + (long) (c0 - from) * per * numParams, 'c');
            INDArray outputsOfChunk = jacobian.computeInto(NtkMath.rows(x, c0, c1), j, a0, a1);
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

    private static void add(INDArray g, long r0, long r1, long c0, long c1, INDArray block) {
        g.get(NDArrayIndex.interval(r0, r1), NDArrayIndex.interval(c0, c1)).addi(block);
    }
}
