package org.speedlimits.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.run.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Experiment files: grid expansion, run directories, the base-hash lock and every rejected input. */
class SweepTest {

    /** Writes base.yaml and an experiment file (header + grid + resources) into {@code dir}. */
    static Path experiment(Path dir, String name, String set, String grid, String resources) throws IOException {
        Files.writeString(dir.resolve("base.yaml"), "experiment: sweeptest\nmodel:\n  width: 2\ntrain:\n  epochs: 3\n");
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "sweep: " + name + "\nbase: base.yaml\nfolder: " + dir.resolve("sweep-" + name) + "\n"
                + (set.isEmpty() ? "" : "set:\n" + set) + (grid.isEmpty() ? "" : "grid:\n" + grid)
                + (resources.isEmpty() ? "" : "resources:\n" + resources));
        return file;
    }

    static final String SET = "  train.lr: 0.002\n  data.n_test: 0\n";
    static final String GRID = "  data.n_train: [16, 24]\n  seed: [0, 1, 2]\n";

    @Test
    void gridIsTheCartesianProductInFileOrderWithSetAppliedToEveryTask(@TempDir Path dir) throws IOException {
        Sweep sweep = Sweep.load(experiment(dir, "grid", SET, GRID, ""));
        List<Sweep.Task> tasks = sweep.tasks();
        assertEquals(6, tasks.size());
        Set<List<Object>> points = new HashSet<>();
        for (int i = 0; i < tasks.size(); i++) {
            Sweep.Task t = tasks.get(i);
            assertEquals(i, t.index());
            assertEquals(List.of("data.n_train", "seed"), List.copyOf(t.gridPoint().keySet()));
            // first key slowest, last key fastest: index = 3 * (n position) + (seed position)
            assertEquals(List.of(16, 24).get(i / 3), ((Number) t.gridPoint().get("data.n_train")).intValue());
            assertEquals((long) (i % 3), ((Number) t.gridPoint().get("seed")).longValue());
            // the resolved config carries the grid values and the set overrides
            assertEquals(((Number) t.gridPoint().get("data.n_train")).intValue(), t.config().config().data().nTrain());
            assertEquals(i % 3, t.config().config().seed());
            assertEquals(0.002, t.config().config().train().lr());
            assertEquals(0, t.config().config().data().nTest());
            assertEquals(2, t.config().config().model().width(), "base value kept");
            points.add(List.copyOf(t.gridPoint().values()));
        }
        assertEquals(6, points.size(), "every combination exactly once");
        assertEquals("data.n_train=16 seed=0", tasks.get(0).label());
    }

    @Test
    void runDirectoriesFollowFromTheResolvedConfigAlone(@TempDir Path dir) throws IOException {
        Path file = experiment(dir, "dirs", SET, GRID, "");
        Sweep a = Sweep.load(file);
        Sweep b = Sweep.load(file);
        Set<Path> distinct = new HashSet<>();
        for (Sweep.Task t : a.tasks()) {
            assertEquals(t.runDirectory(), b.task(t.index()).runDirectory(), "same file, same directories");
            distinct.add(t.runDirectory());
            // independently: the run id `train` gives the same config given as --set overrides
            Map<String, Object> p = t.gridPoint();
            ConfigLoader.Resolved viaTrain = ConfigLoader.load(dir.resolve("base.yaml").toString(), List.of(
                    "train.lr=0.002 data.n_test=0 data.n_train=" + p.get("data.n_train") + " seed=" + p.get("seed")));
            assertEquals(dir.resolve("sweep-dirs").resolve("runs").resolve(RunDirectory.runId(viaTrain)), t.runDirectory());
        }
        assertEquals(6, distinct.size());
    }

    @Test
    void defaultFolderIsOutputsSweepsName(@TempDir Path dir) throws IOException {
        Path file = experiment(dir, "named", "", GRID, "");
        Files.writeString(file, Files.readString(file).replaceAll("(?m)^folder:.*\n", ""));
        assertEquals(Path.of("outputs", "sweeps", "named"), Sweep.load(file).folder());
    }

    @Test
    void folderRecordsTheBaseHashAndRefusesAnotherBase(@TempDir Path dir) throws IOException {
        Path file = experiment(dir, "lock", SET, GRID, "");
        Sweep sweep = Sweep.load(file);
        sweep.claimFolder();
        assertTrue(Files.readString(sweep.folder().resolve(Sweep.LOCK_FILE)).contains(sweep.baseHash()));
        // more seeds: same base, accepted
        Files.writeString(file, Files.readString(file).replace("seed: [0, 1, 2]", "seed: [0, 1, 2, 3]"));
        Sweep.load(file).checkFolder();
        // another learning rate in `set`: a different base config for the same folder, refused
        Files.writeString(file, Files.readString(file).replace("train.lr: 0.002", "train.lr: 0.003"));
        Sweep changed = Sweep.load(file);
        assertNotEquals(sweep.baseHash(), changed.baseHash());
        SweepException e = assertThrows(SweepException.class, changed::checkFolder);
        assertTrue(e.getMessage().contains("different base config"), e.getMessage());
        assertThrows(SweepException.class, changed::claimFolder);
    }

    static String error(Path file) {
        return assertThrows(SweepException.class, () -> Sweep.load(file)).getMessage();
    }

    @Test
    void badGridsAreRejectedNamingTheKey(@TempDir Path dir) throws IOException {
        String m = error(experiment(dir, "g1", "", "  data.ntrain: [16, 24]\n", ""));
        assertTrue(m.contains("unknown grid key 'data.ntrain'") && m.contains("did you mean 'data.n_train'"), m);
        m = error(experiment(dir, "g2", SET, "", ""));
        assertTrue(m.contains("'grid' is empty"), m);
        m = error(experiment(dir, "g3", "", "  seed: []\n", ""));
        assertTrue(m.contains("grid key 'seed' has no values"), m);
        m = error(experiment(dir, "g4", "", "  seed: 3\n", ""));
        assertTrue(m.contains("grid key 'seed' must have a list of values"), m);
        m = error(experiment(dir, "g5", "", "  seed: [0, zero]\n", ""));
        assertTrue(m.contains("grid point #1") && m.contains("'seed' expects an integer, got 'zero'"), m);
        m = error(experiment(dir, "g6", "  seed: 1\n", "  seed: [0, 1]\n", ""));
        assertTrue(m.contains("'seed' is both in 'set' and in 'grid'"), m);
        m = error(experiment(dir, "g7", "  train.lrr: 0.1\n", GRID, ""));
        assertTrue(m.contains("unknown set key 'train.lrr'") && m.contains("'train.lr'"), m);
        m = error(experiment(dir, "g8", "", "  output.root: [a, b]\n", ""));
        assertTrue(m.contains("'output.root' cannot be used in a sweep"), m);
        m = error(experiment(dir, "g9", "", "  seed: [1, 1]\n", ""));
        assertTrue(m.contains("resolve to the same run config"), m);
    }

    @Test
    void badFilesAreRejected(@TempDir Path dir) throws IOException {
        Path file = experiment(dir, "f", "", GRID, "");
        Files.writeString(file, Files.readString(file) + "gird: {}\n");
        assertTrue(error(file).contains("unknown key 'gird'; did you mean 'grid'"), error(file));
        Files.writeString(file, "sweep: f\nbase: missing.yaml\ngrid:\n" + GRID);
        assertTrue(error(file).contains("base config 'missing.yaml' not found"), error(file));
        Files.writeString(file, "base: base.yaml\ngrid:\n" + GRID);
        assertTrue(error(file).contains("'sweep' is required"), error(file));
        Files.writeString(file, "sweep: a/b\nbase: base.yaml\ngrid:\n" + GRID);
        assertTrue(error(file).contains("sweep name 'a/b'"), error(file));
        assertTrue(error(dir.resolve("nope.yaml")).contains("experiment file not found"));
    }

    @Test
    void resourcesSlurmWouldRejectFailAtLoad(@TempDir Path dir) throws IOException {
        String[][] cases = {
                {"  time: 4h\n", "resources.time '4h' is not a SLURM time"},
                {"  time: \"01:75:00\"\n", "resources.time '01:75:00' is not a SLURM time"},
                {"  mem: 8GB\n", "resources.mem '8GB' is not a SLURM memory size"},
                {"  mem: -1\n", "resources.mem '-1'"},
                {"  cpus_per_task: 0\n", "cpus_per_task must be at least 1"},
                {"  gpus: -1\n", "resources.gpus must be 0"},
                {"  partition: \"gpu queue\"\n", "resources.partition 'gpu queue'"},
                {"  time: \"1:00\"\n  signal_seconds: 120\n", "signal_seconds = 120 is not shorter than"},
                {"  memory: 8G\n", "unknown key 'resources.memory'; did you mean 'resources.mem'"},
                {"  cpus_per_task: two\n", "resources.cpus_per_task expects an integer"},
        };
        int i = 0;
        for (String[] c : cases) {
            String m = error(experiment(dir, "r" + i++, "", GRID, c[0]));
            assertTrue(m.contains(c[1]), c[0] + " -> " + m);
        }
    }

    @Test
    void slurmTimeFormats() {
        assertEquals(90 * 60, Resources.timeLimitSeconds("90"));
        assertEquals(90, Resources.timeLimitSeconds("1:30"));
        assertEquals(4 * 3600, Resources.timeLimitSeconds("04:00:00"));
        assertEquals(2 * 86400 + 3 * 3600, Resources.timeLimitSeconds("2-3"));
        assertEquals(86400 + 3600 + 120, Resources.timeLimitSeconds("1-01:02"));
        assertEquals(86400 + 3600 + 120 + 3, Resources.timeLimitSeconds("1-01:02:03"));
        assertEquals(-1, Resources.timeLimitSeconds("1:2:3:4"));
        assertEquals(-1, Resources.timeLimitSeconds("04:00:60"));
    }

    @Test
    void defaultsFillMissingResources(@TempDir Path dir) throws IOException {
        Resources r = Sweep.load(experiment(dir, "d", "", GRID, "  gpus: 1\n")).resources();
        assertEquals(new Resources("04:00:00", "8G", 2, null, 1, 120), r);
        assertTrue(r.sbatchLines(SlurmScript.defaultGres(r)).contains("--gres=gpu:1"));
    }

    @Test
    void arraySpecCollapsesRuns() {
        assertEquals("0-3", SlurmScript.arraySpec(List.of(0, 1, 2, 3)));
        assertEquals("0,2-3,7", SlurmScript.arraySpec(List.of(7, 3, 2, 0)));
        assertEquals("5", SlurmScript.arraySpec(List.of(5)));
    }
}
