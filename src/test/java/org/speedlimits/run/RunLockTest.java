package org.speedlimits.run;

import org.speedlimits.config.ExitCodes;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.speedlimits.cli.Main;
import org.speedlimits.data.TestData;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The run-folder lock between processes (a child JVM holds it), after kill -9 (stale lock taken over), within one JVM,
 * and end to end: two concurrent {@code train} commands into the same folder. No random numbers are drawn here; the
 * training runs use the config's seed (quickstart.yaml: seed 0).
 */
class RunLockTest {
    private final List<Process> children = new ArrayList<>();
    private ListAppender<ILoggingEvent> logged;

    @BeforeEach
    void captureLog() {
        logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger(RunLock.class)).addAppender(logged);
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        ((Logger) LoggerFactory.getLogger(RunLock.class)).detachAppender(logged);
        for (Process p : children) {
            p.destroyForcibly().waitFor();
        }
    }

    /** The recorded start keeps its seconds when they are zero (OffsetDateTime.toString would drop them). */
    @Test
    void startTimeAlwaysHasSeconds() {
        assertEquals("2026-12-03T12:11:00Z",
                RunLock.started(java.time.OffsetDateTime.of(2026, 12, 3, 12, 11, 0, 500, java.time.ZoneOffset.UTC)));
        assertEquals("2026-12-03T12:11:00+01:00",
                RunLock.started(java.time.OffsetDateTime.of(2026, 12, 3, 12, 11, 0, 0, java.time.ZoneOffset.ofHours(1))));
    }

    /** (a) another process holds the folder: the second writer fails at once, naming pid, host, start and the file. */
    @Test
    void aSecondProcessIsRefusedWithTheHoldersDetails(@TempDir Path dir) throws Exception {
        Process child = holder(dir);
        long t0 = System.nanoTime();
        RunStateException e = assertThrows(RunStateException.class, () -> RunLock.acquire(dir, "train"));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "fails at once");
        System.out.println("RunLockTest: " + e.getMessage());
        RunLock.Holder h = RunLock.recorded(dir).orElseThrow();
        assertEquals(child.pid(), h.pid());
        assertTrue(e.getMessage().contains("pid " + child.pid() + " on host " + h.host() + ", started " + h.started()),
                e.getMessage());
        assertTrue(e.getMessage().contains("test holder"), e.getMessage());
        assertTrue(e.getMessage().contains("lock file " + dir.resolve(RunLock.FILE)), e.getMessage());
        assertTrue(h.started().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d)"), h.started());
        assertTrue(child.isAlive());
    }

    /** (b) kill -9 leaves the file but no OS lock: the next writer takes it over with a warning naming the dead holder. */
    @Test
    void aLockLeftByAKilledProcessIsTakenOverWithAWarning(@TempDir Path dir) throws Exception {
        Process child = holder(dir);
        child.destroyForcibly().waitFor(); // SIGKILL: no chance to release
        assertEquals(child.pid(), RunLock.recorded(dir).orElseThrow().pid(), "the dead holder's entry is still there");
        try (RunLock lock = RunLock.acquire(dir, "train")) {
            assertEquals(child.pid(), lock.takenOver().orElseThrow().pid());
            assertEquals(ProcessHandle.current().pid(), lock.holder().pid());
            String warning = warnings();
            System.out.println("RunLockTest: " + warning);
            assertTrue(warning.contains("stale") && warning.contains("pid " + child.pid()), warning);
        }
        assertEquals("", Files.readString(dir.resolve(RunLock.FILE)), "a clean release empties the file");
        logged.list.clear();
        try (RunLock lock = RunLock.acquire(dir, "train")) {
            assertTrue(lock.takenOver().isEmpty());
            assertEquals("", warnings(), "a released lock is not stale");
        }
    }

    /** (c) the same folder twice in one JVM fails too, and the failed attempt leaves the first lock intact. */
    @Test
    void theSameFolderTwiceInOneJvmFails(@TempDir Path dir) throws Exception {
        try (RunLock first = RunLock.acquire(dir, "train")) {
            RunStateException e = assertThrows(RunStateException.class, () -> RunLock.acquire(dir, "ntk"));
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()) && e.getMessage().contains("(this process)"),
                    e.getMessage());
            assertEquals(ProcessHandle.current().pid(), RunLock.recorded(dir).orElseThrow().pid());
            // the OS lock is still held (neither the failed attempt nor reading the holder dropped it): a child
            // process is refused and names this JVM
            Process child = start(dir);
            String line = firstLine(child);
            assertTrue(line.startsWith(RunLockHolder.BUSY) && line.contains("pid " + ProcessHandle.current().pid()), line);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, child.exitValue());
        }
        try (RunLock again = RunLock.acquire(dir, "train")) { // released by close
            assertTrue(again.takenOver().isEmpty());
        }
    }

    /** (c) a lock taken in this JVM outside RunLock: tryLock's OverlappingFileLockException becomes a RunStateException. */
    @Test
    void aFileLockHeldOutsideRunLockInThisJvmIsRefused(@TempDir Path dir) throws Exception {
        try (FileChannel ch = FileChannel.open(dir.resolve(RunLock.FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            RunStateException e = assertThrows(RunStateException.class, () -> RunLock.acquire(dir, "train"));
            assertTrue(e.getMessage().contains("(this process)"), e.getMessage());
        }
    }

    /**
     * (d) two concurrent {@code train} runs into one folder: the second exits 2 naming the first's pid, also with
     * --overwrite (which must not delete the folder); after kill -9 of the first a rerun resumes and finishes.
     */
    @Test
    void twoConcurrentTrainRunsIntoOneFolder(@TempDir Path root) throws Exception {
        Optional<Path> data = TestData.realCifar();
        assumeTrue(data.isPresent(), "CIFAR-10 not installed: run CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh");
        String overrides = "output.root=" + root + " output.run_id=lock data.n_train=64 data.n_test=0 model.width=4"
                + " train.dynamics=gd train.epochs=400 train.lr=0.002 hooks.triplets=0 data.dir=" + data.get()
                + " output.figure=false hooks.lambda_max_every=-1"; // the last two only save time
        Path run = root.resolve("quickstart").resolve("lock");
        Path metrics = run.resolve(RunDirectory.METRICS);
        System.out.println("RunLockTest: seed 0 (quickstart.yaml), no other random numbers");
        Path childLog = root.resolve("child.log");
        Process child = new ProcessBuilder(java(), "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "org.speedlimits.cli.Main", "train", "-c", "quickstart.yaml", "--set", overrides)
                .redirectErrorStream(true).redirectOutput(childLog.toFile()).start();
        children.add(child);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(metrics) && Files.readAllLines(metrics).size() > 4)) {
            assertTrue(child.isAlive() && System.nanoTime() < deadline, "child training did not start: "
                    + (Files.exists(childLog) ? Files.readString(childLog) : ""));
            Thread.sleep(20);
        }

        Captured second = execute("train", "-c", "quickstart.yaml", "--set", overrides);
        Captured overwrite = execute("train", "-c", "quickstart.yaml", "--set", overrides, "--overwrite");
        assertTrue(child.isAlive(), "the first run must still be training for this test to mean anything; "
                + "make it longer");
        System.out.println("RunLockTest: second run: " + second.err.strip());
        for (Captured c : List.of(second, overwrite)) {
            assertEquals(ExitCodes.BAD_INPUT, c.code, c.err);
            assertTrue(c.err.contains("is in use by pid " + child.pid()), c.err);
            assertTrue(c.err.contains("lock file " + run.resolve(RunLock.FILE)), c.err);
        }
        assertTrue(Files.exists(metrics) && Files.exists(run.resolve(RunDirectory.CONFIG)),
                "--overwrite did not delete the folder in use");
        String log = Files.readString(run.resolve(RunDirectory.LOG));
        assertEquals(1, log.split("run directory ", -1).length - 1, "only the first run writes run.log:\n" + log);

        child.destroyForcibly().waitFor(); // kill -9: the lock file stays, the OS lock goes
        logged.list.clear();
        Captured rerun = execute("train", "-c", "quickstart.yaml", "--set", overrides);
        assertEquals(0, rerun.code, rerun.err);
        assertTrue(warnings().contains("stale") && warnings().contains("pid " + child.pid()), warnings());
        assertEquals(RunStatus.DONE, RunStatus.read(run).orElseThrow().state());
        assertTrue(Files.readString(run.resolve(RunDirectory.LOG)).contains("resuming from the checkpoint of epoch"));
        assertEquals("", Files.readString(run.resolve(RunLock.FILE)));
    }

    private record Captured(int code, String err) {
    }

    private static Captured execute(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setErr(old);
        }
        return new Captured(code, err.toString(StandardCharsets.UTF_8));
    }

    private String warnings() {
        StringBuilder s = new StringBuilder();
        for (ILoggingEvent e : logged.list) {
            if (e.getLevel() == ch.qos.logback.classic.Level.WARN) {
                s.append(e.getFormattedMessage()).append('\n');
            }
        }
        return s.toString();
    }

    /** A child JVM holding the lock on {@code dir}; returns once it says so. */
    private Process holder(Path dir) throws Exception {
        Process p = start(dir);
        String line = firstLine(p);
        assertEquals(RunLockHolder.HOLDING + p.pid(), line);
        return p;
    }

    private Process start(Path dir) throws IOException {
        Process p = new ProcessBuilder(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                RunLockHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    /** The child's first line that is not logging (a HOLDING or BUSY line), within 60 s. */
    private static String firstLine(Process p) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                StringBuilder seen = new StringBuilder();
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    if (l.startsWith(RunLockHolder.HOLDING) || l.startsWith(RunLockHolder.BUSY)) {
                        return l;
                    }
                    seen.append(l).append('\n');
                }
                return "child ended without a HOLDING/BUSY line:\n" + seen;
            } catch (IOException e) {
                return e.toString();
            }
        });
        return line.get(60, TimeUnit.SECONDS);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
