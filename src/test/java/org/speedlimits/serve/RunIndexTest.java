package org.speedlimits.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.run.RunLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Progress and ETA of a running run, its state from a real lock file naming a live process (this JVM) or a dead one,
 * and what the scan does not descend into.
 */
class RunIndexTest {
    @TempDir
    Path tmp;

    static void runDir(Path dir, long statusEpoch, Instant statusWritten, long lastEpoch, long pid) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), "experiment: e\ntrain:\n  dynamics: gd\n  lr: 0.001\n  epochs: 100\n");
        StringBuilder m = new StringBuilder("epoch,time,train_loss\n");
        for (long e = 0; e <= lastEpoch; e += 10) {
            m.append(e).append(',').append(e * 0.001).append(",1.0\n");
        }
        Files.writeString(dir.resolve("metrics.csv"), m + "999,0.9"); // and a half-written row, which must not count
        Files.writeString(dir.resolve("status.json"), "{\"state\": \"running\", \"epoch\": " + statusEpoch
                + ", \"epochs\": 100, \"updated\": \"" + statusWritten + "\", \"exit_code\": null}\n");
        Instant started = ProcessHandle.current().info().startInstant().orElseThrow().plusSeconds(1);
        Files.writeString(dir.resolve(RunLock.FILE), "{\"pid\": " + pid + ", \"host\": \"" + RunLock.localHost()
                + "\", \"started\": \"" + OffsetDateTime.ofInstant(started, ZoneOffset.UTC) + "\", \"purpose\": \"train\","
                + " \"command\": \"test\"}\n");
    }

    @Test
    void progressAndEtaFromTheStatusBaseline() throws IOException, InterruptedException {
        Path root = tmp.toRealPath();
        Instant written = Instant.now().minusSeconds(100);
        runDir(root.resolve("e/live"), 10, written, 60, ProcessHandle.current().pid());
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        runDir(root.resolve("e/killed"), 10, Instant.now().minusSeconds(100), 60, gone.pid());
        runDir(root.resolve("e/live/checkpoints/not-a-run"), 0, Instant.now(), 0, 1); // inside a run: not searched
        RunIndex index = new RunIndex(root, Duration.ofMinutes(15), Duration.ZERO);
        Instant before = Instant.now();
        RunIndex.Snapshot s = index.snapshot();
        Instant after = Instant.now();
        assertEquals(2, s.runs().size(), s.runs().toString());
        RunIndex.Run live = s.runs().stream().filter(r -> r.path().equals("e/live")).findFirst().orElseThrow();
        assertEquals("running", live.state(), live.detail());
        assertEquals(60, live.epoch(), "the last complete row");
        assertEquals(0.6, live.progress(), 1e-12);
        assertEquals(0.1, live.horizon(), 1e-12);
        // 50 epochs since status.json's point (epoch 10, ~100 s ago): 40 to go take 40/50 of that span
        double lo = 0.8 * Duration.between(written, before).toMillis() / 1000.0;
        double hi = 0.8 * Duration.between(written, after).toMillis() / 1000.0;
        assertTrue(live.etaSeconds() >= lo - 1e-3 && live.etaSeconds() <= hi + 1e-3,
                "eta " + live.etaSeconds() + " not in [" + lo + ", " + hi + "]");
        RunIndex.Run killed = s.runs().stream().filter(r -> r.path().equals("e/killed")).findFirst().orElseThrow();
        assertEquals(RunState.STALE, killed.state());
        assertTrue(Double.isNaN(killed.etaSeconds()), "no ETA for a run that is not running");
    }
}
