package org.speedlimits.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

import java.util.ArrayList;
import java.util.List;

/**
 * What the native Myrtle engines ({@link OneDnnMyrtleGradient}, {@link CudnnMyrtleGradient}) compute, as plain
 * numbers: the 3x3 "Same" convolutions (each followed by ReLU and, at a stage end, one average pooling over
 * pool x pool blocks: ModelFactory's consecutive 2x2 poolings folded into one, the same average), the readout, and
 * where every parameter lies in DL4J's flat theta. No native code: CI tests the plan and the layout on the CPU.
 *
 * <p>Layout. A convolution's W is DL4J's [out, in, 3, 3] in row-major order inside theta, which is exactly cuDNN's
 * KCRS filter layout (CUDNN_TENSOR_NCHW) and oneDNN's oihw, so the engines read W and write its gradient in place.
 * The readout's W is DL4J's [in, out] in column-major order inside theta: for a column-major BLAS (cuBLAS) that is
 * the in x out matrix with leading dimension in, and f^T = W^T h^T is one GEMM (transa = T) on the pooled features
 * h, which in NCHW with 1x1 images are a column-major C x n matrix. So theta travels to a device as one copy, and
 * the gradient comes back as one.
 *
 * @param convs     the convolutions in order
 * @param readout   the output layer
 * @param numParams length of theta
 */
public record MyrtlePlan(List<Conv> convs, Readout readout, long numParams) {
    public static final long IMAGE_FLOATS = (long) ModelFactory.CHANNELS * ModelFactory.IMAGE_SIZE * ModelFactory.IMAGE_SIZE;

    /**
     * One 3x3 stride-1 convolution with padding 1 and ReLU on size x size images, then (pool > 1) an average pooling
     * over pool x pool blocks with stride pool. Offsets are into theta; biasOffset is -1 without a bias.
     */
    public record Conv(int layer, long in, long out, long size, boolean bias, int pool, long weightOffset,
                       long biasOffset) {
        /** Side of this stage's output images (after the pooling). */
        public long outSize() {
            return size / pool;
        }

        /** theta's index of W[k, c, r, s] (output channel k, input channel c, kernel row r and column s). */
        public long weightIndex(long k, long c, long r, long s) {
            return weightOffset + ((k * in + c) * 3 + r) * 3 + s;
        }

        public long weightCount() {
            return out * in * 9;
        }

        /** Multiply-adds of the forward convolution per image. */
        public long macsPerImage() {
            return size * size * out * in * 9;
        }
    }

    /** The identity readout f = h W + b from in pooled features to out classes; biasOffset is -1 without a bias. */
    public record Readout(int layer, long in, long out, boolean bias, long weightOffset, long biasOffset) {
        /** theta's index of W[i, o] (feature i, class o): column-major, as DL4J stores a dense W. */
        public long weightIndex(long i, long o) {
            return weightOffset + i + in * o;
        }
    }

    public MyrtlePlan {
        convs = List.copyOf(convs);
    }

    /**
     * Why the network is not a Myrtle network the native engines compute, or null when it is: ModelFactory's Myrtle
     * (3x3 stride-1 "Same" convolutions with ReLU, 2x2 stride-2 average poolings, an identity output layer with a
     * summed L2 loss), float32 parameters. Backend requirements are each engine's own.
     */
    public static String unsupportedReason(MultiLayerNetwork net) {
        if (net.params().dataType() != DataType.FLOAT) {
            return "needs float32 parameters, found " + net.params().dataType();
        }
        var layers = net.getLayerWiseConfigurations().getConfs();
        boolean sawConv = false;
        for (int i = 0; i < layers.size(); i++) {
            var layer = layers.get(i).getLayer();
            boolean last = i == layers.size() - 1;
            if (layer instanceof ConvolutionLayer c && !last) {
                if (c.getKernelSize()[0] != 3 || c.getKernelSize()[1] != 3 || c.getStride()[0] != 1
                        || c.getStride()[1] != 1 || c.getConvolutionMode() != ConvolutionMode.Same
                        || c.getDilation()[0] != 1 || c.getDilation()[1] != 1) {
                    return "layer " + i + " is not a 3x3 stride-1 'Same' convolution";
                }
                if (!ReluActivation.isRelu(c.getActivationFn())) {
                    return "layer " + i + " has activation " + c.getActivationFn() + ", not ReLU";
                }
                sawConv = true;
            } else if (layer instanceof SubsamplingLayer s && !last) {
                if (s.getPoolingType() != PoolingType.AVG || s.getKernelSize()[0] != 2 || s.getKernelSize()[1] != 2
                        || s.getStride()[0] != 2 || s.getStride()[1] != 2 || s.getPadding()[0] != 0
                        || s.getPadding()[1] != 0 || !sawConv) {
                    return "layer " + i + " is not a 2x2 stride-2 average pooling after a convolution";
                }
            } else if (layer instanceof OutputLayer o && last) {
                // exactly the summed L2 loss (LossMSE, a subclass of LossL2, divides by the output count)
                boolean summedL2 = o.getLossFn() instanceof ObservedSquaredError || o.getLossFn().getClass() == LossL2.class;
                if (!(o.getActivationFn() instanceof ActivationIdentity) || !summedL2) {
                    return "the output layer is not identity with a summed L2 loss";
                }
            } else {
                return "layer " + i + " (" + layer.getClass().getSimpleName() + ") is not part of a Myrtle network";
            }
        }
        if (!sawConv) {
            return "no convolution layers";
        }
        return null;
    }

    /**
     * The plan of a network {@link #unsupportedReason} accepts.
     *
     * @throws IllegalArgumentException naming why otherwise, or where DL4J's parameter views do not have the layout
     *                                  this plan assumes
     */
    public static MyrtlePlan of(MultiLayerNetwork net) {
        String why = unsupportedReason(net);
        if (why != null) {
            throw new IllegalArgumentException("not a Myrtle network the native engines compute: " + why);
        }
        var layers = net.getLayerWiseConfigurations().getConfs();
        INDArray params = net.params();
        List<Conv> convs = new ArrayList<>();
        long size = ModelFactory.IMAGE_SIZE;
        for (int i = 0; i < layers.size() - 1; i++) {
            var layer = layers.get(i).getLayer();
            if (layer instanceof ConvolutionLayer c) {
                INDArray w = net.getLayer(i).getParam("W");
                requireLayout(w, new long[]{c.getNOut(), c.getNIn(), 3, 3}, 'c', i);
                long b = c.hasBias() ? offset(net.getLayer(i).getParam("b"), params) : -1;
                convs.add(new Conv(i, c.getNIn(), c.getNOut(), size, c.hasBias(), 1, offset(w, params), b));
            } else { // 2x2 average pooling: fold into the preceding convolution's pooling factor
                Conv p = convs.remove(convs.size() - 1);
                convs.add(new Conv(p.layer(), p.in(), p.out(), p.size(), p.bias(), p.pool() * 2, p.weightOffset(),
                        p.biasOffset()));
                size /= 2;
            }
        }
        if (size != 1) {
            throw new IllegalArgumentException("the poolings leave " + size + "x" + size + " images, expected 1x1");
        }
        int last = layers.size() - 1;
        OutputLayer o = (OutputLayer) layers.get(last).getLayer();
        INDArray w = net.getLayer(last).getParam("W");
        requireLayout(w, new long[]{o.getNIn(), o.getNOut()}, 'f', last);
        long b = o.hasBias() ? offset(net.getLayer(last).getParam("b"), params) : -1;
        return new MyrtlePlan(convs, new Readout(last, o.getNIn(), o.getNOut(), o.hasBias(), offset(w, params), b),
                params.length());
    }

    private static long offset(INDArray view, INDArray params) {
        return view.offset() - params.offset();
    }

    /** A parameter view must be dense with this shape in this order, else the index formulas would be wrong. */
    private static void requireLayout(INDArray w, long[] shape, char order, int layer) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int d = 0; d < shape.length; d++) {
            int at = order == 'c' ? shape.length - 1 - d : d;
            strides[at] = stride;
            stride *= shape[at];
        }
        if (!java.util.Arrays.equals(w.shape(), shape) || !java.util.Arrays.equals(w.stride(), strides)) {
            throw new IllegalStateException("layer " + layer + ": DL4J's W view has shape "
                    + java.util.Arrays.toString(w.shape()) + " strides " + java.util.Arrays.toString(w.stride())
                    + ", expected " + java.util.Arrays.toString(shape) + " in " + order + " order");
        }
    }

    /**
     * Why a native engine cannot read this process's ND4J arrays as host memory, or null: both native engines take
     * theta and the gradient from host buffers, which only the CPU backend (nd4j-native) gives.
     */
    public static String hostBackendReason() {
        String backend = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
        return backend.startsWith("CpuBackend") ? null
                : "needs the CPU ND4J backend (nd4j-native: host-memory arrays), found " + backend;
    }

    /** Channels of the pooled features the readout reads. */
    public long features() {
        return readout.in();
    }

    /** Floats per image of the activations a gradient pass keeps: each convolution's output and pooled output. */
    public long activationFloatsPerImage() {
        long floats = 0;
        for (Conv c : convs) {
            floats += c.out() * c.size() * c.size();
            if (c.pool() > 1) {
                floats += c.out() * c.outSize() * c.outSize();
            }
        }
        return floats;
    }

    /** Largest single activation per image (a convolution's output): the size of one gradient buffer. */
    public long largestActivationFloatsPerImage() {
        long max = IMAGE_FLOATS;
        for (Conv c : convs) {
            max = Math.max(max, Math.max(c.out(), c.in()) * c.size() * c.size());
        }
        return max;
    }

    /**
     * Device floats per image of a chunk in the cuDNN engine: the kept activations, two gradient buffers of the
     * largest activation, the image itself, the outputs and their gradient (cuDNN's workspace comes on top).
     */
    public long deviceFloatsPerImage() {
        return activationFloatsPerImage() + 2 * largestActivationFloatsPerImage() + IMAGE_FLOATS + 2 * readout.out();
    }

    /**
     * Floating-point operations of one gradient pass per image: forward, backward-data (not for the first layer,
     * whose input gradient nobody uses) and backward-filter convolutions at 2 flops per multiply-add, plus the
     * readout's three GEMMs. ReLU and pooling are not counted (memory-bound, a few percent).
     */
    public long flopsPerImage() {
        long macs = 0;
        for (int l = 0; l < convs.size(); l++) {
            long m = convs.get(l).macsPerImage();
            macs += l == 0 ? 2 * m : 3 * m;
        }
        macs += 3 * readout.in() * readout.out();
        return 2 * macs;
    }

    /**
     * Rows per chunk when n examples are processed in chunks of at most chunkSize: equal chunks, so that one set of
     * descriptors and buffers serves them all (the last chunk is padded with fewer than chunks rows).
     */
    public static long chunkRows(long n, long chunkSize) {
        if (n < 1 || chunkSize < 1) {
            throw new IllegalArgumentException("need n >= 1 and chunkSize >= 1, got " + n + ", " + chunkSize);
        }
        long chunks = (n + chunkSize - 1) / chunkSize;
        return (n + chunks - 1) / chunks;
    }
}
