package org.speedlimits.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cuDNN engine's failure messages on a machine without a GPU. Where this machine has no NVIDIA driver (CI, the
 * build machines) the paths are reached for real: the bindings' own loader errors in this JVM, and, in a child JVM
 * with a stub libcuda.so.1 (built here with cc, exporting nothing), the runtime's "driver too old" answer and the
 * loader's error for the next missing library, libcublas.so.13.
 */
public class CudaLibrariesTest {

    @Test
    void namesEachMissingLibraryAndWhereItComesFrom() {
        UnsatisfiedLinkError cublas = new UnsatisfiedLinkError("no jnicublas in java.library.path: /usr/lib");
        cublas.initCause(new UnsatisfiedLinkError("/root/.javacpp/cache/x/libjnicublas.so: libcublasLt.so.13: cannot "
                + "open shared object file: No such file or directory"));
        String m = CudaLibraries.explain(cublas);
        assertTrue(m.startsWith("libcublasLt.so.13 was not found") && m.contains("nvidia-cublas")
                && m.contains("LD_LIBRARY_PATH"), m);
        String cudnn = CudaLibraries.explain(new UnsatisfiedLinkError("libjnicudnn.so: libcudnn_cnn.so.9: cannot open "
                + "shared object file: No such file or directory"));
        assertTrue(cudnn.startsWith("libcudnn_cnn.so.9 was not found") && cudnn.contains("nvidia-cudnn-cu13")
                && cudnn.contains("libcudnn_cnn*.so*"), cudnn);
        String runtime = CudaLibraries.explain(new UnsatisfiedLinkError("x: libcudart.so.13: cannot open shared object file"));
        assertTrue(runtime.contains("nvidia-cuda-runtime"), runtime);
        String driver = CudaLibraries.explain(new UnsatisfiedLinkError("x: libcuda.so.1: cannot open shared object file"));
        assertTrue(driver.startsWith("no NVIDIA driver") && driver.contains("--gres"), driver);
        String glibc = CudaLibraries.explain(new UnsatisfiedLinkError("/lib/x86_64-linux-gnu/libc.so.6: version "
                + "`GLIBC_2.34' not found (required by libjnicudart.so)"));
        assertTrue(glibc.contains("GLIBC_2.34") && glibc.contains("2.34 or newer"), glibc);
        String other = CudaLibraries.explain(new UnsatisfiedLinkError("no jnicudart in java.library.path"));
        assertTrue(other.contains("could not be loaded") && other.contains("jnicudart"), other);
        assertNull(CudaLibraries.missingLibrary(new UnsatisfiedLinkError("no jnicudart in java.library.path")));
    }

    @Test
    void deviceCountErrorsSayWhatToCheck() {
        assertTrue(CudaLibraries.deviceCountError(35, "CUDA driver version is insufficient").contains("580"));
        assertTrue(CudaLibraries.deviceCountError(100, "no CUDA-capable device is detected").contains("CUDA_VISIBLE_DEVICES"));
        assertTrue(CudaLibraries.deviceCountError(34, "stub").contains("stub"));
        assertEquals("12.8", CudaLibraries.versionText(12080));
        assertEquals("9.19.0", CudaLibraries.cudnnVersionText(91900));
    }

    /** On a machine without the NVIDIA driver, the probe says so (not "usable", not a confusing JNI message). */
    @Test
    void withoutADriverTheProbeNamesLibcuda() {
        assumeFalse(driverInstalled(), "this machine has an NVIDIA driver");
        CudaLibraries.Status s = CudaLibraries.status();
        assertFalse(s.usable());
        assertFalse(s.driverFound(), "no driver: auto must fall back quietly");
        assertTrue(s.unavailable().startsWith("no NVIDIA driver: libcuda.so.1 was not found"), s.unavailable());
    }

    /**
     * A libcuda.so.1 that loads but is no driver: the runtime itself reports error 35 (insufficient driver), and
     * loading cuDNN's bindings then fails on the first CUDA 13 library this machine lacks, libcublas.so.13.
     */
    @Test
    void withAStubDriverTheRuntimeAndTheNextMissingLibraryAreNamed(@TempDir Path dir) throws Exception {
        assumeFalse(driverInstalled(), "this machine has an NVIDIA driver");
        assumeTrue(hasLibcudart(), "no libcudart.so.13 on this machine");
        Path source = dir.resolve("stub.c");
        Files.writeString(source, "int speedlimits_stub_driver;\n");
        Path stub = dir.resolve("libcuda.so.1");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o", stub.toString(),
                    source.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler: " + e.getMessage());
            return;
        }
        assumeTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "cc failed");

        Run probe = java(dir, CudaLibraries.class.getName());
        assertEquals(2, probe.exit, probe.output);
        assertTrue(probe.output.contains("error 35") && probe.output.contains("driver 580"), probe.output);
        assertTrue(probe.output.contains("cuda_runtime_version: 13."), probe.output);

        Run cudnn = java(dir, LoadCudnn.class.getName());
        assertTrue(cudnn.output.contains("libcublas.so.13 was not found") && cudnn.output.contains("nvidia-cublas"),
                cudnn.output);
    }

    /** Loads cuDNN's bindings and prints what {@link CudaLibraries#explain} makes of the failure. */
    public static final class LoadCudnn {
        public static void main(String[] args) {
            try {
                org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cudnn.class);
                System.out.println("loaded");
            } catch (LinkageError e) {
                System.out.println(CudaLibraries.explain(e));
            }
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run java(Path libraryDir, String mainClass) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", libraryDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        return new Run(p.exitValue(), out);
    }

    /** An installed NVIDIA kernel driver, or its user-space library in a standard place. */
    public static boolean driverInstalled() {
        if (Files.exists(Path.of("/proc/driver/nvidia/version"))) {
            return true;
        }
        for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
                "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib")) {
            if (Files.exists(Path.of(d, "libcuda.so.1"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasLibcudart() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "ldconfig -p | grep -q 'libcudart.so.13 '").start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
