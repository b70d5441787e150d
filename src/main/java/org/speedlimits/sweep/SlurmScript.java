package org.speedlimits.sweep;

import org.speedlimits.config.ExitCodes;
import org.speedlimits.engine.NativeAllocator;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The sbatch array script of a sweep: one array task per grid point, each running
 * {@code java ... org.speedlimits.cli.Main sweep run-task <file> --index $SLURM_ARRAY_TASK_ID}.
 * SIGTERM (time limit via {@code --signal=B:TERM@<s>}, pre-emption, scancel/requeue) reaches the batch shell, which
 * forwards it to Java; Java checkpoints and exits 75, and the script then requeues its own array task, which resumes
 * from the checkpoint. Logs go to {@code <folder>/slurm/logs/%A_%a.out} (appended across requeues).
 *
 * @param gres       the {@code --gres} value, or null for none (CPU-only clusters)
 * @param projectDir the working directory of the task (where configs/, data/ and outputs/ are)
 * @param javaExecutable the java executable
 * @param jvmFlags   JVM options (those of .mvn/jvm.config)
 * @param classPath  the project's runtime class path (from {@link FrozenCode}: a copy made at submit time)
 * @param frozenCode the folder of that copy, named in a comment of the script (null: none)
 */
public record SlurmScript(Sweep sweep, List<Integer> indices, String gres, Path projectDir, String javaExecutable,
                          List<String> jvmFlags, String classPath, Path frozenCode) {
    public static final String MAIN_CLASS = "org.speedlimits.cli.Main";

    /** The gres a sweep's resources ask for (null when gpus = 0). */
    public static String defaultGres(Resources r) {
        return r.gpus() > 0 ? "gpu:" + r.gpus() : null;
    }

    public Path logDirectory() {
        return projectDir.resolve(sweep.folder()).resolve("slurm").resolve("logs").normalize();
    }

    public String text() {
        Resources r = sweep.resources();
        Path experiment = sweep.file().toAbsolutePath().normalize();
        List<String> s = new ArrayList<>();
        s.add("#!/bin/bash");
        s.add("# Written by `speedlimits sweep submit " + experiment + "`: sweep '" + sweep.name() + "', "
                + sweep.tasks().size() + " grid points, this submission runs " + indices.size() + " of them.");
        s.add("#SBATCH --job-name=" + sweep.name());
        s.add("#SBATCH --array=" + arraySpec(indices));
        s.add("#SBATCH --requeue");
        s.add("#SBATCH --open-mode=append");
        s.add("#SBATCH --signal=B:TERM@" + r.signalSeconds());
        for (String line : r.sbatchLines(gres)) {
            s.add("#SBATCH " + line);
        }
        s.add("#SBATCH --output=" + logDirectory().resolve("%A_%a.out"));
        s.add("");
        s.add("# Each task finds its run directory from its grid point, so a requeued or resubmitted task resumes");
        s.add("# from its newest checkpoint and a finished task exits at once. Exit 75 = stopped by SIGTERM after");
        s.add("# checkpointing: the task requeues itself (scontrol requeue), keeping its job id and log file.");
        s.add("set -u");
        s.add("cd " + quote(projectDir.toString()) + " || exit 1");
        s.add("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-" + r.cpusPerTask() + "}\"");
        s.add("# glibc malloc: reuse freed native memory instead of page-faulting it back in (engine.NativeAllocator)");
        s.add(NativeAllocator.shellExport());
        s.add("echo \"$(date -Is) task ${SLURM_ARRAY_TASK_ID} of job ${SLURM_ARRAY_JOB_ID} on $(hostname)"
                + " (restart ${SLURM_RESTART_COUNT:-0})\"");
        if (frozenCode != null) {
            s.add("# the code: a copy of the class path made by `sweep submit` (" + FrozenCode.SOURCES_FILE + " there lists");
            s.add("# its sources), so rebuilding or cleaning target/ does not change what queued or requeued tasks run");
        }
        s.add("classpath=" + quote(absoluteClassPath()));
        StringBuilder command = new StringBuilder(quote(javaExecutable));
        for (String flag : jvmFlags) {
            command.append(' ').append(quote(flag));
        }
        command.append(" -cp \"$classpath\" ").append(MAIN_CLASS)
                .append(" sweep run-task ").append(quote(experiment.toString()))
                .append(" --index \"$SLURM_ARRAY_TASK_ID\"");
        s.add(command + " &");
        s.add("java_pid=$!");
        s.add("# forward SIGTERM (sent to this shell only by --signal=B:...) to Java, which checkpoints and exits 75");
        s.add("trap 'echo \"$(date -Is) SIGTERM: forwarding to java\"; kill -TERM \"$java_pid\" 2>/dev/null' TERM");
        s.add("wait \"$java_pid\"; rc=$?");
        s.add("# a trapped signal interrupts `wait`: keep waiting for Java's own exit code");
        s.add("while kill -0 \"$java_pid\" 2>/dev/null; do wait \"$java_pid\"; rc=$?; done");
        s.add("echo \"$(date -Is) java exited with $rc\"");
        s.add("if [ \"$rc\" -eq " + ExitCodes.STOPPED + " ]; then");
        s.add("    echo \"$(date -Is) checkpointed after SIGTERM: requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"");
        s.add("    scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\" "
                + "|| echo \"scontrol requeue failed (already requeued?); resubmit with sweep submit to resume\"");
        s.add("fi");
        s.add("exit \"$rc\"");
        return String.join("\n", s) + "\n";
    }

    /** The class path with relative entries made absolute against the project directory. */
    String absoluteClassPath() {
        return Arrays.stream(classPath.split(File.pathSeparator)).filter(e -> !e.isEmpty())
                .map(e -> projectDir.resolve(e).normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** {@code 0-3,7,9-11}: sorted indices with runs collapsed. */
    public static String arraySpec(List<Integer> indices) {
        List<Integer> sorted = indices.stream().sorted().distinct().toList();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(sorted.get(i));
            if (j > i) {
                out.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        return out.toString();
    }

    /** Single-quotes a word for bash unless it is plainly safe. */
    static String quote(String word) {
        if (word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\"'\"'") + "'";
    }
}
