package org.speedlimits.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.speedlimits.config.ConfigException;
import org.speedlimits.config.ConfigLoader;
import org.speedlimits.config.ExperimentConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A run's folder {@code <output.root>/<experiment>/<run_id>/}: config.yaml (resolved), metrics.csv, run.log,
 * env.json, training.png. The run id is derived from the resolved config (everything except the output section),
 * so a batch job recomputes the same folder from the same config.
 */
public record RunDirectory(Path path) {
    public static final String CONFIG = "config.yaml";
    public static final String METRICS = "metrics.csv";
    public static final String LOG = "run.log";
    public static final String ENV = "env.json";
    public static final String FIGURE = "training.png";
    public static final String TRIPLETS = "triplets.csv";

    /** {@code <model><depth>-w<width>-n<n_train>-s<seed>-<8 hex of the config hash>}, or output.run_id if set. */
    public static String runId(ConfigLoader.Resolved resolved) {
        ExperimentConfig c = resolved.config();
        if (!c.output().runId().equals("auto")) {
            return c.output().runId();
        }
        ObjectNode identity = resolved.tree().deepCopy();
        identity.remove("output");
        // measuring-only section: runs without it keep the ids they had before it existed. Compared as canonical text:
        // a config read back from config.yaml holds the same numbers in other JSON node types (int vs long)
        if (canonicalJson(identity.path("ntk")).equals(canonicalJson(ConfigLoader.defaultSection("ntk")))) {
            identity.remove("ntk");
        }
        // keys added with the flow dynamics: a gd run without them keeps the id it had before they existed (for gd
        // they change nothing: time is epochs * lr, and record_*, rtol, atol are the integrator's)
        if (c.train().dynamics() == ExperimentConfig.DynamicsKind.GD && identity.path("train") instanceof ObjectNode train) {
            for (String key : new String[]{"dynamics", "time", "record_every", "record_log_points", "rtol", "atol"}) {
                train.remove(key);
            }
        }
        if (c.hooks().anchorTimes().isEmpty() && identity.path("hooks") instanceof ObjectNode hooks) {
            hooks.remove("anchor_times");
        }
        String hash = sha256(canonicalJson(identity)).substring(0, 8);
        return String.format(Locale.ROOT, "%s%d-w%d-n%d-s%d-%s", ExperimentConfig.yamlName(c.model().type()),
                c.model().depth(), c.model().width(), c.data().nTrain(), c.seed(), hash);
    }

    public static Path locate(ConfigLoader.Resolved resolved) {
        return Path.of(resolved.config().output().root(), resolved.config().experiment(), runId(resolved));
    }

    /**
     * Opens the run's folder: creates it and writes config.yaml, or, when it already holds this run (same resolved
     * config), returns it for resuming. {@code overwrite} deletes an existing folder first. A folder holding a
     * different config is refused, so results are never mixed.
     */
    public static RunDirectory open(ConfigLoader.Resolved resolved, boolean overwrite) {
        return open(locate(resolved), resolved, overwrite);
    }

    /** As {@link #open(ConfigLoader.Resolved, boolean)} for a folder given explicitly (e.g. {@code train --resume DIR}). */
    public static RunDirectory open(Path dir, ConfigLoader.Resolved resolved, boolean overwrite) {
        try {
            if (Files.exists(dir) && overwrite) {
                // never delete a folder another process is writing into: lock it first (RunStateException if in
                // use); the lock file itself stays, so the lock holds until everything else is gone
                try (RunLock guard = RunLock.acquire(dir, "overwrite")) {
                    deleteRecursively(dir, guard.file());
                }
            }
            RunDirectory run = new RunDirectory(dir);
            if (Files.exists(run.file(CONFIG))) {
                String stored = Files.readString(run.file(CONFIG), StandardCharsets.UTF_8);
                if (!stored.equals(resolved.toYaml())) {
                    throw new ConfigException("run directory " + dir + " holds a run with a different config.yaml; "
                            + "pass --overwrite to replace it, or choose another output.run_id");
                }
                return run;
            }
            Files.createDirectories(dir);
            writeAtomically(run.file(CONFIG), resolved.toYaml());
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + dir, e);
        }
    }

    /** True when the folder already held a started run when it was opened (config.yaml and metrics.csv exist). */
    public boolean hasStarted() {
        return Files.exists(file(METRICS));
    }

    public Path file(String name) {
        return path.resolve(name);
    }

    /** Writes via a temp file, fsync and an atomic rename ({@link org.speedlimits.io.Npy#writeAtomically}), so readers never see half a file. */
    public static void writeAtomically(Path target, String content) throws IOException {
        org.speedlimits.io.Npy.writeAtomically(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Key-sorted JSON text of plain values: equal for equal configs whatever JSON node types hold the numbers. */
    public static String canonicalJson(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            ObjectMapper mapper = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
            return mapper.writeValueAsString(mapper.treeToValue(node, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir, Path keep) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir) && !p.equals(keep)) {
                    Files.delete(p);
                }
            }
        }
    }
}
