package org.speedlimits.serve;

import org.junit.jupiter.api.Test;
import org.speedlimits.run.RunLock;
import org.speedlimits.run.RunStatus;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A "running" status.json is believed only while its writer can be, or could be, alive (see {@link RunState}). */
class RunStateTest {
    static final String HERE = "node-a";
    static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
    static final Duration STALE_AFTER = Duration.ofMinutes(15);

    static Optional<RunStatus> status(String state) {
        return Optional.of(new RunStatus(state, 10, 100, NOW.minusSeconds(30).toString(), null));
    }

    static Optional<RunLock.Holder> holder(long pid, String host, Instant started) {
        return Optional.of(new RunLock.Holder(pid, host, OffsetDateTime.ofInstant(started, ZoneOffset.ofHours(1)).toString(),
                "train", "org.speedlimits.cli.Main train"));
    }

    /** Processes of a pretend host: pid -> start time. */
    static RunState.Processes table(Map<Long, Instant> alive) {
        return pid -> alive.containsKey(pid) ? Optional.of(Optional.of(alive.get(pid))) : Optional.empty();
    }

    static String classify(Optional<RunStatus> s, Optional<RunLock.Holder> h, Instant lastWrite, RunState.Processes p) {
        return RunState.classify(s, h, lastWrite, NOW, STALE_AFTER, HERE, p).state();
    }

    @Test
    void recordedEndStatesAreShownAsTheyAre() {
        for (String s : new String[]{RunStatus.DONE, RunStatus.INTERRUPTED, RunStatus.DIVERGED, RunStatus.FAILED}) {
            assertEquals(s, classify(status(s), Optional.empty(), NOW, table(Map.of())));
        }
        assertEquals(RunState.NOT_STARTED, classify(Optional.empty(), Optional.empty(), null, table(Map.of())));
    }

    @Test
    void aRunningStatusOnThisHostFollowsItsProcess() {
        Instant lock = NOW.minus(Duration.ofHours(1));
        RunState.Processes alive = table(Map.of(4242L, lock.minusSeconds(5)));
        assertEquals(RunStatus.RUNNING, classify(status("running"), holder(4242, HERE, lock), NOW, alive));
        // alive but quiet for an hour: still running (a long NTK or lambda_max step), the detail says so
        RunState.Classified quiet = RunState.classify(status("running"), holder(4242, HERE, lock), NOW.minusSeconds(3600),
                NOW, STALE_AFTER, HERE, alive);
        assertEquals(RunStatus.RUNNING, quiet.state());
        assertTrue(quiet.detail().contains("nothing written for 60 min"), quiet.detail());
        // kill -9: the pid is gone
        assertEquals(RunState.STALE, classify(status("running"), holder(4242, HERE, lock), NOW, table(Map.of())));
        // the pid was reused by a process that started after the lock was taken
        assertEquals(RunState.STALE, classify(status("running"), holder(4242, HERE, lock), NOW,
                table(Map.of(4242L, lock.plusSeconds(60)))));
        // the lock is empty: the writer ended without a final status
        assertEquals(RunState.STALE, classify(status("running"), Optional.empty(), NOW, alive));
    }

    @Test
    void aRunningStatusOnAnotherHostGoesStaleWhenNothingIsWritten() {
        Optional<RunLock.Holder> remote = holder(4242, "node-b", NOW.minus(Duration.ofHours(2)));
        RunState.Processes none = table(Map.of()); // pid 4242 is not alive here: must not matter for another host
        assertEquals(RunStatus.RUNNING, classify(status("running"), remote, NOW.minusSeconds(60), none));
        assertEquals(RunStatus.RUNNING, classify(status("running"), remote, NOW.minus(STALE_AFTER), none));
        assertEquals(RunState.STALE, classify(status("running"), remote, NOW.minus(STALE_AFTER).minusSeconds(1), none));
    }

    @Test
    void realProcessesOfThisMachine() throws IOException, InterruptedException {
        ProcessHandle me = ProcessHandle.current();
        Instant started = me.info().startInstant().orElseThrow().plusSeconds(1);
        assertEquals(RunStatus.RUNNING, RunState.classify(status("running"), holder(me.pid(), HERE, started), NOW, NOW,
                STALE_AFTER, HERE, RunState.Processes.LOCAL).state());
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertEquals(RunState.STALE, RunState.classify(status("running"), holder(gone.pid(), HERE, started), NOW, NOW,
                STALE_AFTER, HERE, RunState.Processes.LOCAL).state());
    }
}
