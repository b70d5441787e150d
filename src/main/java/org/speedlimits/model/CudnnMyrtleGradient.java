package org.speedlimits.model;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnPoolingStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudnn.*;

/**
 * The summed squared error S = sum_i |f(x_i) - y_i|^2 of a Myrtle network and its gradient, on an NVIDIA GPU with
 * cuDNN's legacy convolution, activation and pooling calls and two cuBLAS GEMMs for the readout (bytedeco's CUDA 13
 * bindings). The structure of {@link OneDnnMyrtleGradient}, on the plan and theta layout of {@link MyrtlePlan}:
 * <ul>
 * <li>The images and targets of a split are copied to the device once and stay there (padded to whole chunks);
 * theta goes up and the gradient comes down as one copy each per evaluation (KCRS filters and the readout's
 * column-major W are theta's own layout), so hooks, checkpoints and the integrator stay on the host.</li>
 * <li>Per chunk: forward convolution, bias, ReLU, average pooling per stage; f^T = W^T h^T (cuBLAS); the loss, its
 * gradient and the argmax on the host (n x 10 floats); then the readout gradients (GEMM and a bias reduction), and
 * per stage pooling, ReLU, bias, filter and (not for the first layer) data gradients, accumulated over chunks by
 * beta = 1.</li>
 * <li>Algorithms: cuDNN's heuristic ranking ({@code Get..._v7}, no timing, so a resumed run picks what the first
 * run picked on the same GPU and library), restricted to deterministic ones in the backward passes; where the
 * ranking offers none, BWD_FILTER_ALGO_1 / BWD_DATA_ALGO_1 (deterministic).</li>
 * <li>{@code tf32} false: CUDNN_FMA_MATH and CUBLAS_DEFAULT_MATH, i.e. float32 FMA arithmetic (CUDNN_DEFAULT_MATH
 * would let cuDNN use TF32 tensor cores on sm_80+). True: CUDNN_TENSOR_OP_MATH and CUBLAS_TF32_TENSOR_OP_MATH.</li>
 * </ul>
 * Reproducibility: on one GPU model with one cuDNN/cuBLAS build, the same theta gives bit-identical gradients run
 * to run (deterministic algorithms, fixed choice, fixed chunking, host-side loss). Across GPU models or library
 * versions the algorithms and their summation orders differ: equal to float32 rounding, not bitwise. Not thread-safe.
 */
public final class CudnnMyrtleGradient implements MyrtleGradient {
    /** Largest cuDNN workspace accepted for one algorithm (bytes): a faster algorithm needing more is skipped. */
    static final long WORKSPACE_LIMIT = 1L << 30;
    private static final int FLOAT = 4;

    private final MultiLayerNetwork net;
    private final MyrtlePlan plan;
    private final boolean tf32;
    private final cudnnContext cudnn = new cudnnContext();
    private final cublasContext cublas = new cublasContext();
    private final Pointer theta;
    private final Pointer gradient;
    private final cudnnActivationStruct relu = new cudnnActivationStruct();
    /** Device copies of the splits seen so far (train, and perhaps one more), by the identity of their images. */
    private final Map<INDArray, DeviceData> data = new IdentityHashMap<>();
    private final List<INDArray> dataOrder = new ArrayList<>();
    private Chunk chunk;
    /** Algorithms chosen, for env.json and the log ("layer 0: fwd 1 (IMPLICIT_PRECOMP_GEMM) ..."). */
    private final Map<String, Object> algorithms = new LinkedHashMap<>();

    /**
     * @throws IllegalArgumentException when the network is not a Myrtle network (the message says why)
     * @throws IllegalStateException    when CUDA, cuDNN or cuBLAS is unusable here ({@link CudaLibraries} says why)
     */
    public CudnnMyrtleGradient(MultiLayerNetwork net, boolean tf32) {
        this.plan = MyrtlePlan.of(net);
        this.net = net;
        this.tf32 = tf32;
        CudaLibraries.Status status = CudaLibraries.status();
        if (!status.usable()) {
            throw new IllegalStateException("the cuDNN engine cannot run here: " + status.unavailable());
        }
        cuda(cudart.cudaSetDevice(0), "cudaSetDevice(0)");
        cudnn(cudnnCreate(cudnn), "cudnnCreate");
        blas(cublasCreate_v2(cublas), "cublasCreate");
        blas(cublasSetMathMode(cublas, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        cudnn(cudnnCreateActivationDescriptor(relu), "cudnnCreateActivationDescriptor");
        cudnn(cudnnSetActivationDescriptor(relu, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0), "relu descriptor");
        theta = malloc(plan.numParams());
        gradient = malloc(plan.numParams());
    }

    public MyrtlePlan plan() {
        return plan;
    }

    /** The algorithms chosen so far, per layer and pass. */
    public Map<String, Object> algorithms() {
        return Map.copyOf(algorithms);
    }

    /**
     * Computes S over all rows of x (images [n, 3, 32, 32]) and targets y ([n, 10]) at the network's current
     * parameters, in chunks of at most chunkSize rows, and writes grad S into {@code gradientOut} (a dense float
     * vector laid out like the network's parameters, overwritten). x is copied to the device on its first use and
     * kept there (x must not change afterwards).
     */
    @Override
    public Result compute(INDArray x, INDArray y, long chunkSize, INDArray gradientOut) {
        if (gradientOut.length() != plan.numParams() || gradientOut.dataType() != DataType.FLOAT
                || !gradientOut.isVector() || gradientOut.elementWiseStride() != 1) {
            throw new IllegalArgumentException("gradient must be a dense float vector of " + plan.numParams()
                    + " elements, got " + gradientOut.dataType() + " " + java.util.Arrays.toString(gradientOut.shape()));
        }
        DeviceData d = resident(x, y, chunkSize);
        if (chunk == null || chunk.rows != d.rows) {
            if (chunk != null) {
                chunk.close();
            }
            chunk = new Chunk(d.rows);
        }
        INDArray params = net.params();
        if (params.dataType() != DataType.FLOAT || params.elementWiseStride() != 1) {
            throw new IllegalStateException("the network's parameters must be a dense float vector");
        }
        copy(theta, address(params), plan.numParams(), cudart.cudaMemcpyHostToDevice);
        double squaredError = 0;
        long correct = 0;
        for (long start = 0, c = 0; start < d.n; start += d.rows, c++) {
            Result r = chunk.run(d, start, Math.min(d.rows, d.n - start), c > 0);
            squaredError += r.squaredError();
            correct += r.correct();
        }
        copy(address(gradientOut), gradient, plan.numParams(), cudart.cudaMemcpyDeviceToHost);
        java.lang.ref.Reference.reachabilityFence(params);
        java.lang.ref.Reference.reachabilityFence(gradientOut);
        return new Result(squaredError, correct);
    }

    /** The device copy of x (padded to whole chunks) and the host copy of y, made on first use. */
    private DeviceData resident(INDArray x, INDArray y, long chunkSize) {
        long[] image = {ModelFactory.CHANNELS, ModelFactory.IMAGE_SIZE, ModelFactory.IMAGE_SIZE};
        if (x.rank() != 4 || x.size(0) < 1 || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(x.shape(), 1, 4), image)
                || y.rank() != 2 || y.size(0) != x.size(0) || y.size(1) != plan.readout().out() || chunkSize < 1) {
            throw new IllegalArgumentException("expected images [n, 3, 32, 32], targets [n, " + plan.readout().out()
                    + "] and chunkSize >= 1, got " + java.util.Arrays.toString(x.shape()) + ", "
                    + java.util.Arrays.toString(y.shape()) + ", " + chunkSize);
        }
        long rows = MyrtlePlan.chunkRows(x.size(0), chunkSize);
        DeviceData d = data.get(x);
        if (d != null && d.rows == rows) {
            return d;
        }
        if (d != null) {
            d.close();
            data.remove(x);
            dataOrder.remove(x);
        }
        if (dataOrder.size() >= 2) { // train and test at most; an older split gives its memory back
            data.remove(dataOrder.get(0)).close();
            dataOrder.remove(0);
        }
        d = new DeviceData(x, y, rows);
        data.put(x, d);
        dataOrder.add(x);
        return d;
    }

    /** A split on the device: images [chunks * rows, 3, 32, 32] (zero padding at the end), targets on the host. */
    private final class DeviceData implements AutoCloseable {
        final long n;
        final long rows;
        final Pointer images;
        final float[] targets;

        DeviceData(INDArray x, INDArray y, long rows) {
            this.n = x.size(0);
            this.rows = rows;
            long padded = (n + rows - 1) / rows * rows;
            images = malloc(padded * MyrtlePlan.IMAGE_FLOATS);
            cuda(cudart.cudaMemset(images, 0, padded * MyrtlePlan.IMAGE_FLOATS * FLOAT), "cudaMemset");
            INDArray dense = x.dataType() == DataType.FLOAT && x.ordering() == 'c' && x.elementWiseStride() == 1
                    ? x : x.castTo(DataType.FLOAT).dup('c');
            copy(images, address(dense), n * MyrtlePlan.IMAGE_FLOATS, cudart.cudaMemcpyHostToDevice);
            java.lang.ref.Reference.reachabilityFence(dense);
            targets = y.castTo(DataType.FLOAT).dup('c').data().asFloat();
        }

        Pointer images(long start) {
            return offset(images, start * MyrtlePlan.IMAGE_FLOATS);
        }

        @Override
        public void close() {
            cudart.cudaFree(images);
        }
    }

    /** Descriptors, algorithms and buffers for chunks of {@code rows} images. */
    private final class Chunk implements AutoCloseable {
        final long rows;
        final List<Layer> layers = new ArrayList<>();
        final List<Pointer> buffers = new ArrayList<>();
        final Pointer scratchA;
        final Pointer scratchB;
        final Pointer features;   // h: [rows, C] = the last pooling's output
        final Pointer outputs;    // f: [rows, K]
        final Pointer delta;      // dS/df: [rows, K]
        final cudnnTensorStruct outputDesc = tensor(0, 0, 0);
        final cudnnTensorStruct outputBiasDesc = tensor(0, 0, 0);
        final Pointer workspace;
        final long workspaceBytes;
        final float[] hostOutputs;
        final float[] hostDelta;
        final FloatPointer hostBuffer;

        Chunk(long rows) {
            this.rows = rows;
            requireMemory(rows);
            MyrtlePlan.Readout r = plan.readout();
            long work = 0;
            for (int l = 0; l < plan.convs().size(); l++) {
                Layer layer = new Layer(l, plan.convs().get(l), rows);
                layers.add(layer);
                work = Math.max(work, layer.workspaceBytes);
            }
            workspaceBytes = work;
            workspace = work > 0 ? malloc(work / FLOAT + 1) : null;
            long largest = rows * plan.largestActivationFloatsPerImage();
            scratchA = keep(malloc(largest));
            scratchB = keep(malloc(largest));
            features = layers.get(layers.size() - 1).pooled;
            outputs = keep(malloc(rows * r.out()));
            delta = keep(malloc(rows * r.out()));
            set(outputDesc, rows, r.out(), 1);
            set(outputBiasDesc, 1, r.out(), 1);
            hostOutputs = new float[(int) (rows * r.out())];
            hostDelta = new float[(int) (rows * r.out())];
            hostBuffer = new FloatPointer(rows * r.out());
        }

        /** One chunk: images start .. start + m of d (m <= rows; the rest of the chunk is padding). */
        Result run(DeviceData d, long start, long m, boolean accumulate) {
            FloatPointer alpha = new FloatPointer(1f);
            FloatPointer beta0 = new FloatPointer(0f);
            FloatPointer betaGrad = new FloatPointer(accumulate ? 1f : 0f);
            // forward
            Pointer input = d.images(start);
            for (Layer l : layers) {
                l.input = input;
                cudnn(cudnnConvolutionForward(cudnn, alpha, l.inDesc, input, l.filterDesc, offset(theta, l.conv.weightOffset()),
                        l.convDesc, l.fwdAlgo, workspace, workspaceBytes, beta0, l.outDesc, l.activation), "forward " + l.index);
                if (l.conv.bias()) {
                    cudnn(cudnnAddTensor(cudnn, alpha, l.biasDesc, offset(theta, l.conv.biasOffset()), alpha, l.outDesc,
                            l.activation), "bias " + l.index);
                }
                cudnn(cudnnActivationForward(cudnn, relu, alpha, l.outDesc, l.activation, beta0, l.outDesc, l.activation),
                        "relu " + l.index);
                if (l.conv.pool() > 1) {
                    cudnn(cudnnPoolingForward(cudnn, l.poolDesc, alpha, l.outDesc, l.activation, beta0, l.pooledDesc,
                            l.pooled), "pool " + l.index);
                }
                input = l.conv.pool() > 1 ? l.pooled : l.activation;
            }
            // readout f^T [K, rows] = W^T [K, C] h^T [C, rows] (column-major; W is theta's [C, K] column-major)
            MyrtlePlan.Readout r = plan.readout();
            int c = (int) r.in();
            int k = (int) r.out();
            FloatPointer w = new FloatPointer(offset(theta, r.weightOffset()));
            blas(cublasSgemm_v2(cublas, CUBLAS_OP_T, CUBLAS_OP_N, k, (int) rows, c, alpha, w, c,
                    new FloatPointer(features), c, beta0, new FloatPointer(outputs), k), "readout");
            if (r.bias()) {
                cudnn(cudnnAddTensor(cudnn, alpha, outputBiasDesc, offset(theta, r.biasOffset()), alpha, outputDesc,
                        outputs), "readout bias");
            }
            copy(hostBuffer, outputs, rows * k, cudart.cudaMemcpyDeviceToHost);
            hostBuffer.get(hostOutputs);
            Result loss = lossAndDelta(hostOutputs, d.targets, start, (int) m, k, hostDelta);
            hostBuffer.put(hostDelta);
            copy(delta, hostBuffer, rows * k, cudart.cudaMemcpyHostToDevice);

            // readout gradients: dW [C, K] (+)= h^T [C, rows] delta [rows, K]; db = sum over rows; dh = W delta^T
            blas(cublasSgemm_v2(cublas, CUBLAS_OP_N, CUBLAS_OP_T, c, k, (int) rows, alpha, new FloatPointer(features), c,
                    new FloatPointer(delta), k, betaGrad, new FloatPointer(offset(gradient, r.weightOffset())), c),
                    "readout dW");
            if (r.bias()) {
                cudnn(cudnnConvolutionBackwardBias(cudnn, alpha, outputDesc, delta, betaGrad, outputBiasDesc,
                        offset(gradient, r.biasOffset())), "readout db");
            }
            Pointer diff = scratchA;
            blas(cublasSgemm_v2(cublas, CUBLAS_OP_N, CUBLAS_OP_N, c, (int) rows, k, alpha, w, c, new FloatPointer(delta), k,
                    beta0, new FloatPointer(diff), c), "readout dh");

            for (int i = layers.size() - 1; i >= 0; i--) {
                Layer l = layers.get(i);
                if (l.conv.pool() > 1) {
                    Pointer to = other(diff);
                    cudnn(cudnnPoolingBackward(cudnn, l.poolDesc, alpha, l.pooledDesc, l.pooled, l.pooledDesc, diff,
                            l.outDesc, l.activation, beta0, l.outDesc, to), "pool backward " + l.index);
                    diff = to;
                }
                Pointer to = other(diff);
                cudnn(cudnnActivationBackward(cudnn, relu, alpha, l.outDesc, l.activation, l.outDesc, diff, l.outDesc,
                        l.activation, beta0, l.outDesc, to), "relu backward " + l.index);
                diff = to;
                if (l.conv.bias()) {
                    cudnn(cudnnConvolutionBackwardBias(cudnn, alpha, l.outDesc, diff, betaGrad, l.biasDesc,
                            offset(gradient, l.conv.biasOffset())), "bias backward " + l.index);
                }
                cudnn(cudnnConvolutionBackwardFilter(cudnn, alpha, l.inDesc, l.input, l.outDesc, diff, l.convDesc,
                        l.filterAlgo, workspace, workspaceBytes, betaGrad, l.filterDesc,
                        offset(gradient, l.conv.weightOffset())), "filter backward " + l.index);
                if (i > 0) { // the first layer's input gradient is never needed
                    to = other(diff);
                    cudnn(cudnnConvolutionBackwardData(cudnn, alpha, l.filterDesc, offset(theta, l.conv.weightOffset()),
                            l.outDesc, diff, l.convDesc, l.dataAlgo, workspace, workspaceBytes, beta0, l.inDesc, to),
                            "data backward " + l.index);
                    diff = to;
                }
            }
            alpha.close();
            beta0.close();
            betaGrad.close();
            return loss;
        }

        private Pointer other(Pointer p) {
            return p == scratchA ? scratchB : scratchA;
        }

        private Pointer keep(Pointer p) {
            buffers.add(p);
            return p;
        }

        @Override
        public void close() {
            for (Layer l : layers) {
                l.close();
            }
            for (Pointer p : buffers) {
                cudart.cudaFree(p);
            }
            if (workspace != null) {
                cudart.cudaFree(workspace);
            }
            cudnnDestroyTensorDescriptor(outputDesc);
            cudnnDestroyTensorDescriptor(outputBiasDesc);
            hostBuffer.close();
        }
    }

    /** One convolution stage's descriptors, algorithms and activation buffers. */
    private final class Layer implements AutoCloseable {
        final int index;
        final MyrtlePlan.Conv conv;
        final cudnnTensorStruct inDesc;
        final cudnnTensorStruct outDesc;
        final cudnnTensorStruct biasDesc;
        final cudnnTensorStruct pooledDesc;
        final cudnnFilterStruct filterDesc = new cudnnFilterStruct();
        final cudnnConvolutionStruct convDesc = new cudnnConvolutionStruct();
        final cudnnPoolingStruct poolDesc = new cudnnPoolingStruct();
        final Pointer activation;
        final Pointer pooled;
        final int fwdAlgo;
        final int filterAlgo;
        final int dataAlgo;
        final long workspaceBytes;
        Pointer input;

        Layer(int index, MyrtlePlan.Conv c, long rows) {
            this.index = index;
            this.conv = c;
            inDesc = tensor(rows, c.in(), c.size());
            outDesc = tensor(rows, c.out(), c.size());
            biasDesc = tensor(1, c.out(), 1);
            pooledDesc = tensor(rows, c.out(), c.outSize());
            cudnn(cudnnCreateFilterDescriptor(filterDesc), "filter descriptor");
            cudnn(cudnnSetFilter4dDescriptor(filterDesc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, (int) c.out(), (int) c.in(),
                    3, 3), "filter descriptor");
            cudnn(cudnnCreateConvolutionDescriptor(convDesc), "convolution descriptor");
            cudnn(cudnnSetConvolution2dDescriptor(convDesc, 1, 1, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                    "convolution descriptor");
            int math = tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
            cudnn(cudnnSetConvolutionMathType(convDesc, math), "math type");
            cudnn(cudnnCreatePoolingDescriptor(poolDesc), "pooling descriptor");
            cudnn(cudnnSetPooling2dDescriptor(poolDesc, CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING,
                    CUDNN_NOT_PROPAGATE_NAN, c.pool(), c.pool(), 0, 0, c.pool(), c.pool()), "pooling descriptor");
            activation = malloc(rows * c.out() * c.size() * c.size());
            pooled = c.pool() > 1 ? malloc(rows * c.out() * c.outSize() * c.outSize()) : null;

            int count = 16;
            int[] found = {0};
            SizeTPointer bytes = new SizeTPointer(1);
            cudnnConvolutionFwdAlgoPerf_t fwd = new cudnnConvolutionFwdAlgoPerf_t(count);
            cudnn(cudnnGetConvolutionForwardAlgorithm_v7(cudnn, inDesc, filterDesc, convDesc, outDesc, count, found, fwd),
                    "forward algorithm");
            int chosen = -1;
            for (int i = 0; i < found[0] && chosen < 0; i++) {
                fwd.position(i);
                if (fwd.status() == CUDNN_STATUS_SUCCESS && fwd.mathType() == math && fwd.memory() <= WORKSPACE_LIMIT) {
                    chosen = fwd.algo();
                }
            }
            fwdAlgo = chosen >= 0 ? chosen : CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
            fwd.position(0).close();
            cudnn(cudnnGetConvolutionForwardWorkspaceSize(cudnn, inDesc, filterDesc, convDesc, outDesc, fwdAlgo, bytes),
                    "forward workspace");
            long work = bytes.get();

            cudnnConvolutionBwdFilterAlgoPerf_t bf = new cudnnConvolutionBwdFilterAlgoPerf_t(count);
            cudnn(cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn, inDesc, outDesc, convDesc, filterDesc, count,
                    found, bf), "filter algorithm");
            chosen = -1;
            for (int i = 0; i < found[0] && chosen < 0; i++) {
                bf.position(i);
                if (bf.status() == CUDNN_STATUS_SUCCESS && bf.determinism() == CUDNN_DETERMINISTIC
                        && bf.mathType() == math && bf.memory() <= WORKSPACE_LIMIT) {
                    chosen = bf.algo();
                }
            }
            filterAlgo = chosen >= 0 ? chosen : CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
            bf.position(0).close();
            cudnn(cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnn, inDesc, outDesc, convDesc, filterDesc,
                    filterAlgo, bytes), "filter workspace");
            work = Math.max(work, bytes.get());

            int data = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
            if (index > 0) {
                cudnnConvolutionBwdDataAlgoPerf_t bd = new cudnnConvolutionBwdDataAlgoPerf_t(count);
                cudnn(cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn, filterDesc, outDesc, convDesc, inDesc, count,
                        found, bd), "data algorithm");
                chosen = -1;
                for (int i = 0; i < found[0] && chosen < 0; i++) {
                    bd.position(i);
                    if (bd.status() == CUDNN_STATUS_SUCCESS && bd.determinism() == CUDNN_DETERMINISTIC
                            && bd.mathType() == math && bd.memory() <= WORKSPACE_LIMIT) {
                        chosen = bd.algo();
                    }
                }
                data = chosen >= 0 ? chosen : CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
                bd.position(0).close();
                cudnn(cudnnGetConvolutionBackwardDataWorkspaceSize(cudnn, filterDesc, outDesc, convDesc, inDesc, data,
                        bytes), "data workspace");
                work = Math.max(work, bytes.get());
            }
            dataAlgo = data;
            workspaceBytes = work;
            bytes.close();
            String chosenText = "fwd " + fwdAlgo + ", bwd_filter " + filterAlgo
                    + (index > 0 ? ", bwd_data " + dataAlgo : "") + ", workspace " + work + " B";
            algorithms.put("layer" + index, chosenText);
            org.slf4j.LoggerFactory.getLogger(CudnnMyrtleGradient.class).info(
                    "cuDNN layer {} ({} -> {} channels at {}x{}, {} images per chunk, {}): {}", index, c.in(), c.out(),
                    c.size(), c.size(), rows, tf32 ? "TF32" : "FMA float32", chosenText);
        }

        @Override
        public void close() {
            cudart.cudaFree(activation);
            if (pooled != null) {
                cudart.cudaFree(pooled);
            }
            cudnnDestroyTensorDescriptor(inDesc);
            cudnnDestroyTensorDescriptor(outDesc);
            cudnnDestroyTensorDescriptor(biasDesc);
            cudnnDestroyTensorDescriptor(pooledDesc);
            cudnnDestroyFilterDescriptor(filterDesc);
            cudnnDestroyConvolutionDescriptor(convDesc);
            cudnnDestroyPoolingDescriptor(poolDesc);
        }
    }

    /**
     * The host half of a chunk: S and the correct argmax predictions of outputs f (rows x k, row-major) against
     * targets rows start.. of {@code targets}, and dS/df = 2 (f - y) into delta; rows m.. of the chunk are padding
     * (delta 0, not counted). The first maximum wins a tie, as ND4J's argMax.
     */
    static Result lossAndDelta(float[] outputs, float[] targets, long start, int m, int k, float[] delta) {
        double squaredError = 0;
        long correct = 0;
        java.util.Arrays.fill(delta, 0f);
        for (int i = 0; i < m; i++) {
            int best = 0;
            int target = 0;
            long row = (start + i) * k;
            for (int o = 0; o < k; o++) {
                float f = outputs[i * k + o];
                float t = targets[(int) (row + o)];
                double e = (double) f - t;
                squaredError += e * e;
                delta[i * k + o] = (float) (2 * e);
                if (f > outputs[i * k + best]) {
                    best = o;
                }
                if (t > targets[(int) (row + target)]) {
                    target = o;
                }
            }
            correct += best == target ? 1 : 0;
        }
        return new Result(squaredError, correct);
    }

    /** Fails before allocating when a chunk cannot fit in the device's free memory, saying which chunk size would. */
    private void requireMemory(long rows) {
        SizeTPointer free = new SizeTPointer(1);
        SizeTPointer total = new SizeTPointer(1);
        try {
            if (cudart.cudaMemGetInfo(free, total) != 0) {
                return; // the allocations will report it
            }
            long perImage = plan.deviceFloatsPerImage() * FLOAT;
            long budget = free.get() - WORKSPACE_LIMIT;
            if (rows * perImage > budget) {
                throw new IllegalStateException("a chunk of " + rows + " images needs " + (rows * perImage >> 20)
                        + " MiB of GPU memory (plus up to " + (WORKSPACE_LIMIT >> 20) + " MiB of cuDNN workspace), "
                        + (free.get() >> 20) + " MiB are free: set train.chunk_size to at most "
                        + Math.max(1, budget / perImage));
            }
        } finally {
            free.close();
            total.close();
        }
    }

    private static cudnnTensorStruct tensor(long n, long c, long size) {
        cudnnTensorStruct t = new cudnnTensorStruct();
        cudnn(cudnnCreateTensorDescriptor(t), "tensor descriptor");
        if (n > 0) {
            set(t, n, c, size);
        }
        return t;
    }

    private static void set(cudnnTensorStruct t, long n, long c, long size) {
        cudnn(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, (int) n, (int) c, (int) size,
                (int) size), "tensor descriptor [" + n + ", " + c + ", " + size + ", " + size + "]");
    }

    /** cudaMalloc of this many floats (rounded to whole 256-byte blocks by CUDA itself). */
    private static Pointer malloc(long floats) {
        Pointer p = new Pointer();
        int error = cudart.cudaMalloc(p, Math.max(1, floats) * FLOAT);
        if (error != 0) {
            throw new IllegalStateException("cudaMalloc of " + floats * FLOAT + " bytes failed: "
                    + cudart.cudaGetErrorString(error).getString() + " (lower train.chunk_size)");
        }
        return p;
    }

    private static void copy(Pointer to, Pointer from, long floats, int kind) {
        cuda(cudart.cudaMemcpy(to, from, floats * FLOAT, kind), "cudaMemcpy");
    }

    /** A pointer to element {@code floats} of a device buffer (a new Pointer; the base is unchanged). */
    static Pointer offset(Pointer base, long floats) {
        long at = base.address() + floats * FLOAT;
        return new Pointer() {
            {
                address = at;
            }
        };
    }

    /** Address of an array's first element, for copying without an intermediate buffer. */
    private static Pointer address(INDArray a) {
        long at = a.data().address() + a.offset() * a.dataType().width();
        return new Pointer() {
            {
                address = at;
            }
        };
    }

    private static void cuda(int error, String what) {
        if (error != 0) {
            throw new IllegalStateException(what + " failed: CUDA error " + error + " ("
                    + cudart.cudaGetErrorString(error).getString() + ")");
        }
    }

    private static void cudnn(int status, String what) {
        if (status != CUDNN_STATUS_SUCCESS) {
            throw new IllegalStateException("cuDNN " + what + " failed: " + cudnnGetErrorString(status).getString());
        }
    }

    private static void blas(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException("cuBLAS " + what + " failed: " + cublasGetStatusString(status).getString());
        }
    }

    /** env.json: the GPU, the CUDA/cuDNN/cuBLAS versions and the math mode. */
    @Override
    public Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>(CudaLibraries.status().description());
        env.put("tf32", tf32);
        return env;
    }

    @Override
    public void close() {
        if (chunk != null) {
            chunk.close();
            chunk = null;
        }
        for (DeviceData d : data.values()) {
            d.close();
        }
        data.clear();
        dataOrder.clear();
        cudart.cudaFree(theta);
        cudart.cudaFree(gradient);
        cudnnDestroyActivationDescriptor(relu);
        cublasDestroy_v2(cublas);
        cudnnDestroy(cudnn);
    }
}
