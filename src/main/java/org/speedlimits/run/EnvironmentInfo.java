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
        env.put("git_dirty", status.equals("unknown") ? "unknown" : String.valueOf(!status.isEmpty()));
        env.putAll(backend);
        return env;
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
