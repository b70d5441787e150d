package org.speedlimits.config;


import java.util.Locale;

/**
 * The resolved configuration of one training run. Field names follow the YAML keys
 * (snake_case in YAML, camelCase here); documented defaults live in {@code defaults.yaml}.
 */
public record ExperimentConfig(String experiment, long seed, Data data, Model model, Train train, Output output,
                               Hooks hooks, Checkpoint checkpoint, Ntk ntk) {

    public record Data(String dir, int nTrain, int nTest, boolean standardize, TargetEncoding targets) {
    }

    public record Model(ModelType type, int depth, int width, Activation activation,
                        Parameterization parameterization, double sigmaW, boolean bias, double sigmaB) {
    }

    /**
     * Training: the dynamics, the horizon and the rows. Physical time is t = lr * epoch for both dynamics: for gd lr
     * is the step, for flow it only sets the time unit of the epoch column (rows lie on multiples of lr).
     */
    public record Train(long epochs, double lr, LossNormalization loss, Precision dtype, int chunkSize,
                        long evalEvery, int evalLogPoints, long progressEvery, double progressSeconds,
                        double divergenceFactor, GradientEngine engine, DynamicsKind dynamics, double time,
                        double recordEvery, int recordLogPoints, double rtol, double atol, boolean tf32) {
        /** Plain gd with the flow settings at their defaults (tests, benchmarks). */
        public Train(long epochs, double lr, LossNormalization loss, Precision dtype, int chunkSize,
                     long evalEvery, int evalLogPoints, long progressEvery, double progressSeconds,
                     double divergenceFactor, GradientEngine engine) {
            this(epochs, lr, loss, dtype, chunkSize, evalEvery, evalLogPoints, progressEvery, progressSeconds,
                    divergenceFactor, engine, DynamicsKind.GD, 0, 0, 30, 1e-4, 1e-7, false);
        }

        /** The same settings with another dynamics. */
        public Train withDynamics(DynamicsKind kind) {
            return new Train(epochs, lr, loss, dtype, chunkSize, evalEvery, evalLogPoints, progressEvery,
                    progressSeconds, divergenceFactor, engine, kind, time, recordEvery, recordLogPoints, rtol, atol, tf32);
        }

        /** The horizon T = lr * epochs. */
        public double horizon() {
            return lr * epochs;
        }
    }

    /** gd: fixed-step gradient descent; flow: gradient flow by an adaptive stabilized Runge-Kutta method. */
    public enum DynamicsKind { GD, FLOW }

    public record Hooks(java.util.List<Long> anchors, java.util.List<Double> anchorTimes, int anchorLogPoints, boolean perLayer, int triplets,
                        long tripletsEvery, long lambdaMaxEvery, int lambdaMaxIterations, double lambdaMaxWarn) {
        /** hooks.anchors plus hooks.anchor_times as epochs (t / lr), sorted. */
        public java.util.TreeSet<Long> anchorEpochs(double lr) {
            java.util.TreeSet<Long> out = new java.util.TreeSet<>(anchors);
            anchorTimes.forEach(t -> out.add(epochOf(t, lr)));
            return out;
        }
    }

    /** The empirical-NTK hook: when (epoch specs), which kernel, memory cap, eigenvector output, Lanczos sizes. */
    public record Ntk(java.util.List<String> epochs, NtkKernel kernel, long memoryCapMb, boolean eigenvectors,
                      int topK, int denseMax) {
    }

    public record Checkpoint(int logPoints, long every, int keep) {
    }

    public record Output(String root, String runId, boolean figure) {
    }

    public enum ModelType { MYRTLE, FCN }

    public enum Activation { RELU, TANH, ERF }

    public enum Parameterization { STANDARD, NTK }

    /** trace: n x n, (1/K) sum over outputs; full: nK x nK. */
    public enum NtkKernel { TRACE, FULL }

    /** How the squared error is normalised; see {@link org.speedlimits.model.SquaredErrorLoss}. */
    public enum LossNormalization { MEAN, SUM }

    /**
     * What computes the training gradient: dl4j (DL4J's layers), onednn (model.OneDnnMyrtleGradient: Myrtle, float32,
     * CPU), cudnn (model.CudnnMyrtleGradient: Myrtle, float32, NVIDIA GPU), auto (cudnn where a CUDA device is usable,
     * else onednn where it applies, else dl4j).
     */
    public enum GradientEngine { AUTO, DL4J, ONEDNN, CUDNN }

    public enum Precision {
        FLOAT32, FLOAT64;

        public org.nd4j.linalg.api.buffer.DataType dataType() {
            return this == FLOAT32 ? org.nd4j.linalg.api.buffer.DataType.FLOAT
                    : org.nd4j.linalg.api.buffer.DataType.DOUBLE;
        }
    }

    /** The epoch (row key) of physical time t = lr * epoch, or -1 where t / lr is not a whole number (to 1e-9). */
    public static long epochOf(double t, double lr) {
        double e = t / lr;
        long rounded = Math.round(e);
        return Math.abs(e - rounded) <= 1e-9 * Math.max(1.0, Math.abs(e)) ? rounded : -1;
    }

    /** Lower-case name as written in YAML. */
    public static String yamlName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
