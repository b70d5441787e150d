package org.speedlimits.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * glibc malloc settings for training, and the call that hands retained memory back.
 * <p>
 * Why: libnd4j's oneDNN glue allocates activation-sized temporaries for every convolution (layout reorders, gradient
 * buffers, scratchpad: about 0.9 GB per gradient pass of Myrtle-5 at C = 16, n = 500) outside DL4J's workspaces.
 * glibc serves blocks over 32 MB, and blocks in a thread's 64 MB secondary arena, from fresh mappings that it unmaps
 * on free, so every pass page-faults ~220k newly zeroed pages back in: 20–30% of an epoch. With one arena, no mmap
 * and no automatic trimming, freed blocks are reused instead (page faults 5x fewer; bench/notes.md has the numbers).
 * <p>
 * These settings only work from process start ({@value #VARIABLE}): {@code mallopt} at run time cannot move threads
 * off the arenas they already use (tried: it removed a quarter of the faults, not four fifths). So the JVMs this
 * project launches (sweep tasks, SLURM jobs, the benchmark harness) get them, and an interactive run logs how to set
 * them. The cost: freed memory stays resident until {@link #releaseFreedMemory()}, which a background thread calls
 * every 30 s ({@link #startPeriodicRelease()}) and the NTK code around its large buffers. A user's own
 * {@value #VARIABLE} (even empty, for glibc's defaults) always wins.
 */
public final class NativeAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);
    public static final String VARIABLE = "GLIBC_TUNABLES";
    /** One malloc arena, no mmap for large blocks, no automatic trim (64 GiB threshold). */
    public static final String TRAINING_TUNABLES =
            "glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736";

    private NativeAllocator() {
    }

    /** Adds the training tunables to a child process's environment unless {@value #VARIABLE} is already there. */
    public static void configureChild(Map<String, String> environment) {
        environment.putIfAbsent(VARIABLE, TRAINING_TUNABLES);
    }

    /** The shell line that does the same in a job script (an inherited value, even empty, is kept). */
    public static String shellExport() {
        return "export " + VARIABLE + "=\"${" + VARIABLE + "-" + TRAINING_TUNABLES + "}\"";
    }

    /** Whether a {@value #VARIABLE} value keeps freed memory for reuse (our three settings, in any order). */
    static boolean retainsFreedMemory(String tunables) {
        if (tunables == null) {
            return false;
        }
        java.util.Set<String> set = java.util.Set.of(tunables.split(":"));
        return set.containsAll(java.util.List.of(TRAINING_TUNABLES.split(":")));
    }

    /** Whether this process runs with the training tunables. */
    public static boolean active() {
        return retainsFreedMemory(System.getenv(VARIABLE));
    }

    /** One log line at start-up: the setting in force, or how to get it. */
    public static void logStatus() {
        if (active()) {
            LOG.info("glibc malloc tuned for training ({}): freed native memory is kept for reuse", VARIABLE);
        } else if (System.getenv(VARIABLE) == null && System.getProperty("os.name", "").startsWith("Linux")) {
            LOG.info("epochs run 20-30% faster with `export {}={}` before `mvn exec:java` (README, \"Training speed\"); "
                    + "sweep tasks and SLURM jobs set it themselves", VARIABLE, TRAINING_TUNABLES);
        }
    }

    /** Seconds between releases of retained memory under the settings (system property; default 30). */
    public static final String RELEASE_SECONDS_PROPERTY = "speedlimits.malloc.release_seconds";
    private static Thread releaser;

    /**
     * Under the settings, starts a daemon thread that every 30 s runs a GC and then returns free memory to the
     * OS. Why: with one arena and no trimming nothing else lowers resident memory, and ND4J buffers are freed only
     * when the GC collects their Java handles, so between collections garbage and freed memory pile up (a
     * 5000-epoch run of Myrtle-5 C = 16 on 100 images with test evaluations and checkpoints grew to 3.6 GB in 200 s,
     * glibc's defaults stay at 0.4 GB; the NTK of a C = 128 run went past 11 GB) — and JavaCPP's
     * {@code maxphysicalbytes} check, which watches resident memory, would then fail allocations. Cost: one small
     * GC and one gradient pass of page faults per period. A thread rather than an epoch hook, because the NTK
     * stage and the {@code ntk} command need it too. Idempotent; a no-op without the settings.
     */
    public static synchronized void startPeriodicRelease() {
        if (releaser != null || !active()) {
            return;
        }
        long periodMillis = Math.max(100, Math.round(1000 * Double.parseDouble(
                System.getProperty(RELEASE_SECONDS_PROPERTY, "30"))));
        releaser = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(periodMillis);
                    System.gc();
                    Thread.sleep(Math.min(2000, periodMillis / 4)); // JavaCPP frees collected buffers on its own thread
                    releaseFreedMemory();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "malloc-release");
        releaser.setDaemon(true);
        releaser.start();
    }

    /**
     * The error to report for a native out-of-memory failure: under the training settings, the same error with what
     * to change (resident memory stays at its high-water mark there, measured 9.5 GB instead of 6.1 GB for
     * Myrtle-5 C = 128 on 4660 images in chunks of 1000).
     */
    public static OutOfMemoryError explain(OutOfMemoryError e, boolean tunablesActive) {
        if (!tunablesActive) {
            return e;
        }
        OutOfMemoryError explained = new OutOfMemoryError(e.getMessage() + " -- this JVM runs with the training malloc "
                + "settings (" + VARIABLE + "=" + TRAINING_TUNABLES + "), under which freed native memory stays "
                + "resident (about 1.5x the peak of glibc's defaults); rerun with " + VARIABLE + "= (empty) for "
                + "glibc's defaults, lower train.chunk_size, or give the task more memory");
        explained.initCause(e);
        return explained;
    }

    /** glibc's malloc_trim, through JNA (already on DL4J's class path). */
    private interface LibC extends Library {
        int malloc_trim(long pad);
    }

    private static volatile LibC libc;
    private static volatile boolean unavailable;

    /**
     * Returns free native memory to the operating system (glibc {@code malloc_trim(0)}, which also releases free
     * pages inside the heap). Needed only under the training tunables, where nothing is trimmed automatically;
     * otherwise a no-op. Returns true when memory was released.
     */
    public static boolean releaseFreedMemory() {
        return active() && trim();
    }

    /** malloc_trim(0) regardless of the settings; false where glibc is not available or nothing was released. */
    static boolean trim() {
        return available() && libc.malloc_trim(0) == 1;
    }

    /** Whether glibc's malloc_trim can be called here. */
    static boolean available() {
        if (libc == null && !unavailable) {
            try {
                libc = Native.loadLibrary("c", LibC.class);
            } catch (Throwable e) { // not glibc (musl, macOS) or no JNA native part for this platform
                unavailable = true;
                LOG.debug("malloc_trim unavailable: {}", e.toString());
            }
        }
        return libc != null;
    }
}
