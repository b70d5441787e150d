package org.speedlimits.model;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_backward;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.algorithm.convolution_auto;
import static org.bytedeco.dnnl.global.dnnl.algorithm.convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.algorithm.pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;

/**
 * The summed squared error S = sum_i |f(x_i) - y_i|^2 of a Myrtle network, and its gradient with respect to the
 * network's parameters, computed with oneDNN primitives directly (bytedeco's dnnl bindings) instead of through
 * DL4J's layers. Same network, same parameter vector (read in place from the DL4J network), same gradient layout
 * as {@code MultiLayerNetwork.calculateGradients}.
 *
 * <p>Why: at small width most of a DL4J epoch is glue, not arithmetic. Every DL4J layer is a separate libnd4j op
 * that converts its NCHW input into oneDNN's blocked layout and its output back (28 reorders per gradient pass of
 * Myrtle-5), its ReLU is a separate op, and its convolution backward pass always computes the input gradient,
 * including the first layer's, which nobody uses. Here activations stay in the layouts oneDNN picks from one
 * layer to the next, the ReLU is fused into the forward convolution (its derivative is taken from the layer's
 * output), the first layer has no backward-data convolution, and the last stage's three 2x2 average poolings are
 * one 8x8 average pooling (the same average). Only the readout layer (C x 10) runs in ND4J.
 *
 * <p>Supported: the networks {@link ModelFactory} builds for Myrtle-5/7/10 with ReLU, float32 parameters, on the
 * CPU backend ({@link #unsupportedReason}). Not thread-safe; one instance per network.
 */
public final class OneDnnMyrtleGradient implements MyrtleGradient {
    private static final long[] UNIT_STRIDE = {1, 1};
    private static final long[] SAME_PADDING = {1, 1};
    private static final long[] NO_PADDING = {0, 0};

    /** Channels from which oneDNN may choose its algorithm (Winograd on AVX-512) instead of direct convolution. */
    static final long AUTO_ALGORITHM_CHANNELS = 32;

    /**
     * oneDNN's choice (Winograd on AVX-512) where both channel counts are at least 32, direct convolution
     * elsewhere. Myrtle-5 epochs (n = 500, 2 cores, AVX-512; bench/notes.md), direct / auto in every layer:
     * 0.071 / 0.117 s at C = 16, 0.186 / 0.189 s at C = 32, 0.71 / 0.44 s at C = 64, 2.5 / 1.27 s at C = 128;
     * auto with a direct first layer (3 input channels, which Winograd pads to 16): 0.165 s at C = 32, 0.36 s
     * at C = 64, 1.10 s at C = 128. A layer uses one algorithm in all three passes (auto forward with direct
     * backward was 50x slower). A fixed rule, not a timing, so that a resumed run computes exactly what an
     * uninterrupted one does.
     */
    static org.bytedeco.dnnl.global.dnnl.algorithm algorithm(MyrtlePlan.Conv c) {
        return Math.min(c.in(), c.out()) >= AUTO_ALGORITHM_CHANNELS ? convolution_auto : convolution_direct;
    }

    private final MultiLayerNetwork net;
    private final List<MyrtlePlan.Conv> convs;
    private final int outputLayer;
    private final boolean outputBias;
    private final engine eng;
    private final stream strm;
    private Plan plan;
    private final List<Pointer> owned = new ArrayList<>();

    /**
     * @throws IllegalArgumentException when the network is not one this class computes (the message says why)
     */
    public OneDnnMyrtleGradient(MultiLayerNetwork net) {
        String why = unsupportedReason(net);
        if (why != null) {
            throw new IllegalArgumentException("the oneDNN Myrtle gradient cannot compute this network: " + why);
        }
        this.net = net;
        this.convs = MyrtlePlan.of(net).convs();
        this.outputLayer = net.getnLayers() - 1;
        this.outputBias = ((OutputLayer) net.getLayer(outputLayer).conf().getLayer()).hasBias();
        this.eng = keep(new engine(engine.kind.cpu, 0));
        this.strm = keep(new stream(eng));
    }

    /**
     * Why this class cannot compute the network, or null when it can: a Myrtle network as {@link MyrtlePlan} defines
     * it, on the CPU backend.
     */
    public static String unsupportedReason(MultiLayerNetwork net) {
        String backend = MyrtlePlan.hostBackendReason();
        return backend != null ? backend : MyrtlePlan.unsupportedReason(net);
    }

    /**
     * Computes S over all rows of x (images [n, 3, 32, 32]) and targets y ([n, 10]), processing chunkSize rows at a
     * time, and writes grad S into {@code gradient} (a dense float vector or row laid out like the network's
     * parameters, overwritten).
     */
    @Override
    public Result compute(INDArray x, INDArray y, long chunkSize, INDArray gradient) {
        if (gradient.length() != net.numParams() || gradient.dataType() != DataType.FLOAT || !gradient.isVector()
                || gradient.elementWiseStride() != 1) {
            throw new IllegalArgumentException("gradient must be a float vector of " + net.numParams()
                    + " elements, got " + gradient.dataType() + " " + java.util.Arrays.toString(gradient.shape()));
        }
        long[] image = {ModelFactory.CHANNELS, ModelFactory.IMAGE_SIZE, ModelFactory.IMAGE_SIZE};
        if (x.rank() != 4 || x.size(0) < 1 || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(x.shape(), 1, 4), image)
                || y.rank() != 2 || y.size(0) != x.size(0) || y.size(1) != ModelFactory.CLASSES || chunkSize < 1) {
            // oneDNN reads raw memory: a wrong shape would read past the arrays instead of failing
            throw new IllegalArgumentException("expected images [n, 3, 32, 32], targets [n, 10] and chunkSize >= 1, got "
                    + java.util.Arrays.toString(x.shape()) + ", " + java.util.Arrays.toString(y.shape()) + ", " + chunkSize);
        }
        INDArray flat = gradient.reshape(gradient.length()); // a view: dense
        if (x.dataType() != DataType.FLOAT) {
            x = x.castTo(DataType.FLOAT);
        }
        double squaredError = 0;
        long correct = 0;
        long n = x.size(0);
        // equal chunks of at most chunkSize rows, so that one set of primitives and buffers serves them all; the
        // last chunk is padded with at most (chunks - 1) rows whose error signal is zero
        long rows = MyrtlePlan.chunkRows(n, chunkSize);
        if (plan == null || plan.n != rows) {
            if (plan != null) {
                plan.close();
            }
            plan = new Plan(rows);
        }
        plan.bind(flat);
        for (long start = 0; start < n; start += rows) {
            long end = Math.min(n, start + rows);
            INDArray xc = contiguous(x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(),
                    NDArrayIndex.all(), NDArrayIndex.all()));
            INDArray yc = y.get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
            Result r = plan.run(xc, yc, flat, start > 0);
            squaredError += r.squaredError();
            correct += r.correct();
        }
        // oneDNN used raw addresses of theta's and the gradient's buffers: keep them alive until it is done
        java.lang.ref.Reference.reachabilityFence(gradient);
        java.lang.ref.Reference.reachabilityFence(net.params());
        return new Result(squaredError, correct);
    }

    /** Length of the parameter (and gradient) vector. */
    public long numParams() {
        return net.numParams();
    }

    /** a itself when its elements are one dense c-order block (a row range of a c-order array is), else a copy. */
    private static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && a.elementWiseStride() == 1 ? a : a.dup('c');
    }

    /** Address of an array's first element, for wrapping it in a oneDNN memory without copying. */
    private static Pointer address(INDArray a) {
        long at = a.data().address() + a.offset() * a.dataType().width();
        return new Pointer() {
            {
                address = at;
            }
        };
    }

    private <T extends Pointer> T keep(T p) {
        owned.add(p);
        return p;
    }

    @Override
    public void close() {
        if (plan != null) {
            plan.close();
            plan = null;
        }
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }

    /** The primitives and buffers for one chunk size: built once, run every epoch. */
    private final class Plan {
        private final long n;
        private final List<Pointer> resources = new ArrayList<>();
        /** (primitive, args) pairs: weight reorders, forward pass, backward pass; gradient output reorders. */
        private final List<primitive> prepare = new ArrayList<>();
        private final List<IntMemoryMap> prepareArgs = new ArrayList<>();
        private final List<primitive> forward = new ArrayList<>();
        private final List<IntMemoryMap> forwardArgs = new ArrayList<>();
        private final List<primitive> backward = new ArrayList<>();
        private final List<IntMemoryMap> backwardArgs = new ArrayList<>();
        /** Gradient output: the same reorders twice, writing (first chunk) or adding (later chunks). */
        private final List<primitive> writeGradient = new ArrayList<>();
        private final List<primitive> addGradient = new ArrayList<>();
        private final List<IntMemoryMap> gradientArgs = new ArrayList<>();
        /** Memories wrapping ND4J arrays (input, parameters, gradient), re-pointed at their buffers on every run. */
        private final memory input;
        private final List<memory> userWeights = new ArrayList<>();
        private final List<memory> userBiases = new ArrayList<>();
        private final List<memory> gradWeights = new ArrayList<>();
        private final List<memory> gradBiases = new ArrayList<>();
        private final INDArray pooled;
        private final INDArray pooledGrad;
        /** The last chunk's rows followed by zeros, when it is shorter than n. */
        private INDArray paddedInput;

        Plan(long n) {
            this.n = n;
            long channels = convs.get(convs.size() - 1).out();
            pooled = Nd4j.create(DataType.FLOAT, n, channels);
            pooledGrad = Nd4j.create(DataType.FLOAT, n, channels);
            input = plain(new long[]{n, ModelFactory.CHANNELS, ModelFactory.IMAGE_SIZE, ModelFactory.IMAGE_SIZE},
                    memory.format_tag.nchw, null);

            primitive_attr reluAfter = own(new primitive_attr());
            post_ops relu = own(new post_ops());
            relu.append_eltwise(1f, eltwise_relu, 0f, 0f);
            reluAfter.set_post_ops(relu);
            primitive_attr accumulate = own(new primitive_attr());
            post_ops sum = own(new post_ops());
            sum.append_sum(); // scale 1: dst += src
            accumulate.set_post_ops(sum);

            // forward pass, remembering what the backward pass needs
            memory current = input;
            List<convolution_forward.primitive_desc> convPds = new ArrayList<>();
            List<memory> convSrc = new ArrayList<>();
            List<memory> convWeights = new ArrayList<>();
            List<memory> convOut = new ArrayList<>();
            List<pooling_forward.primitive_desc> poolPds = new ArrayList<>();
            for (MyrtlePlan.Conv c : convs) {
                memory.desc src = any(n, c.in(), c.size(), c.size());
                memory.desc weights = any(c.out(), c.in(), 3, 3);
                memory.desc dst = any(n, c.out(), c.size(), c.size());
                convolution_forward.desc d = c.bias()
                        ? own(new convolution_forward.desc(forward_training, algorithm(c), src, weights,
                        plainDesc(new long[]{c.out()}, memory.format_tag.x), dst, UNIT_STRIDE, SAME_PADDING, SAME_PADDING))
                        : own(new convolution_forward.desc(forward_training, algorithm(c), src, weights, dst,
                        UNIT_STRIDE, SAME_PADDING, SAME_PADDING));
                var pd = own(new convolution_forward.primitive_desc(d, reluAfter, eng));
                memory srcMem = converted(current, pd.src_desc(), forward, forwardArgs);
                memory userW = plain(new long[]{c.out(), c.in(), 3, 3}, memory.format_tag.oihw, userWeights);
                memory w = converted(userW, pd.weights_desc(), prepare, prepareArgs);
                memory out = own(new memory(pd.dst_desc(), eng));
                IntMemoryMap args = args(DNNL_ARG_SRC, srcMem, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DST, out);
                if (c.bias()) {
                    args.put(DNNL_ARG_BIAS, plain(new long[]{c.out()}, memory.format_tag.x, userBiases));
                } else {
                    userBiases.add(null);
                }
                add(forward, forwardArgs, own(new convolution_forward(pd)), args);
                convPds.add(pd);
                convSrc.add(srcMem);
                convWeights.add(w);
                convOut.add(out);
                current = out;
                if (c.pool() > 1) {
                    long s = c.size() / c.pool();
                    long[] k = {c.pool(), c.pool()};
                    var pd2 = own(new pooling_forward.primitive_desc(own(new pooling_forward.desc(forward_training,
                            pooling_avg_exclude_padding, out.get_desc(), any(n, c.out(), s, s), k, k, NO_PADDING,
                            NO_PADDING)), eng));
                    memory pooledOut = own(new memory(pd2.dst_desc(), eng));
                    add(forward, forwardArgs, own(new pooling_forward(pd2)), args(DNNL_ARG_SRC, out, DNNL_ARG_DST, pooledOut));
                    poolPds.add(pd2);
                    current = pooledOut;
                } else {
                    poolPds.add(null);
                }
            }
            memory pooledUser = wrap(pooled, new long[]{n, channels, 1, 1}, memory.format_tag.nchw);
            add(forward, forwardArgs, own(new reorder(current, pooledUser)), args(DNNL_ARG_SRC, current, DNNL_ARG_DST, pooledUser));

            // backward pass: from d S / d pooled (written by the readout layer) down to the first layer's weights
            memory diff = wrap(pooledGrad, new long[]{n, channels, 1, 1}, memory.format_tag.nchw);
            for (int l = convs.size() - 1; l >= 0; l--) {
                MyrtlePlan.Conv c = convs.get(l);
                memory out = convOut.get(l);
                if (c.pool() > 1) {
                    long[] k = {c.pool(), c.pool()};
                    var pd = own(new pooling_backward.primitive_desc(own(new pooling_backward.desc(
                            pooling_avg_exclude_padding, out.get_desc(), poolPds.get(l).dst_desc(), k, k, NO_PADDING,
                            NO_PADDING)), eng, poolPds.get(l)));
                    memory dst = converted(diff, pd.diff_dst_desc(), backward, backwardArgs);
                    memory src = own(new memory(pd.diff_src_desc(), eng));
                    add(backward, backwardArgs, own(new pooling_backward(pd)), args(DNNL_ARG_DIFF_DST, dst, DNNL_ARG_DIFF_SRC, src));
                    diff = src;
                }
                // ReLU derivative from the layer's output, in place
                var hint = own(new eltwise_forward.primitive_desc(own(new eltwise_forward.desc(forward_training,
                        eltwise_relu_use_dst_for_bwd, out.get_desc(), 0f, 0f)), eng));
                var reluPd = own(new eltwise_backward.primitive_desc(own(new eltwise_backward.desc(
                        eltwise_relu_use_dst_for_bwd, diff.get_desc(), out.get_desc(), 0f, 0f)), eng, hint));
                add(backward, backwardArgs, own(new eltwise_backward(reluPd)),
                        args(DNNL_ARG_DST, out, DNNL_ARG_DIFF_DST, diff, DNNL_ARG_DIFF_SRC, diff));

                memory.desc dstAny = any(n, c.out(), c.size(), c.size());
                var fwd = convPds.get(l);
                convolution_backward_weights.desc wd = c.bias()
                        ? own(new convolution_backward_weights.desc(algorithm(c), fwd.src_desc(),
                        any(c.out(), c.in(), 3, 3), plainDesc(new long[]{c.out()}, memory.format_tag.x), dstAny,
                        UNIT_STRIDE, SAME_PADDING, SAME_PADDING))
                        : own(new convolution_backward_weights.desc(algorithm(c), fwd.src_desc(),
                        any(c.out(), c.in(), 3, 3), dstAny, UNIT_STRIDE, SAME_PADDING, SAME_PADDING));
                var wpd = own(new convolution_backward_weights.primitive_desc(wd, eng, fwd));
                memory src = converted(convSrc.get(l), wpd.src_desc(), backward, backwardArgs);
                memory dDst = converted(diff, wpd.diff_dst_desc(), backward, backwardArgs);
                memory dW = own(new memory(wpd.diff_weights_desc(), eng));
                IntMemoryMap wargs = args(DNNL_ARG_SRC, src, DNNL_ARG_DIFF_DST, dDst, DNNL_ARG_DIFF_WEIGHTS, dW);
                memory userGW = plain(new long[]{c.out(), c.in(), 3, 3}, memory.format_tag.oihw, null);
                gradWeights.add(0, userGW);
                gradientOutput(dW, userGW, accumulate);
                if (c.bias()) {
                    memory dB = own(new memory(wpd.diff_bias_desc(), eng));
                    wargs.put(DNNL_ARG_DIFF_BIAS, dB);
                    memory userGB = plain(new long[]{c.out()}, memory.format_tag.x, null);
                    gradBiases.add(0, userGB);
                    gradientOutput(dB, userGB, accumulate);
                } else {
                    gradBiases.add(0, null);
                }
                add(backward, backwardArgs, own(new convolution_backward_weights(wpd)), wargs);

                if (l > 0) { // the first layer's input gradient is never needed
                    var dd = own(new convolution_backward_data.desc(algorithm(c), any(n, c.in(), c.size(), c.size()),
                            any(c.out(), c.in(), 3, 3), dstAny, UNIT_STRIDE, SAME_PADDING, SAME_PADDING));
                    var dpd = own(new convolution_backward_data.primitive_desc(dd, eng, fwd));
                    memory w = dpd.weights_desc().equals(convWeights.get(l).get_desc()) ? convWeights.get(l)
                            : converted(userWeights.get(l), dpd.weights_desc(), prepare, prepareArgs);
                    memory dDst2 = converted(dDst, dpd.diff_dst_desc(), backward, backwardArgs);
                    memory dSrc = own(new memory(dpd.diff_src_desc(), eng));
                    add(backward, backwardArgs, own(new convolution_backward_data(dpd)),
                            args(DNNL_ARG_DIFF_DST, dDst2, DNNL_ARG_WEIGHTS, w, DNNL_ARG_DIFF_SRC, dSrc));
                    diff = dSrc;
                }
            }
        }

        private void gradientOutput(memory from, memory to, primitive_attr accumulate) {
            writeGradient.add(own(new reorder(from, to)));
            addGradient.add(own(new reorder(from, to, accumulate)));
            gradientArgs.add(args(DNNL_ARG_SRC, from, DNNL_ARG_DST, to));
        }

        /**
         * Points the parameter and gradient memories at the network's theta and at {@code gradient}, and brings the
         * weights into the primitives' layouts: once per pass over the data (theta does not change within it).
         */
        void bind(INDArray gradient) {
            INDArray params = net.params();
            for (int l = 0; l < convs.size(); l++) {
                var layer = net.getLayer(convs.get(l).layer());
                userWeights.get(l).set_data_handle(address(layer.getParam("W")), strm);
                gradWeights.get(l).set_data_handle(address(slice(gradient, params, layer.getParam("W"))), strm);
                if (convs.get(l).bias()) {
                    userBiases.get(l).set_data_handle(address(layer.getParam("b")), strm);
                    gradBiases.get(l).set_data_handle(address(slice(gradient, params, layer.getParam("b"))), strm);
                }
            }
            execute(prepare, prepareArgs);
        }

        /** One chunk of m <= n rows, after {@link #bind}: S, and grad S written (first chunk) or accumulated. */
        Result run(INDArray x, INDArray y, INDArray gradient, boolean accumulate) {
            INDArray params = net.params();
            long m = x.size(0);
            if (m < n) {
                if (paddedInput == null) {
                    paddedInput = Nd4j.zeros(DataType.FLOAT, n, x.size(1), x.size(2), x.size(3));
                }
                paddedInput.get(NDArrayIndex.interval(0, m), NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.all()).assign(x);
                x = paddedInput;
            }
            input.set_data_handle(address(x), strm);
            execute(forward, forwardArgs);

            // readout f = h W + b and the loss, in ND4J (C x 10: negligible)
            var out = net.getLayer(outputLayer);
            INDArray w = out.getParam("W");
            INDArray h = m < n ? pooled.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()) : pooled;
            INDArray f = h.mmul(w);
            if (outputBias) {
                f.addiRowVector(out.getParam("b"));
            }
            long correct = ObservedSquaredError.correctPredictions(f, y);
            INDArray diff = f.subi(y.castTo(DataType.FLOAT));
            double squaredError = ObservedSquaredError.sumOfSquares(diff);
            INDArray delta = diff.muli(2); // d S / d f
            // DL4J keeps the dense W [in, out] column-major inside theta
            store(slice(gradient, params, w), Nd4j.toFlattened('f', h.transpose().mmul(delta)), accumulate);
            if (outputBias) {
                store(slice(gradient, params, out.getParam("b")), delta.sum(0), accumulate);
            }
            if (m < n) {
                pooledGrad.assign(0); // padding rows: no error signal
                pooledGrad.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()).assign(delta.mmul(w.transpose()));
            } else {
                pooledGrad.assign(delta.mmul(w.transpose()));
            }

            execute(backward, backwardArgs);
            execute(accumulate ? addGradient : writeGradient, gradientArgs);
            java.lang.ref.Reference.reachabilityFence(x); // oneDNN read its buffer through a raw address
            return new Result(squaredError, correct);
        }

        /** target = value (first chunk) or target += value (later chunks); value has target's length. */
        private static void store(INDArray target, INDArray value, boolean accumulate) {
            INDArray v = value.reshape(target.shape());
            if (accumulate) {
                target.addi(v);
            } else {
                target.assign(v);
            }
        }

        private void execute(List<primitive> primitives, List<IntMemoryMap> args) {
            for (int i = 0; i < primitives.size(); i++) {
                primitives.get(i).execute(strm, args.get(i));
            }
            strm._wait();
        }

        /** The reorder of m into desc (added to steps), or m itself when it already has that layout. */
        private memory converted(memory m, memory.desc desc, List<primitive> steps, List<IntMemoryMap> args) {
            if (m.get_desc().equals(desc)) {
                return m;
            }
            memory to = own(new memory(desc, eng));
            add(steps, args, own(new reorder(m, to)), args(DNNL_ARG_SRC, m, DNNL_ARG_DST, to));
            return to;
        }

        private memory plain(long[] dims, memory.format_tag tag, List<memory> register) {
            memory m = own(new memory(plainDesc(dims, tag), eng, new Pointer()));
            if (register != null) {
                register.add(m);
            }
            return m;
        }

        private memory wrap(INDArray a, long[] dims, memory.format_tag tag) {
            return own(new memory(plainDesc(dims, tag), eng, address(a)));
        }

        private memory.desc plainDesc(long[] dims, memory.format_tag tag) {
            return own(new memory.desc(dims, memory.data_type.f32, tag));
        }

        private memory.desc any(long... dims) {
            return own(new memory.desc(dims, memory.data_type.f32, memory.format_tag.any));
        }

        private IntMemoryMap args(Object... keyValues) {
            IntMemoryMap m = own(new IntMemoryMap());
            for (int i = 0; i < keyValues.length; i += 2) {
                m.put((Integer) keyValues[i], (memory) keyValues[i + 1]);
            }
            return m;
        }

        private void add(List<primitive> steps, List<IntMemoryMap> args, primitive p, IntMemoryMap a) {
            steps.add(p);
            args.add(a);
        }

        private <T extends Pointer> T own(T p) {
            resources.add(p);
            return p;
        }

        void close() {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
            resources.clear();
        }
    }

    /** The part of the flat gradient vector that corresponds to the parameter view p of the network's params. */
    private static INDArray slice(INDArray gradient, INDArray params, INDArray p) {
        long offset = p.offset() - params.offset();
        return gradient.get(NDArrayIndex.interval(offset, offset + p.length()));
    }
}
