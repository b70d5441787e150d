package org.speedlimits.model;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.Loader;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the cuDNN engine can run here, and if not, exactly what is missing: the bindings' classes, the NVIDIA
 * driver (libcuda.so.1), a CUDA 13 library (libcudart.so.13, libcublas.so.13 / libcublasLt.so.13, the libcudnn*.so.9
 * family), a new enough driver, or a device. The bindings (bytedeco's cuda 13.1-9.19-1.5.13: Java classes plus JNI
 * glue) ship no CUDA library; those come from the GPU node's toolkit or pip's nvidia-* wheels.
 *
 * <p>{@code java -cp ... org.speedlimits.model.CudaLibraries} prints the result (bench/gpu/run-java.sh's first step).
 */
public final class CudaLibraries {
    /** Oldest compute capability CUDA 13 builds for (Turing); the engine is measured on sm_80 and sm_90. */
    static final int MIN_CAPABILITY = 75;

    /**
     * @param unavailable why the engine cannot run, or null when it can
     * @param driverFound whether an NVIDIA driver was found (false on an ordinary CPU machine: auto then stays quiet)
     * @param description for env.json: device, capability, memory, driver/runtime/cuDNN/cuBLAS versions
     */
    public record Status(String unavailable, boolean driverFound, Map<String, Object> description) {
        public boolean usable() {
            return unavailable == null;
        }
    }

    private static Status status;

    private CudaLibraries() {
    }

    /** The probe's result, computed once per JVM (loading native libraries cannot be undone anyway). */
    public static synchronized Status status() {
        if (status == null) {
            status = probe();
        }
        return status;
    }

    private static Status probe() {
        Map<String, Object> description = new LinkedHashMap<>();
        try {
            Class.forName("org.bytedeco.cuda.global.cudart", false, CudaLibraries.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return new Status("the CUDA bindings are not on the class path (org.bytedeco:cuda:13.1-9.19-1.5.13 and its "
                    + "linux-x86_64 jar; " + e + ")", false, description);
        }
        try {
            Loader.load(cudart.class);
        } catch (LinkageError e) {
            String missing = missingLibrary(e);
            return new Status(explain(e), missing == null || !missing.startsWith("libcuda.so"), description);
        }
        int[] version = new int[1];
        if (cudart.cudaRuntimeGetVersion(version) == 0) {
            description.put("cuda_runtime_version", versionText(version[0]));
        }
        if (cudart.cudaDriverGetVersion(version) == 0) {
            description.put("cuda_driver_api_version", versionText(version[0]));
        }
        int[] count = {0};
        int error = cudart.cudaGetDeviceCount(count);
        if (error != 0) {
            return new Status(deviceCountError(error, cudart.cudaGetErrorString(error).getString()), true, description);
        }
        if (count[0] < 1) {
            return new Status(deviceCountError(100, "no CUDA-capable device is detected"), true, description);
        }
        cudaDeviceProp p = new cudaDeviceProp();
        error = cudart.cudaGetDeviceProperties(p, 0);
        if (error != 0) {
            return new Status("cudaGetDeviceProperties(0) failed: " + cudart.cudaGetErrorString(error).getString(),
                    true, description);
        }
        int capability = 10 * p.major() + p.minor();
        description.put("gpu_name", p.name().getString().trim());
        description.put("gpu_compute_capability", "sm_" + capability);
        description.put("gpu_memory_bytes", p.totalGlobalMem());
        description.put("gpu_count", count[0]);
        p.close();
        if (capability < MIN_CAPABILITY) {
            return new Status("device 0 (" + description.get("gpu_name") + ") has compute capability sm_" + capability
                    + "; CUDA 13 and cuDNN 9 need sm_" + MIN_CAPABILITY + " or newer", true, description);
        }
        try {
            Loader.load(cublas.class);
            Loader.load(cudnn.class);
        } catch (LinkageError e) {
            return new Status(explain(e), true, description);
        }
        description.put("cudnn_version", cudnnVersionText(cudnn.cudnnGetVersion()));
        int[] major = {0};
        int[] minor = {0};
        int[] patch = {0};
        // libraryPropertyType: MAJOR_VERSION 0, MINOR_VERSION 1, PATCH_LEVEL 2
        if (cublas.cublasGetProperty(0, major) == 0 && cublas.cublasGetProperty(1, minor) == 0
                && cublas.cublasGetProperty(2, patch) == 0) {
            description.put("cublas_version", major[0] + "." + minor[0] + "." + patch[0]);
        }
        return new Status(null, true, description);
    }

    /** Message for a failed cudaGetDeviceCount, with the likely cause of the common codes. */
    static String deviceCountError(int code, String text) {
        String hint = switch (code) {
            case 35 -> ": the NVIDIA driver is older than CUDA 13 needs (driver 580 or newer)";
            case 34 -> ": libcuda.so.1 is the toolkit's stub, not a driver (remove .../lib/stubs from LD_LIBRARY_PATH)";
            case 100 -> ": no GPU is visible to this process (check CUDA_VISIBLE_DEVICES; SLURM: --gres=gpu:1)";
            case 3, 999 -> ": the driver could not initialise the GPU (nvidia-smi shows its state)";
            default -> "";
        };
        return "no usable CUDA device: cudaGetDeviceCount returned error " + code + " (" + text + ")" + hint;
    }

    private static final Pattern CANNOT_OPEN = Pattern.compile("(lib[\\w.+-]*?\\.so(?:\\.\\d+)*): cannot open shared object file");
    private static final Pattern GLIBC = Pattern.compile("(GLIBC_2\\.\\d+)' not found");

    /** The shared library a linkage error says could not be opened, or null. */
    static String missingLibrary(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = CANNOT_OPEN.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /** What to tell the user about a failure to load the bindings' native part: which library, and how to get it. */
    static String explain(Throwable e) {
        String missing = missingLibrary(e);
        if (missing != null) {
            return missingLibraryMessage(missing);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = GLIBC.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return "the CUDA bindings need " + m.group(1) + " (glibc 2.34 or newer; this system's C library is "
                        + "older): " + t.getMessage();
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return "the CUDA bindings' native part could not be loaded (" + root + ")";
    }

    /** Which package provides a missing library, and how to make it visible. */
    static String missingLibraryMessage(String library) {
        String provider;
        if (library.startsWith("libcuda.so")) {
            return "no NVIDIA driver: " + library + " was not found (it comes with the driver, not the toolkit; in a "
                    + "container or batch job the GPU must be passed in: docker --gpus, SLURM --gres=gpu:1)";
        } else if (library.startsWith("libcudart")) {
            provider = "the CUDA 13 runtime (toolkit, or pip install nvidia-cuda-runtime)";
        } else if (library.startsWith("libcublas")) {
            provider = "cuBLAS 13 (toolkit, or pip install nvidia-cublas)";
        } else if (library.startsWith("libcudnn")) {
            provider = "cuDNN 9 for CUDA 13 (pip install nvidia-cudnn-cu13, or NVIDIA's cudnn9-cuda-13 package)";
        } else {
            provider = "the CUDA 13 libraries";
        }
        return library + " was not found: install " + provider + " and put the directory holding it on "
                + "LD_LIBRARY_PATH (pip wheels keep it under site-packages/nvidia/*/lib; find / -name '"
                + library.replaceAll("\\.so.*", "") + "*.so*' shows where)";
    }

    static String versionText(int v) {
        return (v / 1000) + "." + (v % 1000) / 10;
    }

    static String cudnnVersionText(long v) {
        // cuDNN 9: major * 10000 + minor * 100 + patch
        return (v / 10000) + "." + (v % 10000) / 100 + "." + v % 100;
    }

    /** Prints whether the cuDNN engine can run here; exit status 0 when it can, 2 when not. */
    public static void main(String[] args) {
        Status s = status();
        s.description().forEach((k, v) -> System.out.println(k + ": " + v));
        if (s.usable()) {
            System.out.println("cudnn engine: usable");
        } else {
            System.out.println("cudnn engine: unavailable: " + s.unavailable());
            System.exit(2);
        }
    }
}
