package org.speedlimits.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** env.json: what ran this run (software versions, backend, hardware, code version, host, start time). */
public final class EnvironmentInfo {
    private EnvironmentInfo() {
    }

    public static Map<String, Object> collect(Map<String, Object> backend) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("start_time", Instant.now().toString());
        env.put("host", hostName());
        env.put("java_version", System.getProperty("java.version"));
        env.put("java_vendor", System.getProperty("java.vendor"));
        env.put("dl4j_version", packageVersion(org.deeplearning4j.nn.multilayer.MultiLayerNetwork.class));
        env.put("nd4j_version", packageVersion(org.nd4j.linalg.factory.Nd4j.class));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        env.put("cpu", cpuModel());
        env.put("available_processors", Runtime.getRuntime().availableProcessors());
        env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        env.put("git_commit", git("rev-parse", "HEAD"));
        String status = git("status", "--porcelain", "--untracked-files=no");
        env.put("git_dirty", gitDirty(status));
        env.putAll(backend);
        return env;
    }

    /** Whether tracked files differ from HEAD, from {@code git status --porcelain}; null (JSON null) outside a checkout. */
    static Boolean gitDirty(String porcelainStatus) {
        return porcelainStatus.equals("unknown") ? null : !porcelainStatus.isEmpty();
    }

    /**
     * env.json's "cores": the count the ND4J backend reports (a number or numeric text), else the processors this
     * JVM may use ({@link Runtime#availableProcessors}, which honours the container's CPU quota and affinity mask).
     */
    static int cores(Object reported) {
        if (reported instanceof Number n && n.intValue() > 0) {
            return n.intValue();
        }
        if (reported != null) {
            try {
                int c = Integer.parseInt(reported.toString().trim());
                if (c > 0) {
                    return c;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the JVM's count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * The CUDA part of env.json, from ND4J's device list ({@code cuda.devicesInformation}: maps with cuda.deviceName,
     * cuda.deviceMajor/Minor, cuda.totalMemory), the driver version and the CUDA runtime/driver API versions
     * (CUDA's integer form 1000*major + 10*minor). Only called with the CUDA backend, so the CPU build never touches CUDA.
     */
    static Map<String, Object> cudaDescription(Object devices, String driverVersion, Integer runtimeVersion, Integer driverApiVersion) {
        Map<String, Object> out = new LinkedHashMap<>();
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.List<String> capabilities = new java.util.ArrayList<>();
        if (devices instanceof java.util.List<?> list) {
            for (Object d : list) {
                if (d instanceof Map<?, ?> m) {
                    names.add(String.valueOf(m.get("cuda.deviceName")));
                    capabilities.add("sm_" + m.get("cuda.deviceMajor") + m.get("cuda.deviceMinor"));
                }
            }
        }
        out.put("gpu_names", names);
        out.put("gpu_compute_capabilities", capabilities);
        out.put("gpu_driver_version", driverVersion);
        out.put("cuda_runtime_version", versionText(runtimeVersion));
        out.put("cuda_driver_api_version", versionText(driverApiVersion));
        out.put("nd4j_cuda_build", "11.6 (kernels sm_37..sm_86)");
        return out;
    }

    private static String versionText(Integer v) {
        return v == null ? "unknown" : (v / 1000) + "." + (v % 1000) / 10;
    }

    /** {@code cudaRuntimeGetVersion} / {@code cudaDriverGetVersion} through bytedeco's cudart, by reflection (absent on CPU). */
    static Integer cudaVersion(String function) {
        try {
            Class<?> cudart = Class.forName("org.bytedeco.cuda.global.cudart");
            int[] version = new int[1];
            Object status = cudart.getMethod(function, int[].class).invoke(null, (Object) version);
            return Integer.valueOf(0).equals(status) ? version[0] : null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** The NVIDIA driver version as nvidia-smi reports it, or "unknown". */
    static String nvidiaDriverVersion() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                return "unknown";
            }
            return out.lines().findFirst().orElse("unknown").trim();
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    public static void write(Path file, Map<String, Object> env) throws IOException {
        RunDirectory.writeAtomically(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(env) + "\n");
    }

    private static String packageVersion(Class<?> type) {
        String fromManifest = type.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            return fromManifest;
        }
        // Maven jars carry no manifest version: read it from the jar's file name (.../1.0.0-M2.1/xyz-1.0.0-M2.1.jar)
        var source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            return "unknown";
        }
        Path jar = Path.of(source.getLocation().getPath());
        return jar.getParent() == null ? "unknown" : jar.getParent().getFileName().toString();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return String.valueOf(System.getenv("HOSTNAME"));
        }
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /** Output of a git command in the working directory, or "unknown" outside a git checkout. */
    private static String git(String... args) {
        try {
            String[] command = new String[args.length + 1];
            command[0] = "git";
            System.arraycopy(args, 0, command, 1, args.length);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "unknown";
            }
            return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
