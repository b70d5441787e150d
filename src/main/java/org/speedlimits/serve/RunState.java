package org.speedlimits.serve;

import org.speedlimits.run.RunLock;
import org.speedlimits.run.RunStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What the live view shows as a run's state. status.json says what the run last wrote; "running" there is only true
 * while its writer lives, and a {@code kill -9}, an OOM kill or a lost node leave it behind. So a "running" status is
 * checked against the run-folder lock ({@link RunLock}, {@code <run>/.lock}), without touching the lock itself (a
 * reader that took the OS lock, even briefly, could make a resuming writer fail):
 * <ul>
 *   <li>no holder recorded (the lock file is empty or missing): the writer exited without a final status: {@link #STALE};</li>
 *   <li>holder on this host: alive if its pid exists and that process started no later than the lock was taken (a
 *   reused pid started later), else {@link #STALE};</li>
 *   <li>holder on another host (a cluster node; its pid cannot be checked from here): {@link #STALE} when nothing in
 *   the folder was written for longer than {@code staleAfter} (metrics.csv, run.log and status.json count: run.log
 *   gets a progress line at least every {@code train.progress_seconds} of a working run).</li>
 * </ul>
 * Every other recorded state (done, interrupted, diverged, failed) is shown as it is; no status.json: "not started".
 */
public final class RunState {
    public static final String STALE = "stale";
    public static final String NOT_STARTED = "not started";
    /** Slack between a holder's recorded start (seconds, taken after the JVM started) and its process start. */
    static final Duration START_SLACK = Duration.ofSeconds(2);

    /** A state and, where it is not self-explanatory, why. */
    public record Classified(String state, String detail) {
    }

    /** Whether a pid is a live process on this host, and when it started (empty when gone). */
    public interface Processes {
        Optional<Optional<Instant>> startOf(long pid);

        /** This machine's processes. */
        Processes LOCAL = pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> p.info().startInstant());
    }

    private RunState() {
    }

    public static Classified classify(Optional<RunStatus> status, Optional<RunLock.Holder> holder,
                                      Instant lastActivity, Instant now, Duration staleAfter, String localHost,
                                      Processes processes) {
        if (status.isEmpty()) {
            return new Classified(NOT_STARTED, "no status.json yet");
        }
        String state = status.get().state();
        if (!RunStatus.RUNNING.equals(state)) {
            return new Classified(state, "");
        }
        Duration quiet = lastActivity == null ? Duration.ZERO : Duration.between(lastActivity, now);
        if (holder.isEmpty()) {
            return new Classified(STALE, "status.json says running, but no process holds the run folder (its .lock "
                    + "is empty): the run ended without recording how; rerun its command to resume");
        }
        RunLock.Holder h = holder.get();
        if (h.host().equals(localHost)) {
            Optional<Optional<Instant>> start = processes.startOf(h.pid());
            if (start.isEmpty()) {
                return new Classified(STALE, "status.json says running, but its process (pid " + h.pid()
                        + " on this host) is gone: killed without a checkpoint? rerun its command to resume");
            }
            Optional<Instant> started = parse(h.started());
            if (start.get().isPresent() && started.isPresent()
                    && start.get().get().isAfter(started.get().plus(START_SLACK))) {
                return new Classified(STALE, "status.json says running, but pid " + h.pid()
                        + " is now another process (started after the lock was taken): the run's process is gone");
            }
            return new Classified(RunStatus.RUNNING, "pid " + h.pid() + (quiet.compareTo(staleAfter) > 0
                    ? ", alive but nothing written for " + minutes(quiet) : ""));
        }
        if (quiet.compareTo(staleAfter) > 0) {
            return new Classified(STALE, "status.json says running (pid " + h.pid() + " on " + h.host()
                    + ", which cannot be checked from here), but nothing was written for " + minutes(quiet));
        }
        return new Classified(RunStatus.RUNNING, "pid " + h.pid() + " on " + h.host());
    }

    private static Optional<Instant> parse(String time) {
        try {
            return Optional.of(OffsetDateTime.parse(time).toInstant());
        } catch (DateTimeParseException | NullPointerException e) {
            return Optional.empty();
        }
    }

    static String minutes(Duration d) {
        long s = d.getSeconds();
        return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : String.format(java.util.Locale.ROOT, "%.1f h", s / 3600.0);
    }
}
