package org.speedlimits.config;

import org.speedlimits.data.Preprocessing;

import java.util.Locale;

/**
 * The resolved configuration of one training run. Field names follow the YAML keys
 * (snake_case in YAML, camelCase here); documented defaults live in {@code defaults.yaml}.
 */
public record ExperimentConfig(String experiment, long seed, Data data, Model model, Train train, Output output,
                               Hooks hooks, Checkpoint checkpoint, Ntk ntk) {

    public record Data(String dir, int nTrain, int nTest, boolean standardize, Preprocessing.TargetEncoding targets) {
    }

    public record Model(ModelType type, int depth, int width, Activation activation,
                        Parameterization parameterization, double sigmaW, boolean bias, double sigmaB) {
    }

    public record Train(long epochs, double lr, LossNormalization loss, Precision dtype, int chunkSize,
                        long evalEvery, int evalLogPoints, long progressEvery, double progressSeconds,
                        double divergenceFactor, GradientEngine engine) {
    }

    public record Hooks(java.util.List<Long> anchors, int anchorLogPoints, boolean perLayer, int triplets,
                        long tripletsEvery, long lambdaMaxEvery, int lambdaMaxIterations, double lambdaMaxWarn) {
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

    /** How the squared error is normalised; see {@link org.speedlimits.train.SquaredErrorLoss}. */
    public enum LossNormalization { MEAN, SUM }

    /**
     * What computes the training gradient: dl4j (DL4J's layers), onednn (model.OneDnnMyrtleGradient: Myrtle, float32,
     * CPU), auto (onednn where it applies, else dl4j).
     */
    public enum GradientEngine { AUTO, DL4J, ONEDNN }

    public enum Precision {
        FLOAT32, FLOAT64;

        public org.nd4j.linalg.api.buffer.DataType dataType() {
            return this == FLOAT32 ? org.nd4j.linalg.api.buffer.DataType.FLOAT
                    : org.nd4j.linalg.api.buffer.DataType.DOUBLE;
        }
    }

    /** Lower-case name as written in YAML. */
    public static String yamlName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
