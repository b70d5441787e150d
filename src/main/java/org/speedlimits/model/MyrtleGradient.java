package org.speedlimits.model;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The Myrtle training gradient computed with a vendor's primitives directly ({@link OneDnnMyrtleGradient} on the
 * CPU, {@link CudnnMyrtleGradient} on an NVIDIA GPU), theta and the gradient in DL4J's flat layout
 * ({@link MyrtlePlan}). Not thread-safe.
 */
public interface MyrtleGradient extends AutoCloseable {
    /** S and the number of correct argmax predictions of one {@link #compute} call. */
    record Result(double squaredError, long correct) {
    }

    /**
     * Computes S over all rows of x (images [n, 3, 32, 32]) and targets y ([n, 10]) at the network's current
     * parameters, in chunks of at most chunkSize rows, and writes grad S into {@code gradient} (a dense float vector
     * laid out like the network's parameters, overwritten).
     */
    Result compute(INDArray x, INDArray y, long chunkSize, INDArray gradient);

    /** What env.json records about this pass beyond the engine's name (the GPU, library versions, math mode). */
    default Map<String, Object> environment() {
        return Map.of();
    }

    @Override
    void close();
}
