package org.speedlimits.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.speedlimits.io.Npy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code <run>/status.json}: {"state": running|done|interrupted|diverged|failed, "epoch": last measured epoch,
 * "epochs": total, "updated": ISO time, "exit_code": int or null}. Written atomically; sweep tools read it.
 */
public record RunStatus(String state, long epoch, long epochs, String updated, Integer exitCode) {
    public static final String FILE = "status.json";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String INTERRUPTED = "interrupted";
    public static final String DIVERGED = "diverged";
    public static final String FAILED = "failed";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    public static void write(Path runDir, String state, long epoch, long epochs, Integer exitCode) {
        try {
            RunStatus s = new RunStatus(state, epoch, epochs, Instant.now().toString(), exitCode);
            Npy.writeAtomically(runDir.resolve(FILE), (JSON.writeValueAsString(s) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(FILE), e);
        }
    }

    public static Optional<RunStatus> read(Path runDir) {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), RunStatus.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
