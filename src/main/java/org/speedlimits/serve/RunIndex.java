package org.speedlimits.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.speedlimits.run.RunDirectory;
import org.speedlimits.run.RunLock;
import org.speedlimits.run.RunStatus;
import org.speedlimits.sweep.Sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every run directory and sweep folder under the served root, with what the overview shows: state ({@link RunState}),
 * progress (epoch of metrics.csv's last row over the run's epochs), an ETA, dynamics and gradient engine. A run is a
 * folder holding config.yaml (its subfolders are not searched); a sweep is a folder holding sweep.json, its runs
 * under {@code runs/}. Symlinked folders are not followed. Each scan reads only small files and the last 64 KiB of
 * each metrics.csv; config.yaml and env.json are parsed again only when they change.
 *
 * <p>ETA: the progress rate over the longest of two baselines, (a) the point status.json records (it is rewritten at
 * every checkpoint with the epoch and the time) and (b) what this index saw over the last ten minutes; then
 * remaining epochs / rate. No progress seen on either: no ETA.
 */
public final class RunIndex {
    static final int MAX_DEPTH = 6;
    static final int MAX_RUNS = 10_000;
    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Set<String> NOT_SEARCHED = Set.of("checkpoints", "ntk", "code", "slurm", "local-logs", "analysis");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run as the overview lists it; times as ISO-8601, NaN/-1 where unknown. */
    public record Run(String path, String experiment, String sweep, String state, String detail, String dynamics,
                      String engine, long epoch, long epochs, double time, double horizon, double lr, double progress,
                      double etaSeconds, String updated, String lastWrite, long metricsBytes, boolean hasNtk) {
    }

    /** One sweep folder: its grid size (from sweep.json) and the states of the runs it holds. */
    public record SweepFolder(String path, String name, long tasks, Map<String, Integer> counts) {
    }

    public record Snapshot(Instant at, List<Run> runs, List<SweepFolder> sweeps, boolean truncated) {
    }

    private record Parsed(FileTime mtime, JsonNode tree) {
    }

    private record Sample(Instant at, long epoch) {
    }

    private final Path root;
    private final Duration staleAfter;
    private final Duration cacheFor;
    private final Map<Path, Parsed> parsed = new java.util.HashMap<>();
    private final Map<String, Deque<Sample>> seen = new java.util.HashMap<>();
    private Snapshot last;

    /** @param root the real path of the served root */
    public RunIndex(Path root, Duration staleAfter, Duration cacheFor) {
        this.root = root;
        this.staleAfter = staleAfter;
        this.cacheFor = cacheFor;
    }

    /** The current snapshot, scanned again when the last one is older than the cache time (2 s by default). */
    public synchronized Snapshot snapshot() {
        Instant now = Instant.now();
        if (last == null || Duration.between(last.at(), now).compareTo(cacheFor) >= 0) {
            last = scan(now);
        }
        return last;
    }

    private Snapshot scan(Instant now) {
        List<Path> runDirs = new ArrayList<>();
        List<Path> sweepDirs = new ArrayList<>();
        boolean[] truncated = {false};
        try {
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            String name = dir.equals(root) ? "" : dir.getFileName().toString();
                            if (name.startsWith(".") || NOT_SEARCHED.contains(name)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (Files.isRegularFile(dir.resolve(RunDirectory.CONFIG), LinkOption.NOFOLLOW_LINKS)) {
                                if (runDirs.size() >= MAX_RUNS) {
                                    truncated[0] = true;
                                    return FileVisitResult.TERMINATE;
                                }
                                runDirs.add(dir);
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (Files.isRegularFile(dir.resolve(Sweep.LOCK_FILE), LinkOption.NOFOLLOW_LINKS)) {
                                sweepDirs.add(dir);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            return FileVisitResult.CONTINUE; // unreadable corner: list the rest
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        Map<Path, String> sweepNames = new LinkedHashMap<>();
        Map<Path, Long> sweepTasks = new LinkedHashMap<>();
        for (Path s : sweepDirs) {
            JsonNode j = tree(s.resolve(Sweep.LOCK_FILE), JSON);
            sweepNames.put(s, j.path("sweep").asText(s.getFileName().toString()));
            long tasks = 1;
            for (JsonNode values : j.path("grid")) {
                tasks *= Math.max(1, values.size());
            }
            sweepTasks.put(s, j.path("grid").isObject() ? tasks : -1);
        }
        List<Run> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            Path sweep = sweepDirs.stream().filter(s -> dir.startsWith(s.resolve("runs"))).findFirst().orElse(null);
            runs.add(run(dir, sweep == null ? null : sweepNames.get(sweep), now));
        }
        seen.keySet().retainAll(runs.stream().map(Run::path).toList());
        parsed.keySet().removeIf(p -> !Files.exists(p));
        List<SweepFolder> sweeps = new ArrayList<>();
        for (Path s : sweepDirs) {
            Map<String, Integer> counts = new TreeMap<>();
            String name = sweepNames.get(s);
            runs.stream().filter(r -> name.equals(r.sweep()) && r.path().startsWith(rel(s) + "/"))
                    .forEach(r -> counts.merge(r.state(), 1, Integer::sum));
            sweeps.add(new SweepFolder(rel(s), name, sweepTasks.get(s), counts));
        }
        return new Snapshot(now, runs, sweeps, truncated[0]);
    }

    private Run run(Path dir, String sweep, Instant now) {
        String path = rel(dir);
        JsonNode config = tree(dir.resolve(RunDirectory.CONFIG), YAML);
        JsonNode env = tree(dir.resolve(RunDirectory.ENV), JSON);
        String dynamics = config.path("train").path("dynamics").asText("gd");
        double lr = config.path("train").path("lr").asDouble(Double.NaN);
        long configEpochs = config.path("train").path("epochs").asLong(-1);
        String engine = env.path("gradient_engine").asText(config.path("train").path("engine").asText("?"));

        Optional<RunStatus> status;
        String statusError = "";
        try {
            status = RunStatus.read(dir);
        } catch (RuntimeException e) {
            status = Optional.empty();
            statusError = "status.json unreadable: " + e.getMessage();
        }
        Path metrics = dir.resolve(RunDirectory.METRICS);
        long epoch = -1;
        double time = Double.NaN;
        long bytes = -1;
        try {
            if (Files.isRegularFile(metrics, LinkOption.NOFOLLOW_LINKS)) {
                bytes = Files.size(metrics);
                Optional<List<String>> header = CsvTail.header(metrics);
                if (header.isPresent()) {
                    int e = header.get().indexOf("epoch"), t = header.get().indexOf("time");
                    Optional<double[]> row = CsvTail.lastRow(metrics, header.get().size());
                    if (row.isPresent() && e >= 0) {
                        epoch = (long) row.get()[e];
                        time = t >= 0 ? row.get()[t] : Double.NaN;
                    }
                }
            }
        } catch (IOException e) {
            statusError = "metrics.csv unreadable: " + e.getMessage();
        }
        Instant lastWrite = newest(metrics, dir.resolve(RunDirectory.LOG), dir.resolve(RunStatus.FILE));
        RunState.Classified state = statusError.isEmpty() || status.isPresent()
                ? RunState.classify(status, RunLock.recorded(dir), lastWrite, now, staleAfter, RunLock.localHost(),
                RunState.Processes.LOCAL)
                : new RunState.Classified("unknown", statusError);
        long epochs = status.map(RunStatus::epochs).orElse(configEpochs);
        double progress = epochs > 0 && epoch >= 0 ? Math.min(1.0, epoch / (double) epochs) : Double.NaN;
        double eta = Double.NaN;
        if (RunStatus.RUNNING.equals(state.state()) && epoch >= 0 && epochs > 0) {
            eta = eta(path, status.get(), epoch, epochs, now);
        } else {
            seen.remove(path);
        }
        return new Run(path, config.path("experiment").asText(""), sweep, state.state(), state.detail(), dynamics,
                engine, epoch, epochs, time, epochs > 0 && lr > 0 ? epochs * lr : Double.NaN, lr, progress, eta,
                status.map(RunStatus::updated).orElse(""), lastWrite == null ? "" : lastWrite.toString(), bytes,
                Files.isDirectory(dir.resolve("ntk"), LinkOption.NOFOLLOW_LINKS));
    }

    /** Seconds to go at the rate over the longer of the two baselines (see the class doc), or NaN. */
    private double eta(String path, RunStatus status, long epoch, long epochs, Instant now) {
        Deque<Sample> samples = seen.computeIfAbsent(path, p -> new ArrayDeque<>());
        if (samples.isEmpty() || samples.peekLast().epoch() != epoch) {
            samples.addLast(new Sample(now, epoch));
        }
        while (samples.size() > 2 && Duration.between(samples.peekFirst().at(), now).compareTo(WINDOW) > 0) {
            samples.pollFirst();
        }
        double rate = Double.NaN;
        double span = 0;
        Sample first = samples.peekFirst();
        if (first.epoch() < epoch) {
            span = Duration.between(first.at(), now).toMillis() / 1000.0;
            rate = (epoch - first.epoch()) / Math.max(span, 1e-3);
        }
        try {
            Instant written = Instant.parse(status.updated());
            double s = Duration.between(written, now).toMillis() / 1000.0;
            if (status.epoch() < epoch && s > span) {
                rate = (epoch - status.epoch()) / s;
            }
        } catch (RuntimeException e) {
            // no usable status point: the observed rate alone
        }
        return rate > 0 ? (epochs - epoch) / rate : Double.NaN;
    }

    private static Instant newest(Path... files) {
        Instant newest = null;
        for (Path f : files) {
            try {
                Instant t = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant();
                if (newest == null || t.isAfter(newest)) {
                    newest = t;
                }
            } catch (IOException e) {
                // not there
            }
        }
        return newest;
    }

    /** A small YAML/JSON file's tree, parsed again only when its modification time changes; missing: an empty node. */
    private JsonNode tree(Path file, ObjectMapper mapper) {
        try {
            FileTime mtime = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
            Parsed p = parsed.get(file);
            if (p == null || !p.mtime().equals(mtime)) {
                JsonNode t = Files.size(file) > (1 << 20) ? null : mapper.readTree(file.toFile());
                p = new Parsed(mtime, t == null ? mapper.createObjectNode() : t);
                parsed.put(file, p);
            }
            return p.tree();
        } catch (IOException e) {
            return mapper.createObjectNode();
        }
    }

    private String rel(Path dir) {
        return SafePath.encode(root, dir);
    }
}
