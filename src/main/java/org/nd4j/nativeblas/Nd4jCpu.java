package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim for a DL4J 1.0.0-M2.1 bug (see README, "oneDNN shim").
 *
 * <p>{@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} looks up the class
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment} and calls {@code getInstance().isUseMKLDNN()} by
 * reflection. In M2.1 the native bindings moved to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} (method renamed {@code isUseONEDNN}), so the
 * lookup fails and DL4J silently falls back to its slow built-in convolutions (~16x slower for Myrtle-5).
 * This class restores the old name and delegates to the real binding. It is looked up by name only
 * and uses reflection itself, so it compiles and is inert on the CUDA backend.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    static final String NATIVE_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

    /** Old-name view of the native environment, as DL4J's helper code expects it. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** The name DL4J M2.1 calls. */
        public boolean isUseMKLDNN() {
            return isUseONEDNN();
        }

        /** True when the loaded CPU native library was built with oneDNN and has it switched on. */
        public boolean isUseONEDNN() {
            try {
                Class<?> nativeEnv = Class.forName(NATIVE_ENVIRONMENT);
                Object instance = nativeEnv.getMethod("getInstance").invoke(null);
                Method useOneDnn = nativeEnv.getMethod("isUseONEDNN");
                return (Boolean) useOneDnn.invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false; // not the CPU backend, or no native library: built-in kernels are used
            }
        }
    }
}
