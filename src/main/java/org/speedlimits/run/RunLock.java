package org.speedlimits.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The run-folder lock: one writer per run directory. {@code <run>/.lock} holds a JSON line naming the holder (pid, host,
 * start time in ISO-8601, the command) and is locked with {@link FileChannel#tryLock()} for as long as the holder
 * writes into the folder ({@code train}, a sweep task, {@code ntk --run}, the delete of {@code train --overwrite}). A
 * second writer fails at once with a {@link RunStateException} (exit code 2) that names the holder and the lock file.
 *
 * <p><b>Why an OS lock and not just a pid file.</b> The lock is the kernel's (fcntl on Linux), tied to the process:
 * when the holder ends in any way, including {@code kill -9}, an OOM kill or a node reboot, the kernel drops it, so no
 * dead process can leave a live lock behind and there is no pid guessing (pids are reused, and a pid says nothing on
 * another host). The JSON content is only for the message. A lock file whose content names a holder but whose OS lock
 * is free was left by a process that died without releasing it: it is <i>stale</i>, taken over with a warning naming
 * the dead holder. A clean release empties the file (it is not deleted: deleting it would let a process that opened the
 * old file and one that creates a new one both "hold" the lock).
 *
 * <p><b>Network filesystems.</b> tryLock is only as good as the filesystem's locking. Local disks, NFSv4 and NFSv3 with
 * lockd, Lustre and GPFS (with locking enabled, e.g. Lustre's {@code flock} mount option) lock across hosts; on NFSv4 a
 * dead host's lock is freed when its lease expires (about 90 s), until then the folder reads as in use. Where the
 * filesystem has no lock support tryLock fails with an IOException (e.g. ENOLCK, "No locks available", or Lustre's
 * {@code noflock}): the lock then degrades to the advisory content alone, with a warning: a folder whose file names a
 * holder is refused unless that holder is provably dead (same host, no such pid), and a file left by another host must
 * be deleted by hand. NFS mounted with {@code nolock} (or Lustre with {@code localflock}) is worse: locks are local to
 * each host, so two hosts both get the lock; the only trace is the take-over warning naming a holder on another host.
 *
 * <p><b>Within one JVM</b> the same folder cannot be locked twice either: a second tryLock throws
 * OverlappingFileLockException. Locks held by this JVM are also kept in a table that is checked first, because under
 * POSIX closing <i>any</i> descriptor of the file drops all of the process's locks on it; for the same reason the
 * holding process never opens the lock file other than through its own channel.
 */
public final class RunLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The lock file inside the run directory. */
    public static final String FILE = ".lock";
    /** Locks held by this JVM, by the real path of the lock file. */
    private static final Map<Path, RunLock> HELD = new ConcurrentHashMap<>();

    /** Always with seconds: OffsetDateTime.toString() drops ":00" seconds, giving e.g. 2026-12-03T12:11Z. */
    private static final java.time.format.DateTimeFormatter STARTED =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    /** The lock file's start time: seconds always written, offset as Z or +hh:mm. */
    static String started(OffsetDateTime time) {
        return STARTED.format(time);
    }

    /** Who holds (or held) a lock, as written into the lock file. */
    public record Holder(long pid, String host, String started, String purpose, String command) {
        /** e.g. {@code pid 4242 on host node17, started 2025-01-31T10:02:03+01:00 (train: org.speedlimits.cli.Main train -c ...)}. */
        public String describe() {
            return "pid " + pid + " on host " + host + ", started " + started + " (" + purpose
                    + (command.isEmpty() || command.equals(purpose) ? "" : ": " + command) + ")";
        }

        String toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("pid", pid).put("host", host).put("started", started).put("purpose", purpose).put("command", command);
            return n.toString() + "\n";
        }

        static Optional<Holder> parse(String text) {
            if (text == null || text.isBlank()) {
                return Optional.empty();
            }
            try {
                JsonNode n = JSON.readTree(text);
                if (!n.has("pid")) {
                    return Optional.empty();
                }
                return Optional.of(new Holder(n.path("pid").asLong(-1), n.path("host").asText("?"),
                        n.path("started").asText("?"), n.path("purpose").asText("?"), n.path("command").asText("")));
            } catch (IOException e) {
                return Optional.empty(); // half-written (its holder is writing it right now) or not ours
            }
        }
    }

    private final Path file;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock; // null when the filesystem has no locks (advisory content only)
    private final Holder holder;
    private final Holder takenOver;
    private boolean closed;

    private RunLock(Path file, Path key, FileChannel channel, FileLock lock, Holder holder, Holder takenOver) {
        this.file = file;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
        this.takenOver = takenOver;
    }

    /**
     * Locks {@code dir} (created if missing) for this process, or fails at once.
     *
     * @param purpose what the lock is for, shown to a second writer: "train", "ntk", "overwrite"
     * @throws RunStateException when another process, or this JVM, holds it
     */
    public static RunLock acquire(Path dir, String purpose) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE);
            Path key = dir.toRealPath().resolve(FILE);
            synchronized (HELD) {
                RunLock mine = HELD.get(key);
                if (mine != null) {
                    throw busy(dir, file, Optional.of(mine.holder), " (this process)");
                }
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                try {
                    FileLock lock;
                    try {
                        lock = channel.tryLock();
                        if (lock == null) { // another process holds the OS lock
                            throw busy(dir, file, holderOf(channel), "");
                        }
                    } catch (OverlappingFileLockException e) { // locked in this JVM outside RunLock
                        throw busy(dir, file, Holder.parse(read(channel)), " (this process)");
                    } catch (IOException e) { // no lock support on this filesystem
                        lock = null;
                        advisoryOnly(dir, file, channel, e);
                    }
                    Optional<Holder> stale = Holder.parse(read(channel));
                    stale.ifPresent(h -> LOG.warn("taking over the stale lock {} of {}: that process is gone (it held "
                            + "the lock file but no OS lock){}", file, h.describe(), h.host().equals(host()) ? ""
                            : "; if the folder is on a network filesystem without shared locks (NFS 'nolock') and "
                            + "that process is still running on " + h.host() + ", stop this one"));
                    Holder me = new Holder(ProcessHandle.current().pid(), host(),
                            started(OffsetDateTime.now()), purpose, command(purpose));
                    write(channel, me.toJson());
                    RunLock held = new RunLock(file, key, channel, lock, me, stale.orElse(null));
                    HELD.put(key, held);
                    return held;
                } catch (RuntimeException | IOException e) {
                    channel.close();
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock run directory " + dir, e);
        }
    }

    /** The holder recorded in {@code dir}'s lock file, if any (this process, if it holds the folder). */
    public static Optional<Holder> recorded(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            RunLock mine = HELD.get(file.toRealPath());
            if (mine != null) { // never open the file we hold: closing that descriptor would drop our OS lock
                return Optional.of(mine.holder);
            }
            return Holder.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** This process's entry in the lock file. */
    public Holder holder() {
        return holder;
    }

    /** The dead holder whose stale lock this one took over, if it did. */
    public Optional<Holder> takenOver() {
        return Optional.ofNullable(takenOver);
    }

    /** Empties the lock file and releases the lock (the file stays, empty; see the class doc). */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            HELD.remove(key, this);
            try (channel) {
                channel.truncate(0);
                channel.force(true);
                if (lock != null) {
                    lock.release();
                }
            } catch (IOException e) {
                LOG.warn("cannot release the run-folder lock {}: {} (the OS lock is released when this process ends)",
                        file, e.getMessage());
            }
        }
    }

    private static RunStateException busy(Path dir, Path file, Optional<Holder> holder, String self) {
        return new RunStateException("run directory " + dir + " is in use by " + holder.map(Holder::describe)
                .orElse("another process (it has not written its details yet)") + self + "; lock file " + file
                + ". Two writers would mix their results: wait for that process to finish or stop it (a lock left by "
                + "a killed process is taken over automatically)");
    }

    /** Without OS locks: refuse unless the recorded holder is provably dead; the caller then proceeds unlocked. */
    private static void advisoryOnly(Path dir, Path file, FileChannel channel, IOException why) throws IOException {
        Optional<Holder> recorded = Holder.parse(read(channel));
        boolean dead = recorded.isEmpty() || (recorded.get().host().equals(host())
                && ProcessHandle.of(recorded.get().pid()).map(p -> !p.isAlive()).orElse(true));
        if (!dead) {
            throw new RunStateException(busy(dir, file, recorded, "").getMessage() + ". This filesystem has no file "
                    + "locks (" + why.getMessage() + "), so whether it is still running cannot be checked: if it is "
                    + "not, delete " + file);
        }
        LOG.warn("the filesystem of {} has no file locks ({}): the run-folder lock is advisory only, two processes "
                + "started at the same moment are not kept apart", dir, why.getMessage());
    }

    /** The holder's entry; retried briefly, since a holder that has just taken the lock may still be writing it. */
    private static Optional<Holder> holderOf(FileChannel channel) throws IOException {
        for (int i = 0; i < 20; i++) {
            Optional<Holder> h = Holder.parse(read(channel));
            if (h.isPresent() && (!h.get().host().equals(host()) || ProcessHandle.of(h.get().pid()).isPresent())) {
                return h;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Holder.parse(read(channel));
    }

    private static String read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0 || size > 1 << 16) {
            return "";
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // read on
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static void write(FileChannel channel, String text) throws IOException {
        channel.truncate(0);
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long pos = 0;
        while (buffer.hasRemaining()) {
            pos += channel.write(buffer, pos);
        }
        channel.force(true);
    }

    private static volatile String host;

    /** This machine's host name as lock files record it (to tell a local holder, whose pid can be checked). */
    public static String localHost() {
        return host();
    }

    private static String host() {
        if (host == null) {
            String env = System.getenv("HOSTNAME");
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = env != null && !env.isBlank() ? env : "unknown";
            }
        }
        return host;
    }

    /** The process's command line without the JVM options: main class and arguments, or {@code purpose}. */
    private static String command(String purpose) {
        String command = System.getProperty("sun.java.command");
        if (command == null || command.isBlank()) {
            command = ProcessHandle.current().info().commandLine().orElse(purpose);
        }
        return command.length() > 2000 ? command.substring(0, 2000) + "..." : command;
    }
}
