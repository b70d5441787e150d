package org.speedlimits.cli;

import org.speedlimits.config.ExitCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speedlimits.engine.NativeAllocator;
import org.speedlimits.run.RunStatus;
import org.speedlimits.run.StopSignal;
import org.speedlimits.run.TrainingJob;
import org.speedlimits.sweep.FrozenCode;
import org.speedlimits.sweep.JvmMemory;
import org.speedlimits.sweep.SlurmScript;
import org.speedlimits.sweep.Sweep;
import org.speedlimits.sweep.SweepException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code sweep plan|local|submit|status|run-task <experiment file>}: grids of training runs from one experiment file,
 * run here or as one SLURM job array (see {@link Sweep} for the file format and {@link SlurmScript} for the job).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Sweeps: a base config x a grid of overrides, one run directory per grid point.",
        subcommands = {SweepCommand.Plan.class, SweepCommand.Local.class, SweepCommand.Submit.class,
                SweepCommand.Status.class, SweepCommand.RunTask.class})
public final class SweepCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SweepCommand.class);
    /** State shown for a grid point whose run directory has no status.json yet. */
    public static final String NOT_STARTED = "not started";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The state a task's status.json records, or {@link #NOT_STARTED}. */
    public static String state(Sweep.Task task) {
        return RunStatus.read(task.runDirectory()).map(RunStatus::state).orElse(NOT_STARTED);
    }

    abstract static class OnFile {
        @Parameters(index = "0", paramLabel = "EXPERIMENT_FILE", description = "experiment (sweep) YAML file")
        Path file;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** The experiment file, refused if its sweep folder holds another base config. */
        Sweep loadChecked() {
            Sweep sweep = Sweep.load(file);
            sweep.checkFolder();
            return sweep;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "List the grid points, their run directories and states; runs nothing.")
    static final class Plan extends OnFile implements Callable<Integer> {
        @Override
        public Integer call() {
            Sweep sweep = loadChecked();
            PrintWriter out = out();
            out.printf("sweep %s: %d tasks, base %s, folder %s%n", sweep.name(), sweep.tasks().size(),
                    sweep.baseConfig(), sweep.folder());
            if (!sweep.set().isEmpty()) {
                out.println("set: " + String.join(" ", sweep.set()));
            }
            out.println("index\tgrid point\trun directory\tstate");
            for (Sweep.Task t : sweep.tasks()) {
                out.printf("%d\t%s\t%s\t%s%n", t.index(), t.label(), t.runDirectory(), state(t));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Per-task state (done, running, interrupted, failed, diverged, not started) from each run "
                    + "directory's status.json, with counts; does not ask SLURM.")
    static final class Status extends OnFile implements Callable<Integer> {
        @Override
        public Integer call() {
            Sweep sweep = loadChecked();
            PrintWriter out = out();
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String s : List.of(RunStatus.DONE, RunStatus.RUNNING, RunStatus.INTERRUPTED, RunStatus.FAILED,
                    RunStatus.DIVERGED, NOT_STARTED)) {
                counts.put(s, 0);
            }
            out.println("index\tstate\tepoch\tupdated\tgrid point\trun directory");
            for (Sweep.Task t : sweep.tasks()) {
                Optional<RunStatus> s = RunStatus.read(t.runDirectory());
                String state = s.map(RunStatus::state).orElse(NOT_STARTED);
                counts.merge(state, 1, Integer::sum);
                out.printf("%d\t%s\t%s\t%s\t%s\t%s%n", t.index(), state,
                        s.map(x -> x.epoch() + "/" + x.epochs()).orElse("-"), s.map(RunStatus::updated).orElse("-"),
                        t.label(), t.runDirectory());
            }
            StringBuilder summary = new StringBuilder("sweep " + sweep.name() + ": " + sweep.tasks().size() + " tasks");
            counts.forEach((k, v) -> summary.append(", ").append(v).append(' ').append(k));
            out.println(summary);
            out.println("('running' means status.json was last written by a live run; a killed job can leave it "
                    + "stale: compare 'updated' with now)");
            out.flush();
            return 0;
        }
    }

    @Command(name = "run-task", mixinStandardHelpOptions = true,
            description = "Run (or resume, or skip if complete) one grid point: what each SLURM array task executes.")
    static final class RunTask extends OnFile implements Callable<Integer> {
        @Option(names = "--index", paramLabel = "I",
                description = "grid point index (default: $SLURM_ARRAY_TASK_ID)")
        Integer index;

        @Override
        public Integer call() {
            Sweep sweep = Sweep.load(file);
            int i = index != null ? index : arrayTaskId();
            Sweep.Task task = sweep.task(i);
            sweep.claimFolder();
            LOG.info("sweep {} task {} of {}: {} -> {}", sweep.name(), i, sweep.tasks().size(), task.label(),
                    task.runDirectory());
            return new TrainingJob(task.config(), task.runDirectory()).run(false, StopSignal.install());
        }

        private static int arrayTaskId() {
            String id = System.getenv("SLURM_ARRAY_TASK_ID");
            if (id == null || !id.matches("\\d+")) {
                throw new SweepException("give --index I (no SLURM_ARRAY_TASK_ID in the environment"
                        + (id == null ? "" : ": it is '" + id + "'") + ")");
            }
            return Integer.parseInt(id);
        }
    }

    @Command(name = "local", mixinStandardHelpOptions = true,
            description = "Run every unfinished grid point on this machine (resuming interrupted ones).")
    static final class Local extends OnFile implements Callable<Integer> {
        @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1",
                description = "tasks at a time; N > 1 starts one JVM per task with OMP_NUM_THREADS = cores / N "
                        + "unless set (logs in <folder>/local-logs/)")
        int jobs;

        @Override
        public Integer call() throws Exception {
            if (jobs < 1) {
                throw new SweepException("-j must be at least 1, got " + jobs);
            }
            Sweep sweep = Sweep.load(file);
            sweep.claimFolder();
            List<Sweep.Task> todo = sweep.tasks().stream().filter(t -> !state(t).equals(RunStatus.DONE)).toList();
            out().printf("sweep %s: %d of %d tasks to run, %d at a time%n", sweep.name(), todo.size(),
                    sweep.tasks().size(), jobs);
            out().flush();
            StopSignal stop = StopSignal.install();
            Map<Integer, Integer> codes = jobs == 1 ? inProcess(todo, stop) : inChildren(sweep, todo, stop);
            List<String> failed = new ArrayList<>();
            codes.forEach((i, code) -> {
                if (code != ExitCodes.OK && code != ExitCodes.STOPPED) {
                    failed.add("#" + i + " (exit " + code + ")");
                }
            });
            long stopped = codes.values().stream().filter(c -> c == ExitCodes.STOPPED).count();
            out().printf("sweep %s: %d ran, %d failed%s, %d stopped; see `sweep status`%n", sweep.name(), codes.size(),
                    failed.size(), failed.isEmpty() ? "" : " " + failed, stopped);
            out().flush();
            return !failed.isEmpty() ? ExitCodes.FAILED : stopped > 0 || codes.size() < todo.size() ? ExitCodes.STOPPED : 0;
        }

        int threadsPerTask() {
            return Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
        }

        private Map<Integer, Integer> inProcess(List<Sweep.Task> todo, StopSignal stop) {
            Map<Integer, Integer> codes = new LinkedHashMap<>();
            for (Sweep.Task t : todo) {
                if (stop.getAsBoolean()) {
                    break;
                }
                LOG.info("task {}: {} -> {}", t.index(), t.label(), t.runDirectory());
                int code;
                try {
                    code = new TrainingJob(t.config(), t.runDirectory()).run(false, stop);
                } catch (RuntimeException e) {
                    LOG.error("task {} ({}) failed: {}", t.index(), t.label(), e.getMessage());
                    code = e instanceof org.speedlimits.train.DivergenceException ? ExitCodes.DIVERGED : ExitCodes.FAILED;
                }
                codes.put(t.index(), code);
            }
            return codes;
        }

        private Map<Integer, Integer> inChildren(Sweep sweep, List<Sweep.Task> todo, StopSignal stop) throws Exception {
            Path logs = sweep.folder().resolve("local-logs");
            Files.createDirectories(logs);
            List<String> base = new ArrayList<>();
            base.add(JavaLauncher.javaExecutable());
            // each child gets 1/N of the machine's memory (jvm.config is sized for one process owning it)
            long share = JavaLauncher.physicalMemory() / jobs;
            base.addAll(JvmMemory.fit(JavaLauncher.jvmFlags(Path.of("")), share));
            base.addAll(List.of("-cp", JavaLauncher.classPath(), SlurmScript.MAIN_CLASS, "sweep", "run-task",
                    sweep.file().toString(), "--index"));
            List<Process> running = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(jobs);
            Map<Integer, Future<Integer>> futures = new LinkedHashMap<>();
            for (Sweep.Task t : todo) {
                futures.put(t.index(), pool.submit(() -> {
                    if (stop.getAsBoolean()) {
                        return null;
                    }
                    List<String> command = new ArrayList<>(base);
                    command.add(String.valueOf(t.index()));
                    Path log = logs.resolve("task-" + t.index() + ".log");
                    LOG.info("task {}: {} -> {} (log {})", t.index(), t.label(), t.runDirectory(), log);
                    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                    // share the cores instead of each JVM starting one OpenMP thread per core (oversubscription
                    // with spinning OpenMP threads slows every task down many times)
                    pb.environment().putIfAbsent("OMP_NUM_THREADS", String.valueOf(threadsPerTask()));
                    NativeAllocator.configureChild(pb.environment());
                    Process p = pb.start();
                    running.add(p);
                    int code = p.waitFor();
                    running.remove(p);
                    LOG.info("task {} exited with {}", t.index(), code);
                    return code;
                }));
            }
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                if (stop.getAsBoolean()) {
                    synchronized (running) {
                        running.forEach(Process::destroy); // SIGTERM: each child checkpoints and exits 75
                    }
                }
            }
            Map<Integer, Integer> codes = new LinkedHashMap<>();
            for (Map.Entry<Integer, Future<Integer>> e : futures.entrySet()) {
                Integer code = e.getValue().get();
                if (code != null) {
                    codes.put(e.getKey(), code);
                }
            }
            return codes;
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Write <folder>/slurm/array.sbatch (one array task per unfinished grid point) and sbatch it.")
    static final class Submit extends OnFile implements Callable<Integer> {
        @Option(names = "--dry-run", description = "write and print the script; do not submit")
        boolean dryRun;

        @Option(names = "--all", description = "include finished grid points (they exit at once)")
        boolean all;

        @Option(names = "--no-gres", description = "drop the --gres=gpu:N request (CPU-only clusters)")
        boolean noGres;

        @Option(names = "--gres", paramLabel = "SPEC", description = "replace the gres request, e.g. gpu:a100:1")
        String gres;

        @Option(names = "--classpath", paramLabel = "CP",
                description = "class path for the job (default: this JVM's); either way it is copied into "
                        + "<folder>/code/<hash>/ and the job runs that copy")
        String classPath;

        @Option(names = "--java", paramLabel = "PATH", description = "java executable on the nodes (default: this JVM's)")
        String java;

        /** --no-gres / --gres, else SBATCH_GRES (none or empty: no gres), else gpu:N from resources.gpus. */
        private String gres(Sweep sweep) {
            if (noGres) {
                return null;
            }
            if (gres != null) {
                return gres;
            }
            String fromEnvironment = environment.apply(SBATCH_GRES);
            if (fromEnvironment != null) {
                return isNone(fromEnvironment) ? null : fromEnvironment.trim();
            }
            return SlurmScript.defaultGres(sweep.resources());
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            Sweep sweep = loadChecked();
            if (noGres && gres != null) {
                throw new SweepException("give either --no-gres or --gres, not both");
            }
            String sbatch = dryRun ? null : findOnPath("sbatch").orElseThrow(() -> new SweepException(
                    "sbatch not found on PATH: this machine cannot submit SLURM jobs (use --dry-run to only write the "
                            + "script, or `sweep local` to run here); nothing was submitted"));
            List<Integer> indices = sweep.tasks().stream()
                    .filter(t -> all || !state(t).equals(RunStatus.DONE)).map(Sweep.Task::index).toList();
            if (indices.isEmpty()) {
                out().printf("sweep %s: all %d tasks are done; nothing to submit (--all resubmits them)%n",
                        sweep.name(), sweep.tasks().size());
                out().flush();
                return 0;
            }
            Path projectDir = Path.of("").toAbsolutePath();
            String cp = classPath != null ? classPath : JavaLauncher.classPath();
            JavaLauncher.checkClassPath(cp);
            if (!dryRun) {
                sweep.claimFolder();
            }
            // the job runs a copy of the code made now, not target/: a rebuild must not change queued tasks
            FrozenCode frozen = FrozenCode.freeze(cp, sweep.folder());
            SlurmScript script = new SlurmScript(sweep, indices, gres(sweep), projectDir,
                    java != null ? java : JavaLauncher.javaExecutable(),
                    JvmMemory.fit(JavaLauncher.jvmFlags(projectDir), sweep.resources().memBytes()), frozen.classPath(),
                    frozen.directory());
            Path slurmDir = sweep.folder().resolve("slurm");
            Path scriptFile = slurmDir.resolve("array.sbatch");
            Files.createDirectories(script.logDirectory());
            Files.writeString(scriptFile, script.text(), StandardCharsets.UTF_8);
            if (dryRun) {
                out().print(script.text());
                out().printf("# dry run: wrote %s (%d array tasks; code frozen in %s); not submitted%n", scriptFile,
                        indices.size(), frozen.directory());
                out().flush();
                return 0;
            }
            ProcessBuilder pb = new ProcessBuilder(sbatch, "--parsable", scriptFile.toString()).redirectErrorStream(true);
            if (isNone(environment.apply(SBATCH_GRES))) {
                pb.environment().remove(SBATCH_GRES); // handled above (no gres line); sbatch itself has no "none"
            }
            Process p = pb.start();
            String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int code = p.waitFor();
            if (code != 0) {
                throw new SweepException("sbatch rejected " + scriptFile + " (exit " + code + "): " + reply);
            }
            String jobId = reply.contains(";") ? reply.substring(0, reply.indexOf(';')) : reply;
            Files.writeString(slurmDir.resolve("submissions.log"), Instant.now() + "\tjob " + jobId + "\tarray "
                    + SlurmScript.arraySpec(indices) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            out().printf("submitted sweep %s as job %s: %d array tasks (%s); code frozen in %s; logs %s; check with "
                    + "`sweep status %s`%n", sweep.name(), jobId, indices.size(), SlurmScript.arraySpec(indices),
                    frozen.directory(), script.logDirectory(), file);
            out().flush();
            return 0;
        }
    }

    /** Environment lookup (PATH, SBATCH_GRES); replaceable so tests can simulate a machine without SLURM. */
    public static java.util.function.UnaryOperator<String> environment = System::getenv;

    static final String SBATCH_GRES = "SBATCH_GRES";

    static boolean isNone(String gres) {
        return gres != null && (gres.isBlank() || gres.trim().equalsIgnoreCase("none"));
    }

    static Optional<String> findOnPath(String program) {
        String path = environment.apply("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(File.pathSeparator)).map(d -> Path.of(d, program))
                .filter(Files::isExecutable).map(Path::toString).findFirst();
    }

    /** How to start this project's Java again: on a cluster node or as a child process. */
    static final class JavaLauncher {
        private JavaLauncher() {
        }

        static long physicalMemory() {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getTotalMemorySize();
        }

        static String javaExecutable() {
            return ProcessHandle.current().info().command().orElse("java");
        }

        /** The flags of .mvn/jvm.config (what `mvn exec:java` runs with), if the project has one. */
        static List<String> jvmFlags(Path projectDir) {
            Path config = projectDir.resolve(".mvn").resolve("jvm.config");
            if (!Files.isRegularFile(config)) {
                return List.of();
            }
            try {
                return Arrays.stream(Files.readString(config).trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * This JVM's application class path. Under {@code mvn exec:java} the project's classes are in the plugin's
         * URLClassLoader, not in java.class.path (which then names Maven's own launcher).
         */
        static String classPath() {
            List<String> entries = new ArrayList<>();
            for (ClassLoader cl = SweepCommand.class.getClassLoader(); cl != null; cl = cl.getParent()) {
                if (cl instanceof URLClassLoader urls) {
                    for (URL url : urls.getURLs()) {
                        try {
                            entries.add(Path.of(url.toURI()).toString());
                        } catch (URISyntaxException | IllegalArgumentException e) {
                            entries.add(url.getPath());
                        }
                    }
                    break;
                }
            }
            return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
        }

        static void checkClassPath(String cp) {
            for (String entry : cp.split(File.pathSeparator)) {
                if (!entry.isEmpty() && !Files.exists(Path.of(entry))) {
                    throw new SweepException("class path entry " + entry + " does not exist; build first (mvn -q "
                            + "-DskipTests package) and submit with bin/speedlimits sweep submit, or pass --classpath "
                            + "target/speedlimits-<version>.jar");
                }
            }
            if (!cp.contains("speedlimits") && !cp.contains("classes")) {
                LOG.warn("the job class path does not look like it contains this project's classes: {}", cp);
            }
        }
    }
}
