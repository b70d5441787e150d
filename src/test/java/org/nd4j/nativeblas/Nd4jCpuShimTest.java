package org.nd4j.nativeblas;

import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.run.Backend;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shim must make DL4J's oneDNN check succeed, {@link Backend#initialise()} must then get oneDNN helpers attached
 * to conv layers, and those helpers must compute the same outputs and gradients as DL4J's built-in convolutions.
 */
class Nd4jCpuShimTest {
    static final ExperimentConfig.Model MYRTLE = new ExperimentConfig.Model(ExperimentConfig.ModelType.MYRTLE, 5, 4,
            ExperimentConfig.Activation.RELU, ExperimentConfig.Parameterization.STANDARD, Math.sqrt(2), false, 0);

    static Object convHelper(Network n) throws ReflectiveOperationException {
        Field helper = ConvolutionLayer.class.getDeclaredField("helper");
        helper.setAccessible(true);
        return helper.get(n.net().getLayer(0));
    }

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
    void oneDnnHelpersAreAttachedAndAgreeWithBuiltInConvolutions() throws Exception {
        Backend.initialise();
        assertTrue(BaseMKLDNNHelper.mklDnnEnabled(), "DL4J's oneDNN check fails: shim not found?");
        Network fast = ModelFactory.build(MYRTLE, 7, DataType.FLOAT);
        assertInstanceOf(MKLDNNConvHelper.class, convHelper(fast));

        Nd4j.getEnvironment().allowHelpers(false);
        Network builtIn;
        try {
            builtIn = ModelFactory.build(MYRTLE, 7, DataType.FLOAT);
        } finally {
            Nd4j.getEnvironment().allowHelpers(true);
        }
        assertNull(convHelper(builtIn));
        assertEquals(fast.net().params(), builtIn.net().params());

        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 3, 32, 32);
        INDArray y = Nd4j.rand(DataType.FLOAT, 6, 10);
        INDArray outFast = fast.net().output(x);
        INDArray outBuiltIn = builtIn.net().output(x);
        assertTrue(outFast.equalsWithEps(outBuiltIn, 1e-4), outFast + " vs " + outBuiltIn);
        INDArray gFast = fast.net().calculateGradients(x, y, null, null).getFirst().gradient().dup();
        INDArray gBuiltIn = builtIn.net().calculateGradients(x, y, null, null).getFirst().gradient().dup();
        double relative = gFast.sub(gBuiltIn).norm2Number().doubleValue() / gBuiltIn.norm2Number().doubleValue();
        assertTrue(relative < 1e-4, "oneDNN gradient differs from built-in by " + relative);
    }
}
