package org.speedlimits.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fits the JVM flags of .mvn/jvm.config (sized for one process owning a workstation: 4 GB heap, JavaCPP native
 * memory up to 16 GB, resident memory up to 20 GB) to the memory one sweep task may use: a SLURM task's
 * {@code resources.mem}, or a 1/N share of the machine for {@code sweep local -j N}.
 *
 * <p>Why: JavaCPP frees ND4J's native buffers only when their small Java handles are garbage-collected, which it
 * forces when resident memory reaches {@code maxphysicalbytes}. Until then garbage native memory accumulates (the NTK
 * of an n = 400 Myrtle-5 left 13-18 GB resident), so two tasks each allowed 20 GB were OOM-killed on a 24 GB machine,
 * and a SLURM task allowed 20 GB inside an 8 GB allocation would be killed by its cgroup.
 */
public final class JvmMemory {
    /** The part of the budget JavaCPP may fill before it forces a GC (the rest: JVM metaspace, threads, code). */
    static final double RESIDENT_FRACTION = 0.85;
    private static final String MAX_PHYSICAL = "-Dorg.bytedeco.javacpp.maxphysicalbytes=";
    private static final String MAX_BYTES = "-Dorg.bytedeco.javacpp.maxbytes=";
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kKmMgGtT]?)");

    private JvmMemory() {
    }

    /**
     * The flags with -Xmx, maxphysicalbytes and maxbytes lowered (never raised) to fit budgetBytes: resident at most
     * 85% of the budget, heap at most a third of it, JavaCPP's native buffers at most resident minus heap. Other
     * flags are kept in order; missing memory flags are added.
     */
    public static List<String> fit(List<String> flags, long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be positive, got " + budgetBytes);
        }
        long resident = wholeMegabytes((long) (RESIDENT_FRACTION * budgetBytes));
        long heap = wholeMegabytes(Math.min(budgetBytes / 3, valueOf(flags, "-Xmx", Long.MAX_VALUE)));
        long physical = Math.min(resident, valueOf(flags, MAX_PHYSICAL, Long.MAX_VALUE));
        long nativeBytes = Math.min(Math.max(physical - heap, 64L << 20), valueOf(flags, MAX_BYTES, Long.MAX_VALUE));
        List<String> out = new ArrayList<>();
        for (String f : flags) {
            if (!f.startsWith("-Xmx") && !f.startsWith(MAX_PHYSICAL) && !f.startsWith(MAX_BYTES)) {
                out.add(f);
            }
        }
        out.add(0, MAX_PHYSICAL + megabytes(physical));
        out.add(0, MAX_BYTES + megabytes(nativeBytes));
        out.add(0, "-Xmx" + megabytes(heap));
        return out;
    }

    /** A JVM/JavaCPP size (integer, optional k/m/g/t, default unit bytes) in bytes. */
    static long jvmBytes(String size) {
        Matcher m = SIZE.matcher(size.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a JVM memory size: '" + size + "'");
        }
        return Long.parseLong(m.group(1)) * unit(m.group(2));
    }

    private static long unit(String suffix) {
        return switch (suffix.toUpperCase(Locale.ROOT)) {
            case "" -> 1L;
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            case "T" -> 1L << 40;
            default -> throw new IllegalArgumentException("unit " + suffix);
        };
    }

    private static long valueOf(List<String> flags, String prefix, long absent) {
        long value = absent;
        for (String f : flags) {
            if (f.startsWith(prefix)) {
                value = jvmBytes(f.substring(prefix.length())); // the last one wins, as for the JVM
            }
        }
        return value;
    }

    private static long wholeMegabytes(long bytes) {
        return Math.max(1, bytes >> 20) << 20;
    }

    private static String megabytes(long bytes) {
        return Math.max(1, bytes >> 20) + "m";
    }
}
