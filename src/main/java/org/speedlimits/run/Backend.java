package org.speedlimits.run;

import org.speedlimits.engine.NativeAllocator;

import org.deeplearning4j.config.DL4JClassLoading;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Initialises the ND4J backend once, with a clear message when it cannot start, and describes it for env.json. */
public final class Backend {
    private static final Logger LOG = LoggerFactory.getLogger(Backend.class);
    static final String HELPERS_DISABLED_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private Backend() {
    }

    /**
     * Loads the backend and switches on DL4J's oneDNN helpers (see org.nd4j.nativeblas.Nd4jCpu for the shim that
     * makes them work on M2.1). Call before building any network: helpers are attached when layers are created.
     */
    public static Map<String, Object> initialise() {
        Properties info;
        try {
            // DL4J M2.1 creates no oneDNN/cuDNN layer helpers unless this property is "false" (its default is "true")
            System.setProperty(HELPERS_DISABLED_PROPERTY, "false");
            Nd4j.getEnvironment().allowHelpers(true);
            // DL4J finds the oneDNN shim by name through its own class loader, which under `mvn exec:java` is not
            // the one holding this project's classes; without this the check fails silently (16x slower convs)
            DL4JClassLoading.setDl4jClassloaderFromClass(Backend.class);
            info = Nd4j.getExecutioner().getEnvironmentInformation();
        } catch (Throwable e) {
            throw new IllegalStateException(failureMessage(e), e);
        }
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("backend", String.valueOf(info.getProperty("backend")));
        described.put("backend_class", Nd4j.getBackend().getClass().getName());
        described.put("blas_vendor", String.valueOf(info.getProperty("blas.vendor")));
        described.put("blas_threads", Nd4j.getEnvironment().maxMasterThreads());
        described.put("omp_threads", Nd4j.getEnvironment().maxThreads());
        described.put("onednn", BaseMKLDNNHelper.mklDnnEnabled()); // DL4J's own verdict: conv layers use oneDNN
        described.put("cores", EnvironmentInfo.cores(info.get("cores")));
        Object devices = info.get("cuda.devicesInformation");
        if ("CUDA".equalsIgnoreCase(String.valueOf(info.getProperty("backend")))) {
            if (devices == null || devices.toString().equals("[]")) {
                throw new IllegalStateException("the CUDA backend is loaded but reports no usable GPU; "
                        + "run the CPU build (plain `mvn`, without -Pcuda) or check nvidia-smi / CUDA_VISIBLE_DEVICES");
            }
            described.put("gpus", devices.toString());
            described.putAll(EnvironmentInfo.cudaDescription(devices, EnvironmentInfo.nvidiaDriverVersion(),
                    EnvironmentInfo.cudaVersion("cudaRuntimeGetVersion"), EnvironmentInfo.cudaVersion("cudaDriverGetVersion")));
        }
        LOG.info("ND4J backend {} ({}), BLAS {} with {} threads, oneDNN helpers {}", described.get("backend"),
                described.get("backend_class"), described.get("blas_vendor"), described.get("blas_threads"),
                described.get("onednn"));
        if (described.containsKey("gpus")) {
            LOG.info("GPU devices: {}", described.get("gpus"));
        } else {
            NativeAllocator.logStatus();
            NativeAllocator.startPeriodicRelease();
        }
        return described;
    }

    static String failureMessage(Throwable e) {
        String text = String.valueOf(e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            text += " / " + c;
        }
        if (text.toLowerCase().contains("cuda")) {
            return "cannot start the CUDA backend (" + text + "). The -Pcuda build needs an NVIDIA GPU of compute "
                    + "capability sm_37..sm_86 (K80 ... A100, RTX 30xx; not Hopper/H100), a driver for CUDA 11.6 and the "
                    + "native jars (-Pcuda-native). Without a usable GPU run the default CPU build: plain `mvn`.";
        }
        return "cannot start the ND4J backend: " + text;
    }
}
