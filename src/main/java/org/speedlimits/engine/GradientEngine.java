package org.speedlimits.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.data.Split;

/**
 * What computes theta -> (L(theta), grad L(theta), training accuracy) over a split: the only thing the trainer,
 * the dynamics, lambda_max and the NTK one-step check ask of a network. theta is the flat parameter vector in DL4J's
 * layout (the coordinates the parameterisation's lrScale and metric are expressed in); L is the run's
 * {@link org.speedlimits.model.SquaredErrorLoss}. A new engine (a GPU one) is a new implementation chosen in
 * {@link GradientEngines}; nothing else changes.
 */
public interface GradientEngine extends AutoCloseable {
    /** Short name recorded in env.json and run.log: dl4j, onednn, cudnn. */
    String name();

    /**
     * Evaluates at {@code theta}. Where theta is not the network's own parameter array its values are copied into
     * the network first (the network then holds theta). Returns a fresh gradient array.
     */
    Evaluation evaluate(INDArray theta, Split split);

    /**
     * What env.json records about this engine beyond its name (the GPU, library versions, math mode): read after
     * the first evaluation, when the engine has chosen its algorithms.
     */
    default java.util.Map<String, Object> environment() {
        return java.util.Map.of();
    }

    /** Releases native resources; the engine is unusable afterwards. */
    @Override
    default void close() {
    }
}
