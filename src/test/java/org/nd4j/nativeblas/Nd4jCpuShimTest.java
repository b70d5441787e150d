package org.nd4j.nativeblas;

import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shim must make DL4J's oneDNN check succeed and DL4J must then attach oneDNN helpers to conv layers. */
class Nd4jCpuShimTest {

    @Test
    void shimReportsTheNativeOneDnnFlag() throws Exception {
        Nd4j.create(1); // load the backend
        Class<?> nativeEnv = Class.forName(Nd4jCpu.NATIVE_ENVIRONMENT);
        Object instance = nativeEnv.getMethod("getInstance").invoke(null);
        boolean expected = (Boolean) nativeEnv.getMethod("isUseONEDNN").invoke(instance);
        assertTrue(expected, "the onednn-avx2 native build should have oneDNN switched on");
        assertEquals(expected, Nd4jCpu.Environment.getInstance().isUseMKLDNN());
    }

    @Test
    void dl4jAttachesOneDnnConvolutionHelper() throws Exception {
        Nd4j.getEnvironment().allowHelpers(true);
        assertTrue(BaseMKLDNNHelper.mklDnnEnabled(), "DL4J's oneDNN check fails: shim not found?");
        var model = new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, 4, ExperimentConfig.Activation.RELU,
                ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0);
        Network n = ModelFactory.build(model, 0, DataType.FLOAT);
        Field helper = ConvolutionLayer.class.getDeclaredField("helper");
        helper.setAccessible(true);
        assertInstanceOf(MKLDNNConvHelper.class, helper.get(n.net().getLayer(0)));
    }
}
