package org.speedlimits.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.run.RunDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An experiment file: a base run config, overrides for every task ({@code set:}), a grid whose cartesian product
 * gives one task per point, and the SLURM resources of one task. Every task's config is resolved (and so validated)
 * when the file is loaded, and each task's run directory {@code <folder>/runs/<run id>} follows from its resolved
 * config alone, so a requeued or resubmitted task finds (and resumes) its own run.
 * <pre>
 * Sweep sweep = Sweep.load(Path.of("experiments/smoke.yaml"));
 * for (Sweep.Task t : sweep.tasks()) { t.index(); t.gridPoint(); t.runDirectory(); }
 * </pre>
 */
public final class Sweep {
    /** Written into the sweep folder on first use: the base config's hash; a different base is refused. */
    public static final String LOCK_FILE = "sweep.json";
    public static final String RUNS = "runs";
    static final List<String> KEYS = List.of("sweep", "base", "folder", "set", "grid", "resources");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One grid point: its position in the array, the grid values (in file order) and its run directory. */
    public record Task(int index, Map<String, Object> gridPoint, Path runDirectory, ConfigLoader.Resolved config) {
        /** {@code data.n_train=250 seed=0}: the grid point as {@code train --set} overrides. */
        public String label() {
            return gridPoint.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        }
    }

    private final Path file;
    private final String name;
    private final Path base;
    private final Path folder;
    private final List<String> set;
    private final Map<String, List<JsonNode>> grid;
    private final Resources resources;
    private final String baseHash;
    private final List<Task> tasks;

    private Sweep(Path file, String name, Path base, Path folder, List<String> set, Map<String, List<JsonNode>> grid,
                  Resources resources, String baseHash, List<Task> tasks) {
        this.file = file;
        this.name = name;
        this.base = base;
        this.folder = folder;
        this.set = set;
        this.grid = grid;
        this.resources = resources;
        this.baseHash = baseHash;
        this.tasks = tasks;
    }

    /** Reads and checks an experiment file and resolves every task's config; nothing is written. */
    public static Sweep load(Path file) {
        String where = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new SweepException("experiment file not found: " + file.toAbsolutePath());
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new SweepException("cannot parse experiment file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SweepException(where + ": expected a YAML mapping with keys " + KEYS);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new SweepException(where + ": unknown key '" + key + "'; did you mean '"
                        + ConfigLoader.nearest(key, KEYS) + "'? (experiment file keys: " + KEYS + ")");
            }
        }
        String name = requiredText(root, "sweep", where);
        if (!NAME.matcher(name).matches()) {
            throw new SweepException(where + ": sweep name '" + name + "' must be letters, digits, '.', '_' or '-' "
                    + "(it names the folder outputs/sweeps/<sweep>/)");
        }
        Path dir = file.toAbsolutePath().getParent();
        Path base = dir.resolve(requiredText(root, "base", where)).normalize();
        if (!Files.isRegularFile(base)) {
            throw new SweepException(where + ": base config '" + root.get("base").asText() + "' not found (looked at "
                    + base + "; 'base' is relative to the experiment file)");
        }
        Path folder = root.hasNonNull("folder") ? Path.of(requiredText(root, "folder", where))
                : Path.of("outputs", "sweeps", name);

        List<String> validKeys = ConfigLoader.validKeys();
        Map<String, JsonNode> setValues = new LinkedHashMap<>();
        if (root.hasNonNull("set")) {
            if (!root.get("set").isObject()) {
                throw new SweepException(where + ": 'set' must be a mapping of dotted config keys to values, "
                        + "e.g. {train.epochs: 20000}");
            }
            flatten(root.get("set"), "", setValues);
        }
        for (String key : setValues.keySet()) {
            checkKey(key, "set", validKeys, where);
        }
        Map<String, List<JsonNode>> grid = parseGrid(root.get("grid"), validKeys, where);
        for (String key : grid.keySet()) {
            if (setValues.containsKey(key)) {
                throw new SweepException(where + ": '" + key + "' is both in 'set' and in 'grid'; keep it in one");
            }
        }
        List<String> set = new ArrayList<>();
        setValues.forEach((k, v) -> set.add(assignment(k, v, "set", where)));
        Resources resources = Resources.parse(root.get("resources"), where);

        ConfigLoader.Resolved baseResolved = resolve(base, set, where + " (base + set)");
        ObjectNode identity = baseResolved.tree().deepCopy();
        identity.remove("output");
        String baseHash = RunDirectory.sha256(RunDirectory.canonicalJson(identity));

        List<Task> tasks = expand(grid, set, base, folder, where);
        return new Sweep(file, name, base, folder, List.copyOf(set), grid, resources, baseHash, List.copyOf(tasks));
    }

    private static Map<String, List<JsonNode>> parseGrid(JsonNode node, List<String> validKeys, String where) {
        if (node == null || node.isNull() || (node.isObject() && node.isEmpty())) {
            throw new SweepException(where + ": 'grid' is empty; give at least one key with a list of values, "
                    + "e.g. grid: {seed: [0, 1, 2]} (for a single run use `train`)");
        }
        if (!node.isObject()) {
            throw new SweepException(where + ": 'grid' must be a mapping of dotted config keys to lists of values");
        }
        Map<String, JsonNode> flat = new LinkedHashMap<>();
        flatten(node, "", flat);
        Map<String, List<JsonNode>> grid = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : flat.entrySet()) {
            String key = e.getKey();
            checkKey(key, "grid", validKeys, where);
            if (!e.getValue().isArray()) {
                throw new SweepException(where + ": grid key '" + key + "' must have a list of values, e.g. [0, 1], "
                        + "got " + e.getValue() + " (put single values under 'set')");
            }
            if (e.getValue().isEmpty()) {
                throw new SweepException(where + ": grid key '" + key + "' has no values; the grid would be empty");
            }
            List<JsonNode> values = new ArrayList<>();
            e.getValue().forEach(values::add);
            grid.put(key, values);
        }
        return grid;
    }

    /** The cartesian product in file order: the first grid key varies slowest, the last fastest. */
    private static List<Task> expand(Map<String, List<JsonNode>> grid, List<String> set, Path base, Path folder, String where) {
        List<String> keys = new ArrayList<>(grid.keySet());
        int total = 1;
        for (List<JsonNode> values : grid.values()) {
            total = Math.multiplyExact(total, values.size());
        }
        List<Task> tasks = new ArrayList<>(total);
        Map<Path, Integer> seen = new HashMap<>();
        for (int index = 0; index < total; index++) {
            Map<String, Object> point = new LinkedHashMap<>();
            List<String> overrides = new ArrayList<>(set);
            int rest = index;
            int[] digits = new int[keys.size()];
            for (int k = keys.size() - 1; k >= 0; k--) {
                int size = grid.get(keys.get(k)).size();
                digits[k] = rest % size;
                rest /= size;
            }
            for (int k = 0; k < keys.size(); k++) {
                JsonNode value = grid.get(keys.get(k)).get(digits[k]);
                point.put(keys.get(k), YAML.convertValue(value, Object.class));
                overrides.add(assignment(keys.get(k), value, "grid", where));
            }
            ConfigLoader.Resolved resolved = resolve(base, overrides, where + ", grid point #" + index + " " + point);
            Path runDir = folder.resolve(RUNS).resolve(RunDirectory.runId(resolved));
            Integer twin = seen.putIfAbsent(runDir, index);
            if (twin != null) {
                throw new SweepException(where + ": grid points #" + twin + " and #" + index + " " + point
                        + " resolve to the same run config (a repeated grid value?); every grid point must differ");
            }
            tasks.add(new Task(index, Collections.unmodifiableMap(point), runDir, resolved));
        }
        return tasks;
    }

    private static ConfigLoader.Resolved resolve(Path base, List<String> overrides, String where) {
        try {
            return ConfigLoader.load(base.toString(), overrides);
        } catch (ConfigException e) {
            throw new SweepException(where + ": " + e.getMessage(), e);
        }
    }

    private static void checkKey(String key, String section, List<String> validKeys, String where) {
        if (!validKeys.contains(key)) {
            throw new SweepException(where + ": unknown " + section + " key '" + key + "'; did you mean '"
                    + ConfigLoader.nearest(key, validKeys) + "'? (keys are dotted config keys, README 'Config reference')");
        }
        if (key.equals("output.root") || key.equals("output.run_id")) {
            throw new SweepException(where + ": " + section + " key '" + key + "' cannot be used in a sweep: run "
                    + "directories are <folder>/runs/<run id>; set 'folder:' to move them");
        }
    }

    /** A value as a {@code key=value} override (whitespace-free, because overrides are split on whitespace). */
    private static String assignment(String key, JsonNode value, String section, String where) {
        String text;
        if (value.isObject() || value.isNull()) {
            throw new SweepException(where + ": " + section + " value of '" + key + "' must be a number, string, "
                    + "boolean or list, got " + value);
        }
        try {
            text = value.isTextual() ? value.asText() : new ObjectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (text.isEmpty() || text.chars().anyMatch(Character::isWhitespace)) {
            throw new SweepException(where + ": " + section + " value of '" + key + "' is '" + text
                    + "'; values must be non-empty and contain no spaces");
        }
        return key + "=" + text;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, JsonNode> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                flatten(e.getValue(), prefix + e.getKey() + ".", out);
            } else {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
    }

    private static String requiredText(JsonNode root, String key, String where) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull() || !v.isValueNode() || v.asText().isBlank()) {
            throw new SweepException(where + ": '" + key + "' is required" + (key.equals("sweep")
                    ? " (the sweep's name, e.g. sweep: fig1-cpu)" : key.equals("base")
                    ? " (the base run config, relative to this file, e.g. base: ../configs/myrtle5.yaml)" : ""));
        }
        return v.asText().trim();
    }

    public Path file() {
        return file;
    }

    public String name() {
        return name;
    }

    public Path baseConfig() {
        return base;
    }

    /** The sweep folder: {@code outputs/sweeps/<sweep>} or {@code folder:} (relative to the working directory). */
    public Path folder() {
        return folder;
    }

    public List<String> set() {
        return set;
    }

    /** Grid keys in file order with their values. */
    public Map<String, List<Object>> grid() {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        grid.forEach((k, v) -> out.put(k, v.stream().map(n -> YAML.convertValue(n, Object.class)).toList()));
        return out;
    }

    public Resources resources() {
        return resources;
    }

    /** SHA-256 of the resolved base config plus {@code set:} (without the output section). */
    public String baseHash() {
        return baseHash;
    }

    public List<Task> tasks() {
        return tasks;
    }

    public Task task(int index) {
        if (index < 0 || index >= tasks.size()) {
            throw new SweepException(file + ": task index " + index + " is outside the grid (0.." + (tasks.size() - 1) + ")");
        }
        return tasks.get(index);
    }

    /**
     * Refuses a sweep folder whose recorded base config differs from this file's, so one folder never mixes results
     * of two base configs. A changed grid (e.g. more seeds) or resources are fine: each grid point has its own run.
     */
    public void checkFolder() {
        Path lock = folder.resolve(LOCK_FILE);
        if (!Files.exists(lock)) {
            return;
        }
        JsonNode recorded;
        try {
            recorded = JSON.readTree(lock.toFile());
        } catch (IOException e) {
            throw new SweepException("cannot read " + lock + ": " + e.getMessage(), e);
        }
        String hash = recorded.path("base_hash").asText("");
        if (!hash.equals(baseHash)) {
            throw new SweepException("sweep folder " + folder + " holds runs of a different base config (recorded in "
                    + lock + ": base " + recorded.path("base").asText("?") + ", hash " + abbreviate(hash)
                    + "; " + file + " resolves base + set to hash " + abbreviate(baseHash) + "). Give this sweep another "
                    + "'sweep:' name or 'folder:', or move the old folder away");
        }
    }

    /** {@link #checkFolder()}, then creates the folder and records the base hash (safe when tasks race). */
    public void claimFolder() {
        checkFolder();
        Path lock = folder.resolve(LOCK_FILE);
        if (Files.exists(lock)) {
            return;
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("sweep", name);
        record.put("experiment_file", file.toAbsolutePath().normalize().toString());
        record.put("base", base.toString());
        record.put("base_hash", baseHash);
        record.put("set", set);
        record.put("grid", grid());
        try {
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, LOCK_FILE, ".tmp");
            Files.writeString(tmp, JSON.writeValueAsString(record) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, lock, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + lock, e);
        }
    }

    private static String abbreviate(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }
}
