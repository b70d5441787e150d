package org.speedlimits.ntk;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.model.Network;
import org.speedlimits.model.ParameterBlock;
import org.speedlimits.engine.NativeAllocator;

import java.util.List;

/**
 * Per-example Jacobians J[i, a, :] = d f_a(x_i) / d theta of a chunk of examples, in theta's (DL4J's) order, in
 * float64, from one forward pass and one batched backward pass per chunk.
 *
 * <p>How: DL4J only returns parameter gradients summed over a batch, so the backward pass is done here layer by
 * layer on b*K rows (row i*K + a carries the seed e_a at the output of example i): the error signal delta at each
 * layer's pre-activation is propagated down exactly as backprop does, and each layer's per-row weight gradient is
 * formed from delta and the layer input of that row's example (dense: outer product; conv: delta times the
 * im2col patches, a batched GEMM over examples). Supported layers are those {@link org.speedlimits.model.ModelFactory}
 * builds: 3x3 SAME stride-1 convolutions with ReLU, 2x2 average pooling, dense layers with any element-wise
 * activation, the identity dense readout, biases optional. Checked against finite differences in the tests.
 */
public final class NetworkJacobian {
    private final MultiLayerNetwork net;
    private final List<ParameterBlock> blocks;
    private final int outputs;
    private final long numParams;
    private final LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    /**
     * Large per-layer temporaries reused from chunk to chunk: fresh off-heap arrays of 100+ MB per layer and chunk
     * cost more in allocation and first-touch page faults than the GEMMs that fill them.
     */
    private final Scratch scratch = new Scratch();

    /** Jacobian rows of a chunk, [b, K, P] (c order), and the network outputs f(x) [b, K]. */
    public record Chunk(INDArray jacobian, INDArray outputs) {
    }

    /** @param network a float64 network (use {@link #float64Copy} for a float32 training network) */
    public NetworkJacobian(Network network) {
        this.net = network.net();
        if (net.params().dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("the NTK is computed in float64; got a " + net.params().dataType() + " network");
        }
        this.blocks = network.blocks();
        this.numParams = net.numParams();
        Layer last = net.getLayer(net.getnLayers() - 1);
        this.outputs = (int) ((OutputLayer) last.conf().getLayer()).getNOut();
    }

    public int outputs() {
        return outputs;
    }

    public long numParams() {
        return numParams;
    }

    public MultiLayerNetwork network() {
        return net;
    }

    /** Per-example Jacobians of the rows of x (a chunk; memory grows linearly with its size). */
    public Chunk compute(INDArray x) {
        INDArray jac = Nd4j.createUninitialized(DataType.DOUBLE, new long[]{x.size(0) * outputs, numParams}, 'c');
        INDArray f = computeInto(x, jac);
        return new Chunk(jac.reshape(x.size(0), outputs, numParams), f);
    }

    /**
     * Per-example Jacobians of the rows of x written into {@code jac}, a c-order [b*K, P] array (typically a view of
     * a larger block of rows, so that no chunk-sized array is allocated and copied). Every entry of jac is overwritten.
     * Returns f(x) [b, K].
     */
    public INDArray computeInto(INDArray x, INDArray jac) {
        return computeInto(x, jac, 0, outputs);
    }

    /**
     * As {@link #computeInto(INDArray, INDArray)}, but only the rows of outputs [from, to): jac is then
     * [b*(to-from), P], row i*(to-from) + j = d f_{from+j}(x_i) / d theta. The trace kernel sums J_a J_a^T over
     * outputs, so it can be built from a few outputs at a time with a smaller Jacobian per example.
     */
    public INDArray computeInto(INDArray x, INDArray jac, int from, int to) {
        if (from < 0 || to > outputs || from >= to) {
            throw new IllegalArgumentException("outputs [" + from + ", " + to + ") are not a range in [0, " + outputs + ")");
        }
        x = x.castTo(DataType.DOUBLE);
        int b = (int) x.size(0);
        int k = to - from; // rows per example
        long rows = (long) b * k;
        if (jac.rank() != 2 || jac.size(0) != rows || jac.size(1) != numParams || jac.ordering() != 'c'
                || jac.dataType() != DataType.DOUBLE || jac.stride(1) != 1 || jac.stride(0) != numParams) {
            throw new IllegalArgumentException("Jacobian destination must be a contiguous c-order float64 [" + rows
                    + ", " + numParams + "] array, got " + jac.shapeInfoToString());
        }
        List<INDArray> acts = net.feedForward(x, false); // acts[0] = x, acts[l + 1] = output of layer l
        int layers = net.getnLayers();
        long written = 0; // parameters whose columns were filled (all of them, or jac would keep stale values)
        INDArray eps = null; // dS/d(output of layer l) for the b*K rows; null above the readout
        for (int l = layers - 1; l >= 0; l--) {
            Layer layer = net.getLayer(l);
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(l);
            INDArray in = pre == null ? acts.get(l) : pre.preProcess(acts.get(l).dup(), b, mgr);
            INDArray epsIn;
            // big temporaries are released as soon as they are used: off-heap memory is otherwise only returned
            // when the garbage collector runs, which a small Java heap does rarely
            List<INDArray> used = new java.util.ArrayList<>();
            used.add(eps);
            if (pre != null) {
                used.add(in);
            }
            if (conf instanceof SubsamplingLayer s) {
                requireAveragePool2x2(s, l);
                epsIn = upsampleAverage(eps);
            } else if (conf instanceof OutputLayer || conf instanceof DenseLayer) {
                INDArray delta = conf instanceof OutputLayer o ? readoutDelta(o, b, from, to, l)
                        : eps.muli(derivativeRepeated(((BaseLayer) conf).getActivationFn(), denseInput(layer, in), b, k));
                used.add(delta);
                long nOut = delta.size(1);
                long nIn = in.size(1);
                // per-row W gradient, DL4J's dense W is [nIn, nOut] in 'f' order = [nOut, nIn] in 'c' order
                INDArray gradW = Nd4j.matmul(delta.reshape(b, k * nOut, 1), in.reshape(b, 1, nIn));
                used.add(gradW);
                written += put(jac, l, "W", gradW.reshape(rows, nOut * nIn));
                written += put(jac, l, "b", delta);
                epsIn = l == 0 ? null : delta.mmul(layer.getParam("W").transpose());
            } else if (conf instanceof ConvolutionLayer c) {
                requireConv3x3Same(c, l);
                INDArray out = acts.get(l + 1);
                long outC = out.size(1);
                long h = out.size(2);
                long w = out.size(3);
                long inC = in.size(1);
                // ReLU: d out / d z = 1[out > 0] (identity: 1), shared by the K rows of each example
                INDArray positive = out.gt(0.0);
                INDArray mask = isIdentity(c.getActivationFn()) ? null : positive.castTo(DataType.DOUBLE);
                used.add(positive);
                used.add(mask);
                INDArray delta = eps.reshape(b, k, outC * h * w);
                if (mask != null) {
                    delta.muli(mask.reshape(b, 1, outC * h * w));
                }
                used.add(delta);
                INDArray patches = scratch.get("patches", b, inC, 3, 3, h, w); // (allocating overload: float32)
                Convolution.im2col(in, 3, 3, 1, 1, 1, 1, false, patches);
                INDArray col = patches.reshape(b, inC * 9, h * w);
                INDArray gradW = Nd4j.matmul(delta.reshape(b, k * outC, h * w), col, false, true, false);
                written += put(jac, l, "W", gradW.reshape(rows, outC * inC * 9));
                INDArray biasGrad = delta.reshape(rows, outC, h, w).sum(2, 3);
                written += put(jac, l, "b", biasGrad);
                used.addAll(List.of(gradW, biasGrad));
                if (l > 0) {
                    INDArray wMat = layer.getParam("W").reshape(outC, inC * 9);
                    // error at the patches: W^T delta for every row and position, one GEMM [C*9, O] x [O, rows*h*w];
                    // these are the largest arrays here (K rows per example), so they live in reused buffers
                    INDArray deltaByChannel = scratch.get("deltaByChannel", outC, rows, h * w)
                            .assign(delta.reshape(rows, outC, h * w).permute(1, 0, 2)).reshape(outC, rows * h * w);
                    INDArray product = scratch.get("patchError", inC * 9, rows * h * w);
                    Nd4j.gemm(wMat, deltaByChannel, product, true, false, 1.0, 0.0);
                    INDArray epsCol = scratch.get("patchErrorByRow", rows, inC * 9, h * w)
                            .assign(product.reshape(inC * 9, rows, h * w).permute(1, 0, 2))
                            .reshape(rows, inC, 3, 3, h, w);
                    epsIn = Nd4j.create(DataType.DOUBLE, rows, inC, h, w);
                    Convolution.col2im(epsCol, epsIn, 1, 1, 1, 1, (int) h, (int) w, 1, 1);
                } else {
                    epsIn = null;
                }
            } else {
                throw new IllegalArgumentException("NTK: layer " + l + " (" + conf.getClass().getSimpleName()
                        + ") is not supported");
            }
            if (l > 0) {
                eps = pre == null ? epsIn : pre.backprop(epsIn, (int) rows, mgr); // (may share epsIn's buffer)
            }
            INDArray carried = eps;
            used.removeIf(a -> a == carried);
            release(used);
        }
        release(acts.subList(1, layers));
        if (written != numParams) {
            throw new IllegalStateException("NTK: the backward pass filled " + written + " of " + numParams
                    + " parameter columns");
        }
        return acts.get(layers);
    }

    /** Frees the reusable work buffers now (instead of when this object is garbage-collected). */
    public void releaseBuffers() {
        scratch.close();
        NativeAllocator.releaseFreedMemory(); // under the training malloc settings nothing is returned otherwise
    }

    /** Frees the off-heap buffers of arrays no longer needed (views and already freed arrays are skipped). */
    static void release(List<INDArray> arrays) {
        java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (INDArray a : arrays) {
            if (a != null && seen.add(a) && !a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }

    /**
     * Output-layer delta for the outputs [from, to): row (i, j) is e_{from+j} (identity activation, the seed of that
     * output), so the rows of each example are rows [from, to) of the identity.
     */
    private INDArray readoutDelta(OutputLayer o, int b, int from, int to, int l) {
        if (!isIdentity(o.getActivationFn())) {
            throw new IllegalArgumentException("NTK: output layer " + l + " must have the identity activation");
        }
        INDArray seeds = Nd4j.eye(outputs).castTo(DataType.DOUBLE).get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        return Nd4j.tile(seeds.dup(), b, 1);
    }

    private static INDArray denseInput(Layer layer, INDArray in) {
        INDArray z = in.mmul(layer.getParam("W"));
        INDArray bias = layer.paramTable().get("b");
        return bias == null ? z : z.addiRowVector(bias.reshape(-1));
    }

    /** sigma'(z) for [b, nOut] pre-activations, repeated K times per example to [b*K, nOut]. */
    private static INDArray derivativeRepeated(IActivation act, INDArray z, int b, int k) {
        INDArray d = act.backprop(z.dup(), Nd4j.onesLike(z)).getFirst();
        return d.repeat(0, k);
    }

    private static boolean isIdentity(IActivation act) {
        return act.getClass() == Activation.IDENTITY.getActivationFunction().getClass();
    }

    /** Writes a parameter block's columns (if the layer has that block); returns the number of columns written. */
    private long put(INDArray jac, int layer, String key, INDArray rowsByParams) {
        for (ParameterBlock block : blocks) {
            if (block.layer() == layer && block.key().equals(key)) {
                jac.get(NDArrayIndex.all(), NDArrayIndex.interval(block.offset(), block.offset() + block.length()))
                        .assign(rowsByParams);
                return block.length();
            }
        }
        return 0;
    }

    /** Backprop through 2x2/stride-2 average pooling: each output error spreads as 1/4 over its 2x2 window. */
    private static INDArray upsampleAverage(INDArray eps) {
        long r = eps.size(0);
        long c = eps.size(1);
        long h = eps.size(2);
        long w = eps.size(3);
        INDArray out = Nd4j.create(DataType.DOUBLE, r, c, h, 2, w, 2);
        INDArray quarter = eps.mul(0.25);
        for (int di = 0; di < 2; di++) {
            for (int dj = 0; dj < 2; dj++) {
                out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(di),
                        NDArrayIndex.all(), NDArrayIndex.point(dj)).assign(quarter);
            }
        }
        return out.reshape(r, c, 2 * h, 2 * w);
    }

    private static void requireAveragePool2x2(SubsamplingLayer s, int l) {
        int[] kernel = s.getKernelSize();
        int[] stride = s.getStride();
        if (s.getPoolingType() != PoolingType.AVG || kernel[0] != 2 || kernel[1] != 2
                || stride[0] != 2 || stride[1] != 2) {
            throw new IllegalArgumentException("NTK: pooling layer " + l + " must be 2x2/stride-2 average pooling");
        }
    }

    private static void requireConv3x3Same(ConvolutionLayer c, int l) {
        int[] kernel = c.getKernelSize();
        int[] stride = c.getStride();
        boolean relu = org.speedlimits.model.ReluActivation.isRelu(c.getActivationFn());
        if (kernel[0] != 3 || kernel[1] != 3 || stride[0] != 1 || stride[1] != 1
                || c.getConvolutionMode() != org.deeplearning4j.nn.conf.ConvolutionMode.Same
                || !(relu || isIdentity(c.getActivationFn()))) {
            throw new IllegalArgumentException("NTK: conv layer " + l + " must be 3x3, stride 1, SAME, ReLU");
        }
    }

    /**
     * Reusable float64 buffers by role: one flat buffer per role, as large as the largest request so far (the largest
     * layer of a full chunk), and each request a c-order view of its start — so the memory is that of one layer's
     * temporaries, as {@link EmpiricalNtk}'s cap assumes, while nothing is allocated per layer and chunk.
     */
    static final class Scratch {
        private final java.util.Map<String, INDArray> buffers = new java.util.HashMap<>();

        INDArray get(String role, long... shape) {
            long need = 1;
            for (long d : shape) {
                need *= d;
            }
            INDArray flat = buffers.get(role);
            if (flat == null || flat.length() < need) {
                if (flat != null) {
                    flat.close();
                }
                flat = Nd4j.createUninitialized(DataType.DOUBLE, new long[]{need}, 'c');
                buffers.put(role, flat);
            }
            return Nd4j.create(flat.data(), shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
        }

        void close() {
            buffers.values().forEach(INDArray::close);
            buffers.clear();
        }
    }
}
