package org.speedlimits.sweep;

import org.speedlimits.config.ExitCodes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.engine.NativeAllocator;
import org.speedlimits.cli.Main;
import org.speedlimits.cli.SweepCommand;
import org.speedlimits.run.RunDirectory;
import org.speedlimits.run.RunStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The `sweep` commands end to end: plan, submit (dry run, fake sbatch, no sbatch), the job script, status, local. */
class SweepCommandTest {
    private final java.util.function.UnaryOperator<String> realEnvironment = SweepCommand.environment;

    @AfterEach
    void restoreEnvironment() {
        SweepCommand.environment = realEnvironment;
    }

    /** The real environment with PATH replaced and SBATCH_GRES unset. */
    static void pathIs(String path) {
        SweepCommand.environment = name -> name.equals("PATH") ? path : name.equals("SBATCH_GRES") ? null : System.getenv(name);
    }

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Path gpuExperiment(Path dir) throws IOException {
        return SweepTest.experiment(dir, "cmd", SweepTest.SET, SweepTest.GRID,
                "  time: \"02:00:00\"\n  mem: 3G\n  cpus_per_task: 4\n  partition: gpu\n  gpus: 1\n  signal_seconds: 300\n");
    }

    @Test
    void planListsEveryGridPointAndItsRunDirectory(@TempDir Path dir) throws IOException {
        Path file = gpuExperiment(dir);
        Result r = run("sweep", "plan", file.toString());
        assertEquals(0, r.code(), r.err());
        Sweep sweep = Sweep.load(file);
        for (Sweep.Task t : sweep.tasks()) {
            assertTrue(r.out().contains(t.index() + "\t" + t.label() + "\t" + t.runDirectory() + "\tnot started"), r.out());
        }
        assertTrue(r.out().contains("6 tasks"), r.out());
        assertFalse(Files.exists(sweep.folder()), "plan writes nothing");
    }

    static String dryRun(Path file, String... extra) {
        String[] args = new String[3 + extra.length];
        args[0] = "sweep";
        args[1] = "submit";
        args[2] = "--dry-run";
        System.arraycopy(extra, 0, args, 3, extra.length);
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = file.toString();
        Result r = run(all);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    @Test
    void dryRunScriptHasTheArrayRequeueSignalResourcesAndGres(@TempDir Path dir) throws Exception {
        pathIs(""); // a dry run needs no sbatch
        Path file = gpuExperiment(dir);
        Sweep sweep = Sweep.load(file);
        String script = dryRun(file);
        for (String line : List.of("#SBATCH --array=0-5", "#SBATCH --requeue", "#SBATCH --signal=B:TERM@300",
                "#SBATCH --time=02:00:00", "#SBATCH --mem=3G", "#SBATCH --cpus-per-task=4", "#SBATCH --partition=gpu",
                "#SBATCH --gres=gpu:1", "#SBATCH --job-name=cmd", "#SBATCH --open-mode=append", NativeAllocator.shellExport(),
                "#SBATCH --output=" + sweep.folder().toAbsolutePath().resolve("slurm/logs/%A_%a.out"))) {
            assertTrue(script.lines().anyMatch(l -> l.equals(line)), "missing '" + line + "' in\n" + script);
        }
        assertTrue(script.contains("org.speedlimits.cli.Main sweep run-task " + file.toAbsolutePath()
                + " --index \"$SLURM_ARRAY_TASK_ID\" &"), script);
        // the JVM flags of .mvn/jvm.config, fitted to the 3G allocation (a 4g heap and 20G resident would not fit)
        assertTrue(script.contains("-Xmx1024m -Dorg.bytedeco.javacpp.maxbytes=1587m "
                + "-Dorg.bytedeco.javacpp.maxphysicalbytes=2611m -Djava.awt.headless=true"), script);
        assertTrue(script.contains("scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""), script);
        Path written = sweep.folder().resolve("slurm/array.sbatch");
        assertTrue(Files.readString(written).startsWith("#!/bin/bash"));
        Process syntax = new ProcessBuilder("bash", "-n", written.toString()).redirectErrorStream(true).start();
        assertEquals(0, syntax.waitFor(), new String(syntax.getInputStream().readAllBytes()));
        assertFalse(Files.exists(sweep.folder().resolve(Sweep.LOCK_FILE)), "a dry run claims no folder");

        assertFalse(dryRun(file, "--no-gres").contains("--gres"));
        assertTrue(dryRun(file, "--gres", "gpu:a100:2").contains("#SBATCH --gres=gpu:a100:2\n"));
        // SBATCH_GRES (what sbatch itself would apply over the script) replaces the request; none/empty drops it
        SweepCommand.environment = name -> name.equals("SBATCH_GRES") ? "none" : name.equals("PATH") ? "" : System.getenv(name);
        assertFalse(dryRun(file).contains("--gres"));
        SweepCommand.environment = name -> name.equals("SBATCH_GRES") ? "gpu:v100:1" : name.equals("PATH") ? "" : System.getenv(name);
        assertTrue(dryRun(file).contains("#SBATCH --gres=gpu:v100:1\n"));
        pathIs("");
        String cpu = dryRun(SweepTest.experiment(dir, "cpu", "", SweepTest.GRID, "  gpus: 0\n"));
        assertFalse(cpu.contains("--gres"), cpu);
        assertFalse(cpu.contains("--partition"), "no partition line without a partition");
    }

    /** The classpath= line of a job script, split into its entries. */
    static List<String> scriptClassPath(String script) {
        String line = script.lines().filter(l -> l.startsWith("classpath=")).findFirst().orElseThrow();
        String value = line.substring("classpath=".length());
        if (value.startsWith("'")) {
            value = value.substring(1, value.length() - 1);
        }
        return List.of(value.split(java.io.File.pathSeparator));
    }

    /**
     * The job runs a copy of the code made at submit time in <folder>/code/<hash>/, never target/classes: a packaged
     * jar with its Class-Path manifest (target/speedlimits-*.jar + lib/) is copied with its lib/, resubmitting the
     * same code reuses the copy, and changed code (a rebuild) gets a new copy while the old one stays as it was.
     */
    @Test
    void submittedScriptRunsAFrozenCopyOfTheCodeNotTargetClasses(@TempDir Path dir) throws Exception {
        pathIs("");
        Path file = gpuExperiment(dir);
        Sweep sweep = Sweep.load(file);
        Path code = sweep.folder().toAbsolutePath().normalize().resolve(FrozenCode.DIR);

        // this JVM's own class path (Surefire's: target/classes, target/test-classes, ~/.m2 jars)
        String script = dryRun(file);
        List<String> cp = scriptClassPath(script);
        assertTrue(cp.size() > 10, "the whole class path: " + cp);
        for (String entry : cp) {
            assertTrue(entry.startsWith(code + "/"), "entry outside the frozen copy: " + entry);
            assertTrue(Files.exists(Path.of(entry)), entry);
        }
        assertFalse(script.contains("target/classes"), script);
        assertTrue(cp.stream().anyMatch(e -> Files.isRegularFile(Path.of(e, "org/speedlimits/cli/Main.class"))),
                "the project's classes are in the copy");
        assertTrue(script.contains("a copy of the class path made by `sweep submit`"), script);

        // a packaged jar: target/speedlimits-x.jar with "Class-Path: lib/a.jar lib/b.jar", built here
        Path target = Files.createDirectories(dir.resolve("target"));
        Path lib = Files.createDirectories(target.resolve("lib"));
        Files.writeString(lib.resolve("a.jar"), "not really a jar, a");
        Files.writeString(lib.resolve("b.jar"), "not really a jar, b");
        Path jar = target.resolve("speedlimits-x.jar");
        writeJar(jar, "lib/a.jar lib/b.jar", "version 1");
        String packaged = dryRun(file, "--classpath", jar.toString());
        List<String> frozen = scriptClassPath(packaged);
        assertEquals(3, frozen.size(), frozen.toString());
        Path copy = Path.of(frozen.get(0)).getParent();
        assertEquals(code, copy.getParent());
        assertEquals(List.of(copy.resolve("speedlimits-x.jar").toString(), copy.resolve("lib/a.jar").toString(),
                copy.resolve("lib/b.jar").toString()), frozen, "the jar + lib/ layout of target/");
        assertEquals("not really a jar, a", Files.readString(copy.resolve("lib/a.jar")));
        assertTrue(Files.readString(copy.resolve(FrozenCode.SOURCES_FILE)).contains(lib.resolve("a.jar").toString()));

        // unchanged: the same copy; rebuilt: a new copy, and the old one still holds the old jar
        assertEquals(frozen, scriptClassPath(dryRun(file, "--classpath", jar.toString())));
        byte[] before = Files.readAllBytes(copy.resolve("speedlimits-x.jar"));
        writeJar(jar, "lib/a.jar lib/b.jar", "version 2");
        List<String> rebuilt = scriptClassPath(dryRun(file, "--classpath", jar.toString()));
        Path newCopy = Path.of(rebuilt.get(0)).getParent();
        assertFalse(newCopy.equals(copy), "changed code gets its own copy");
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(copy.resolve("speedlimits-x.jar"))),
                "the earlier copy is untouched by the rebuild");
        assertEquals("not really a jar, b", Files.readString(newCopy.resolve("lib/b.jar")));
    }

    private static void writeJar(Path jar, String classPath, String content) throws IOException {
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, classPath);
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new java.util.jar.JarEntry("version.txt"));
            out.write(content.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    @Test
    void submitLeavesOutFinishedTasksAndSubmitsWithSbatch(@TempDir Path dir) throws Exception {
        Path file = gpuExperiment(dir);
        Sweep sweep = Sweep.load(file);
        Files.createDirectories(sweep.task(1).runDirectory());
        RunStatus.write(sweep.task(1).runDirectory(), RunStatus.DONE, 3, 3, 0);
        Files.createDirectories(sweep.task(4).runDirectory());
        RunStatus.write(sweep.task(4).runDirectory(), RunStatus.DONE, 3, 3, 0);
        assertTrue(dryRun(file).contains("#SBATCH --array=0,2-3,5\n"));
        assertTrue(dryRun(file, "--all").contains("#SBATCH --array=0-5\n"));

        // a fake sbatch that records its arguments and answers like `sbatch --parsable`
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path sbatch = bin.resolve("sbatch");
        Files.writeString(sbatch, "#!/bin/sh\necho \"$@\" > " + dir.resolve("sbatch.args") + "\necho 4242\n");
        Files.setPosixFilePermissions(sbatch, PosixFilePermissions.fromString("rwxr-xr-x"));
        pathIs(bin.toString());
        Result r = run("sweep", "submit", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("as job 4242: 4 array tasks (0,2-3,5)"), r.out());
        assertEquals("--parsable " + sweep.folder().resolve("slurm/array.sbatch"), Files.readString(dir.resolve("sbatch.args")).trim());
        assertTrue(Files.readString(sweep.folder().resolve("slurm/submissions.log")).contains("job 4242"));
        assertTrue(Files.exists(sweep.folder().resolve(Sweep.LOCK_FILE)), "a submission claims the folder");
    }

    @Test
    void submitWithoutSbatchFailsBeforeWritingAnything(@TempDir Path dir) throws IOException {
        pathIs(dir.toString());
        Path file = gpuExperiment(dir);
        Result r = run("sweep", "submit", file.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("sbatch not found on PATH") && r.err().contains("nothing was submitted"), r.err());
        assertFalse(Files.exists(Sweep.load(file).folder()), "nothing written");
    }

    @Test
    void unknownGridKeyIsACommandLineError(@TempDir Path dir) throws IOException {
        Result r = run("sweep", "plan", SweepTest.experiment(dir, "bad", "", "  model.widht: [2, 4]\n", "").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("unknown grid key 'model.widht'; did you mean 'model.width'?"), r.err());
    }

    /**
     * Runs the generated job script with a stand-in for java (sleeps; exits 75 on SIGTERM, as TrainingJob does) and
     * for scontrol (records its arguments), then sends SIGTERM to the batch shell as {@code --signal=B:TERM} does:
     * the shell must forward it, wait for Java's exit code, requeue its own array task and exit 75.
     */
    @Test
    void jobScriptForwardsSigtermAndRequeuesItselfOnExit75(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path fakeJava = bin.resolve("java");
        Files.writeString(fakeJava, "#!/bin/bash\necho \"$@\" > " + dir.resolve("java.args") + "\n"
                + "trap 'echo term > " + dir.resolve("java.term") + "; exit 75' TERM\n"
                + "for i in $(seq 300); do sleep 0.1; done\nexit 0\n");
        Path fakeScontrol = bin.resolve("scontrol");
        Files.writeString(fakeScontrol, "#!/bin/sh\necho \"$@\" > " + dir.resolve("scontrol.args") + "\n");
        for (Path p : List.of(fakeJava, fakeScontrol)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        pathIs("");
        Path file = gpuExperiment(dir);
        dryRun(file, "--java", fakeJava.toString());
        Path script = Sweep.load(file).folder().resolve("slurm/array.sbatch");

        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("job.out").toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("SLURM_ARRAY_JOB_ID", "77");
        pb.environment().put("SLURM_ARRAY_TASK_ID", "3");
        Process job = pb.start();
        Path javaArgs = dir.resolve("java.args");
        for (int i = 0; i < 100 && !Files.exists(javaArgs); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(javaArgs), "java was started");
        Thread.sleep(200); // let the fake java install its trap
        new ProcessBuilder("kill", "-TERM", String.valueOf(job.pid())).start().waitFor();
        assertTrue(job.waitFor(20, TimeUnit.SECONDS), "job script exits after the signal");
        String log = Files.readString(dir.resolve("job.out"));
        assertEquals(75, job.exitValue(), log);
        assertTrue(Files.exists(dir.resolve("java.term")), "SIGTERM reached java: " + log);
        assertEquals("requeue 77_3", Files.readString(dir.resolve("scontrol.args")).trim(), log);
        assertTrue(Files.readString(javaArgs).contains("sweep run-task " + file.toAbsolutePath() + " --index 3"));
    }

    @Test
    void statusCountsStatesFromStatusJson(@TempDir Path dir) throws IOException {
        Path file = gpuExperiment(dir);
        Sweep sweep = Sweep.load(file);
        String[] states = {RunStatus.DONE, RunStatus.DONE, RunStatus.RUNNING, RunStatus.FAILED, RunStatus.INTERRUPTED};
        for (int i = 0; i < states.length; i++) {
            Files.createDirectories(sweep.task(i).runDirectory());
            RunStatus.write(sweep.task(i).runDirectory(), states[i], i, 3, null);
        }
        Result r = run("sweep", "status", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6 tasks, 2 done, 1 running, 1 interrupted, 1 failed, 0 diverged, 1 not started"), r.out());
        assertTrue(r.out().contains("\n2\trunning\t2/3\t"), r.out());
        assertTrue(r.out().contains("\n5\tnot started\t-\t-\t" + sweep.task(5).label()), r.out());
    }

    @Test
    void localRunsEveryTaskOnceAndSkipsFinishedOnes(@TempDir Path dir) throws IOException {
        assumeTrue(Files.exists(Path.of("data/cifar-10-batches-bin/data_batch_1.bin")),
                "CIFAR-10 not installed: run CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh");
        Path file = SweepTest.experiment(dir, "local", "  train.lr: 0.002\n  data.n_test: 16\n  output.figure: false\n",
                "  data.n_train: [8, 12]\n", "");
        Result r = run("sweep", "local", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 of 2 tasks to run"), r.out());
        Sweep sweep = Sweep.load(file);
        for (Sweep.Task t : sweep.tasks()) {
            assertEquals(RunStatus.DONE, RunStatus.read(t.runDirectory()).orElseThrow().state());
            List<String> metrics = Files.readAllLines(t.runDirectory().resolve(RunDirectory.METRICS));
            assertEquals(1 + 4, metrics.size(), "header + epochs 0..3");
            assertTrue(Files.readString(t.runDirectory().resolve(RunDirectory.CONFIG))
                    .contains("n_train: " + t.gridPoint().get("data.n_train")));
        }
        assertTrue(run("sweep", "status", file.toString()).out().contains("2 tasks, 2 done"));
        Result again = run("sweep", "local", file.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("0 of 2 tasks to run"), again.out());
    }

    @Test
    void localChildJvmsGetTheTrainingMallocSettings(@TempDir Path dir) throws IOException {
        assumeTrue(Files.exists(Path.of("data/cifar-10-batches-bin/data_batch_1.bin")),
                "CIFAR-10 not installed: run CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh");
        assumeTrue(System.getenv(NativeAllocator.VARIABLE) == null, "a GLIBC_TUNABLES of one's own is kept (by design)");
        Path file = SweepTest.experiment(dir, "children", "  train.lr: 0.002\n  data.n_test: 16\n  output.figure: false\n",
                "  data.n_train: [8, 12]\n", "");
        Result r = run("sweep", "local", file.toString(), "-j", "2");
        assertEquals(0, r.code(), r.err());
        Sweep sweep = Sweep.load(file);
        for (Sweep.Task t : sweep.tasks()) {
            assertEquals(RunStatus.DONE, RunStatus.read(t.runDirectory()).orElseThrow().state());
            String log = Files.readString(sweep.folder().resolve("local-logs").resolve("task-" + t.index() + ".log"));
            assertTrue(log.contains("glibc malloc tuned for training"), log);
        }
    }
}
