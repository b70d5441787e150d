package org.speedlimits.engine;

import org.junit.jupiter.api.Test;
import org.speedlimits.config.ExperimentConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientEnginesTest {
    /** Without oneDNN's native library auto falls back to DL4J's layers and onednn fails naming the cause. */
    @Test
    void missingOneDnnLibraryFallsBackUnderAutoOnly() {
        java.util.function.Supplier<org.speedlimits.model.OneDnnMyrtleGradient> broken = () -> {
            throw new UnsatisfiedLinkError("no jnidnnl in java.library.path");
        };
        assertEquals(null, GradientEngines.chooseOneDnn(ExperimentConfig.GradientEngine.AUTO, null, broken));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> GradientEngines.chooseOneDnn(ExperimentConfig.GradientEngine.ONEDNN, null, broken));
        assertTrue(e.getMessage().contains("jnidnnl") && e.getMessage().contains("train.engine=dl4j"), e.getMessage());
        assertEquals(null, GradientEngines.chooseOneDnn(ExperimentConfig.GradientEngine.AUTO, "not ReLU", broken));
    }


    /**
     * cudnn where it cannot run fails naming what is missing; auto falls back to the CPU engines, also when a CUDA
     * call fails after the probe succeeded.
     */
    @Test
    void unusableCudaFallsBackUnderAutoOnly() {
        var noLibrary = new org.speedlimits.model.CudaLibraries.Status(
                "libcudnn_cnn.so.9 was not found: install cuDNN 9", true, java.util.Map.of());
        java.util.function.Supplier<org.speedlimits.model.CudnnMyrtleGradient> never = () -> {
            throw new AssertionError("must not be created when the probe says unusable");
        };
        assertEquals(null, GradientEngines.chooseCudnn(ExperimentConfig.GradientEngine.AUTO, null, () -> noLibrary, never));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> GradientEngines.chooseCudnn(ExperimentConfig.GradientEngine.CUDNN, null, () -> noLibrary, never));
        assertTrue(e.getMessage().contains("libcudnn_cnn.so.9") && e.getMessage().contains("train.engine=auto"),
                e.getMessage());
        IllegalArgumentException fcn = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GradientEngines.chooseCudnn(ExperimentConfig.GradientEngine.CUDNN, "needs float32 parameters",
                        () -> noLibrary, never));
        assertTrue(fcn.getMessage().contains("float32"), fcn.getMessage());

        var usable = new org.speedlimits.model.CudaLibraries.Status(null, true, java.util.Map.of());
        java.util.function.Supplier<org.speedlimits.model.CudnnMyrtleGradient> outOfMemory = () -> {
            throw new IllegalStateException("cudaMalloc of 4096 bytes failed: out of memory");
        };
        assertEquals(null, GradientEngines.chooseCudnn(ExperimentConfig.GradientEngine.AUTO, null, () -> usable, outOfMemory));
        IllegalStateException oom = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> GradientEngines.chooseCudnn(ExperimentConfig.GradientEngine.CUDNN, null, () -> usable, outOfMemory));
        assertTrue(oom.getMessage().contains("cudaMalloc"), oom.getMessage());
    }

    /** On this machine without an NVIDIA driver: auto trains on oneDNN, cudnn refuses naming libcuda.so.1. */
    @Test
    void withoutADriverAutoPicksOneDnnAndCudnnNamesTheDriver() {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.speedlimits.model.CudaLibrariesTest.driverInstalled());
        org.speedlimits.run.Backend.initialise();
        var network = org.speedlimits.model.MyrtlePlanTest.myrtle(5, 2, true);
        ExperimentConfig.Train auto = train(ExperimentConfig.GradientEngine.AUTO);
        try (GradientEngine engine = GradientEngines.create(network, auto)) {
            assertEquals("onednn", engine.name());
        }
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> GradientEngines.create(network, train(ExperimentConfig.GradientEngine.CUDNN)));
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
    }

    private static ExperimentConfig.Train train(ExperimentConfig.GradientEngine engine) {
        return new ExperimentConfig.Train(1, 0.1, ExperimentConfig.LossNormalization.MEAN,
                ExperimentConfig.Precision.FLOAT32, 10, 1, 0, 0, 10, 1000, engine);
    }
}
