package org.speedlimits.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds run directories under the given paths, loads them and groups them into seed ensembles. A path is a run
 * directory (it holds config.yaml or metrics.csv) or a folder searched (3 levels deep) for them. Runs that cannot be
 * used (no metrics.csv, status not done, fewer epochs than the rest of their group) are listed in {@link #skipped}
 * with the reason, never averaged in.
 */
public final class RunSet {
    /**
     * Config keys that never define a group: the seed, where the run was written, and settings that change only
     * resources or logging, not the numbers (the NTK memory cap changes how many passes build the same kernel:
     * EmpiricalNtkTest), so that e.g. n = 1250 run under a larger cap averages with n = 500 runs in one table.
     */
    static boolean ignoredForGrouping(String key) {
        return key.equals("seed") || key.startsWith("output.") || key.equals("ntk.memory_cap_mb")
                || key.startsWith("train.progress_");
    }

    public record Group(String label, long n, Map<String, String> keys, List<RunData> runs) {
        public String slug() {
            return label.replaceAll("[^A-Za-z0-9.=_-]+", "_").replace('=', '-');
        }
    }

    public final List<Group> groups;
    public final List<String> skipped;

    private RunSet(List<Group> groups, List<String> skipped) {
        this.groups = groups;
        this.skipped = skipped;
    }

    /** Expands paths into run directories (sorted, without duplicates). */
    public static List<Path> discover(List<Path> paths) {
        Set<Path> runs = new TreeSet<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new AnalysisException("run path " + p + " does not exist");
            }
            if (isRunCandidate(p)) {
                runs.add(p.toAbsolutePath().normalize());
                continue;
            }
            try (Stream<Path> walk = Files.walk(p, 3)) {
                walk.filter(Files::isDirectory).filter(RunSet::isRunCandidate).forEach(d -> runs.add(d.toAbsolutePath().normalize()));
            } catch (IOException e) {
                throw new AnalysisException("cannot list " + p + ": " + e.getMessage(), e);
            }
        }
        if (runs.isEmpty()) {
            throw new AnalysisException("no run directories (folders with config.yaml and metrics.csv) under " + paths);
        }
        return new ArrayList<>(runs);
    }

    private static boolean isRunCandidate(Path dir) {
        return Files.isRegularFile(dir.resolve("config.yaml")) || Files.isRegularFile(dir.resolve("metrics.csv"));
    }

    /** Loads and groups the given run directories (the entry point for a sweep's task list, too). */
    public static RunSet load(List<Path> runDirs) {
        return load(runDirs, Double.POSITIVE_INFINITY);
    }

    /** As {@link #load(List)}, each run cut to its rows at time ≤ {@code horizon} ({@link RunData#upTo}). */
    public static RunSet load(List<Path> runDirs, double horizon) {
        List<String> skipped = new ArrayList<>();
        List<RunData> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            try {
                RunData run = RunData.load(dir).upTo(horizon);
                if (!run.state.equals("done")) {
                    skipped.add(dir + ": status is '" + run.state + "', not 'done' (finish or resume the run first)");
                } else {
                    runs.add(run);
                }
            } catch (AnalysisException e) {
                skipped.add(e.getMessage());
            }
        }
        if (runs.isEmpty()) {
            throw new AnalysisException("none of the " + runDirs.size() + " run directories can be analysed:\n  " + String.join("\n  ", skipped));
        }
        Set<String> differing = new TreeSet<>();
        Map<String, String> first = runs.get(0).config;
        Set<String> allKeys = new TreeSet<>();
        runs.forEach(r -> allKeys.addAll(r.config.keySet()));
        for (String key : allKeys) {
            if (ignoredForGrouping(key)) continue;
            for (RunData r : runs) {
                if (!java.util.Objects.equals(r.config.get(key), first.get(key))) differing.add(key);
            }
        }
        differing.remove("data.n_train");
        Map<String, List<RunData>> byLabel = new LinkedHashMap<>();
        Map<String, Map<String, String>> keysByLabel = new TreeMap<>();
        runs.sort(Comparator.comparingLong(RunData::n).thenComparing(r -> r.dir.toString()));
        for (RunData r : runs) {
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("data.n_train", String.valueOf(r.n()));
            differing.forEach(k -> keys.put(k, r.config.getOrDefault(k, "")));
            StringBuilder label = new StringBuilder("n=" + r.n());
            differing.forEach(k -> label.append(' ').append(k).append('=').append(keys.get(k)));
            byLabel.computeIfAbsent(label.toString(), l -> new ArrayList<>()).add(r);
            keysByLabel.put(label.toString(), keys);
        }
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<String, List<RunData>> e : byLabel.entrySet()) {
            List<RunData> members = completeOnly(e.getKey(), e.getValue(), skipped);
            groups.add(new Group(e.getKey(), members.get(0).n(), keysByLabel.get(e.getKey()), members));
        }
        return new RunSet(groups, skipped);
    }

    /** Drops runs with fewer epochs (or a different epoch grid) than the longest run of their group. */
    private static List<RunData> completeOnly(String label, List<RunData> runs, List<String> skipped) {
        RunData longest = runs.stream().max(Comparator.comparingLong(RunData::lastEpoch).thenComparingInt(RunData::rows)).orElseThrow();
        List<RunData> kept = new ArrayList<>();
        for (RunData r : runs) {
            if (r.lastEpoch() < longest.lastEpoch()) {
                skipped.add(r.dir + ": ends at epoch " + r.lastEpoch() + " but " + longest.dir.getFileName() + " (same group " + label
                        + ") reaches " + longest.lastEpoch() + "; not averaged in");
            } else if (!java.util.Arrays.equals(r.epoch, longest.epoch)) {
                skipped.add(r.dir + ": its metrics.csv rows are at different epochs than " + longest.dir.getFileName()
                        + " (same group " + label + "); not averaged in");
            } else {
                kept.add(r);
            }
        }
        return kept;
    }
}
