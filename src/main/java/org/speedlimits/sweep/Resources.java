package org.speedlimits.sweep;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code resources:} section of an experiment file: what one array task asks SLURM for. Values are checked here
 * against SLURM's own syntax, so a malformed request fails before anything is submitted.
 *
 * @param time          wall-clock limit in a SLURM format: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S
 * @param mem           memory per node, an integer with an optional K/M/G/T suffix (SLURM's default unit is M)
 * @param partition     partition name, or null for the cluster's default
 * @param gpus          GPUs per task; > 0 adds {@code --gres=gpu:N}
 * @param signalSeconds SIGTERM this many seconds before the time limit ({@code --signal=B:TERM@<s>})
 */
public record Resources(String time, String mem, int cpusPerTask, String partition, int gpus, int signalSeconds) {
    public static final Resources DEFAULTS = new Resources("04:00:00", "8G", 2, null, 0, 120);
    static final List<String> KEYS = List.of("time", "mem", "cpus_per_task", "partition", "gpus", "signal_seconds");

    private static final Pattern TIME = Pattern.compile(
            "(?:(\\d+)-(\\d+)(?::(\\d+)(?::(\\d+))?)?)|(?:(\\d+)(?::(\\d+)(?::(\\d+))?)?)");
    private static final Pattern MEM = Pattern.compile("[1-9]\\d*[KMGT]?");
    private static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9_.\\-]+(,[A-Za-z0-9_.\\-]+)*");
    /** SLURM stores the --signal lead time in 16 bits. */
    private static final int MAX_SIGNAL_SECONDS = 65535;

    /** Reads the section (missing keys take {@link #DEFAULTS}); {@code where} names the file for error messages. */
    static Resources parse(JsonNode node, String where) {
        Resources d = DEFAULTS;
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            throw new SweepException(where + ": 'resources' must be a mapping with keys " + KEYS);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new SweepException(where + ": unknown key 'resources." + key + "'; did you mean 'resources."
                        + org.speedlimits.config.ConfigLoader.nearest(key, KEYS) + "'?");
            }
        }
        Resources r = new Resources(
                text(node, "time", d.time, where), text(node, "mem", d.mem, where),
                integer(node, "cpus_per_task", d.cpusPerTask, where),
                node.hasNonNull("partition") ? text(node, "partition", null, where) : null,
                integer(node, "gpus", d.gpus, where), integer(node, "signal_seconds", d.signalSeconds, where));
        r.validate(where);
        return r;
    }

    private void validate(String where) {
        long limit = timeLimitSeconds(time);
        if (limit < 0) {
            throw new SweepException(where + ": resources.time '" + time + "' is not a SLURM time; expected "
                    + "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. \"04:00:00\")");
        }
        if (limit == 0) {
            throw new SweepException(where + ": resources.time '" + time + "' is zero; give a positive time limit");
        }
        if (!MEM.matcher(mem).matches()) {
            throw new SweepException(where + ": resources.mem '" + mem + "' is not a SLURM memory size; expected a "
                    + "positive integer with an optional unit K, M, G or T (e.g. 8G, 500M)");
        }
        if (cpusPerTask < 1) {
            throw new SweepException(where + ": resources.cpus_per_task must be at least 1, got " + cpusPerTask);
        }
        if (gpus < 0) {
            throw new SweepException(where + ": resources.gpus must be 0 (CPU) or more, got " + gpus);
        }
        if (partition != null && !PARTITION.matcher(partition).matches()) {
            throw new SweepException(where + ": resources.partition '" + partition + "' is not a partition name "
                    + "(letters, digits, '_', '-', '.'; comma-separated for several)");
        }
        if (signalSeconds < 0 || signalSeconds > MAX_SIGNAL_SECONDS) {
            throw new SweepException(where + ": resources.signal_seconds must be in 0.." + MAX_SIGNAL_SECONDS
                    + ", got " + signalSeconds);
        }
        if (signalSeconds >= limit) {
            throw new SweepException(where + ": resources.signal_seconds = " + signalSeconds + " is not shorter than "
                    + "resources.time = " + time + " (" + limit + " s): the job would be signalled before it starts");
        }
    }

    /** The limit in seconds, or -1 when {@code time} is not in a SLURM format. */
    static long timeLimitSeconds(String time) {
        Matcher m = TIME.matcher(time == null ? "" : time.trim());
        if (!m.matches()) {
            return -1;
        }
        try {
            if (m.group(1) != null) { // D-H[:M[:S]]
                long minutes = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
                long seconds = m.group(4) == null ? 0 : Long.parseLong(m.group(4));
                if (minutes >= 60 || seconds >= 60) {
                    return -1;
                }
                return ((Long.parseLong(m.group(1)) * 24 + Long.parseLong(m.group(2))) * 60 + minutes) * 60 + seconds;
            }
            long a = Long.parseLong(m.group(5));
            if (m.group(6) == null) { // minutes
                return a * 60;
            }
            long b = Long.parseLong(m.group(6));
            if (m.group(7) == null) { // M:S
                return b >= 60 ? -1 : a * 60 + b;
            }
            long c = Long.parseLong(m.group(7)); // H:M:S
            return b >= 60 || c >= 60 ? -1 : (a * 60 + b) * 60 + c;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** resources.mem in bytes (SLURM's default unit is M). */
    public long memBytes() {
        if (!MEM.matcher(mem).matches()) {
            throw new SweepException("resources.mem '" + mem + "' is not a SLURM memory size (e.g. 8G, 500M)");
        }
        return JvmMemory.jvmBytes(Character.isDigit(mem.charAt(mem.length() - 1)) ? mem + "M" : mem);
    }

    /** The {@code #SBATCH} lines for these resources (gres as given by the caller: null for none). */
    List<String> sbatchLines(String gres) {
        List<String> lines = new ArrayList<>();
        lines.add("--time=" + time);
        lines.add("--mem=" + mem);
        lines.add("--cpus-per-task=" + cpusPerTask);
        if (partition != null) {
            lines.add("--partition=" + partition);
        }
        if (gres != null) {
            lines.add("--gres=" + gres);
        }
        return lines;
    }

    private static String text(JsonNode node, String key, String fallback, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isValueNode()) {
            throw new SweepException(where + ": resources." + key + " must be a single value, got " + v);
        }
        return v.asText().trim();
    }

    private static int integer(JsonNode node, String key, int fallback, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.asInt();
        }
        if (v.isTextual() && v.asText().trim().matches("-?\\d{1,9}")) {
            return Integer.parseInt(v.asText().trim());
        }
        throw new SweepException(where + ": resources." + key + " expects an integer, got " + v);
    }
}
