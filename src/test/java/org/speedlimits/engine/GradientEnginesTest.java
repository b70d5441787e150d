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

}
