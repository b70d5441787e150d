package org.speedlimits.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.speedlimits.config.ExperimentConfig;

import java.util.List;

/**
 * The geometry of parameter space for a parameterisation, expressed on the network's standard-parameterised theta.
 *
 * <p>NTK parameterisation writes W = sigma/sqrt(fan_in) * omega with omega ~ N(0,1) and trains omega. Gradient flow
 * on omega is gradient flow on W with a per-parameter learning rate eta * sigma^2/fan_in, and
 * |d omega|^2 = fan_in/sigma^2 |dW|^2. So one network serves both: {@link #lrScale} multiplies the gradient in the
 * update and {@link #metric} weights squared distances (biases: b = sigma_b * beta, scale sigma_b^2; sigma_b = 0
 * freezes them and leaves them out of distances). For the standard parameterisation both are 1.
 */
public final class Parameterization {
    private final ExperimentConfig.Parameterization kind;
    private final INDArray lrScale;
    private final INDArray metric;

    private Parameterization(ExperimentConfig.Parameterization kind, INDArray lrScale, INDArray metric) {
        this.kind = kind;
        this.lrScale = lrScale;
        this.metric = metric;
    }

    public static Parameterization of(ExperimentConfig.Parameterization kind, List<ParameterBlock> blocks,
                                      long numParams, DataType dtype) {
        if (kind == ExperimentConfig.Parameterization.STANDARD) {
            return new Parameterization(kind, null, null);
        }
        INDArray lr = Nd4j.zeros(DataType.DOUBLE, numParams);
        INDArray metric = Nd4j.zeros(DataType.DOUBLE, numParams);
        for (ParameterBlock b : blocks) {
            var slice = NDArrayIndex.interval(b.offset(), b.offset() + b.length());
            lr.get(slice).assign(ntkScale(b));
            metric.get(slice).assign(metricWeight(kind, b));
        }
        return new Parameterization(kind, lr.castTo(dtype), metric);
    }

    /** sigma^2/fan_in (weights) or sigma_b^2 (biases): the NTK learning-rate multiplier of a block. */
    static double ntkScale(ParameterBlock b) {
        return b.sigma() * b.sigma() / b.fanIn();
    }

    /** Weight of a block's squared distances: 1 (standard), 1/ntkScale (NTK; 0 for frozen sigma = 0 blocks). */
    static double metricWeight(ExperimentConfig.Parameterization kind, ParameterBlock b) {
        if (kind == ExperimentConfig.Parameterization.STANDARD) {
            return 1.0;
        }
        double scale = ntkScale(b);
        return scale == 0 ? 0.0 : 1.0 / scale;
    }

    /** |a - b|^2 for two slices holding one block's values, in this parameterisation's metric. */
    public double distanceSquared(INDArray a, INDArray b, ParameterBlock block) {
        return metricWeight(kind, block) * weightedSquaredSum(a, b, null);
    }

    public ExperimentConfig.Parameterization kind() {
        return kind;
    }

    /**
     * Per-parameter learning-rate multipliers S (sigma^2/fan_in under NTK), or null when all are 1. Gradient flow
     * moves outputs by df/dt = -eta J S J^T dL/df, so S is also the metric of the empirical NTK J S J^T.
     */
    public INDArray lrScale() {
        return lrScale;
    }

    /** The metric's per-parameter weights (1/lrScale; 0 for frozen parameters), or null when all are 1. */
    public double[] metricWeights() {
        return metric == null ? null : metric.toDoubleVector();
    }

    /** The step theta -> theta + delta for gradient g: delta = -eta * lrScale * g. Returns a new array. */
    public INDArray step(INDArray gradient, double lr) {
        INDArray delta = gradient.mul(-lr);
        return lrScale == null ? delta : delta.muli(lrScale);
    }

    /** |a - b|^2 in this parameterisation's metric, accumulated in double. */
    public double distanceSquared(INDArray a, INDArray b) {
        return weightedSquaredSum(a, b, metric);
    }

    /** |grad_omega L|^2: the squared gradient norm in the trained coordinates (sum lrScale * g^2). */
    public double gradientNormSquared(INDArray gradient) {
        return weightedSquaredSum(gradient, null, lrScale);
    }

    /**
     * sum_i w_i (a_i - b_i)^2 accumulated in double (b null: b = 0; w null: w = 1). Dense vectors are read in one
     * pass in Java: the per-epoch hooks call this a dozen times, and as ND4J ops (cast, subtract, square, multiply,
     * sum, each a fresh P-sized array) it cost 5 ms per epoch at P = 29k, 4% of a C = 32 epoch.
     */
    static double weightedSquaredSum(INDArray a, INDArray b, INDArray w) {
        DenseVector va = DenseVector.of(a);
        DenseVector vb = b == null ? null : DenseVector.of(b);
        DenseVector vw = w == null ? null : DenseVector.of(w);
        if (va == null || b != null && (vb == null || b.length() != a.length())
                || w != null && (vw == null || w.length() != a.length())) {
            INDArray diff = b == null ? a.castTo(DataType.DOUBLE) : a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE));
            INDArray sq = diff.mul(diff); // a fresh array even where castTo returned a itself
            if (w != null) {
                sq.muli(w.castTo(DataType.DOUBLE).reshape(sq.shape()));
            }
            return sq.sumNumber().doubleValue();
        }
        int n = (int) a.length();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = vb == null ? va.get(i) : va.get(i) - vb.get(i);
            sum += vw == null ? d * d : vw.get(i) * d * d;
        }
        return sum;
    }

    /** Element i of a dense float or double vector (any rank, one contiguous run), read from its native buffer. */
    private interface DenseVector {
        double get(int i);

        static DenseVector of(INDArray a) {
            boolean dense = a.length() < Integer.MAX_VALUE && (a.length() == 1 || a.elementWiseStride() == 1)
                    && (a.isVector() || a.isScalar() || a.ordering() == 'c' && !a.isView());
            if (!dense) {
                return null;
            }
            java.nio.ByteBuffer bytes = a.data().asNio().order(java.nio.ByteOrder.nativeOrder());
            int offset = (int) a.offset();
            if (a.dataType() == DataType.FLOAT) {
                java.nio.FloatBuffer f = bytes.asFloatBuffer();
                return i -> f.get(offset + i);
            }
            if (a.dataType() == DataType.DOUBLE) {
                java.nio.DoubleBuffer d = bytes.asDoubleBuffer();
                return i -> d.get(offset + i);
            }
            return null;
        }
    }
}
