package org.speedlimits.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speedlimits.io.Npy;
import org.speedlimits.model.ParameterBlock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code <run>/checkpoints/}: theta_E as {@code epoch_<E>.npy} (flattened in DL4J's order, layer by layer, in the
 * training dtype) and {@code index.json} naming each parameter array's slice, shape and memory order (dense W is
 * column-major, "F"; conv W row-major, "C") and listing the checkpoints
 * with their kinds, SHA-256 and the measures' state at E. theta and that state are all that resuming needs: the
 * trainer applies its own update (no optimizer state) and full-batch GD draws no random numbers; flow adds one
 * float32 vector, {@code epoch_<E>.rkc.direction.npy} (where the integrator's next spectral-radius estimate starts),
 * listed under the entry's "vectors" with its checksum. Files are written atomically (temp file,
 * fsync, rename; the index last). Retention: periodic checkpoints beyond the newest {@code keep} are deleted; those
 * at log-spaced epochs, anchors, epoch 0, the end and an interruption are kept.
 */
public final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    public static final String DIR = "checkpoints";
    public static final String INDEX = "index.json";
    public static final String PERIODIC = "periodic";
    /** The index's top-level "order": how theta is laid out, and how to read one array out of it. */
    static final String ORDER = "theta is DL4J's flattened parameter vector, layer by layer; parameter p is"
            + " theta[p.offset : p.offset + p.length] read in p.order (\"F\": column-major, first index fastest, as"
            + " dense W [in, out]; \"C\": row-major, last index fastest, as conv W [out, in, kh, kw] and vectors) into"
            + " p.shape; numpy: theta[o:o+n].reshape(shape, order=order)";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One saved theta_E: why it was saved, its checksum, the measures' state at E and the dynamics' vectors
     * (by name; none in indexes written before they existed).
     */
    public record Entry(long epoch, String file, List<String> kinds, String sha256, Map<String, Double> state,
                        Map<String, VectorFile> vectors) {
        public Entry {
            vectors = vectors == null ? Map.of() : Map.copyOf(vectors);
        }
    }

    /** A float32 vector saved beside theta_E ({@code epoch_<E>.<name>.npy}) and its checksum. */
    public record VectorFile(String file, String sha256) {
    }

    /** The index file's content. */
    public record Index(long numParams, String dtype, String order, List<Map<String, Object>> parameters,
                        List<Entry> checkpoints) {
    }

    private final Path dir;
    private final int keepPeriodic;
    private Index index;

    private Checkpoints(Path dir, int keepPeriodic, Index index) {
        this.dir = dir;
        this.keepPeriodic = keepPeriodic;
        this.index = index;
    }

    /** Opens (or starts) the checkpoint folder of a run. */
    public static Checkpoints open(Path runDir, List<ParameterBlock> blocks, long numParams, String dtype, int keepPeriodic) {
        Path dir = runDir.resolve(DIR);
        try {
            Files.createDirectories(dir);
            Index index = Files.exists(dir.resolve(INDEX)) ? read(dir.resolve(INDEX))
                    : new Index(numParams, dtype, ORDER, describe(blocks), List.of());
            if (index.numParams() != numParams) {
                throw new RunStateException(dir + " holds checkpoints of " + index.numParams()
                        + " parameters but the model has " + numParams + "; use --overwrite to start over");
            }
            return new Checkpoints(dir, keepPeriodic, index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + dir, e);
        }
    }

    public static Index read(Path indexFile) throws IOException {
        return JSON.readValue(indexFile.toFile(), Index.class);
    }

    private static List<Map<String, Object>> describe(List<ParameterBlock> blocks) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ParameterBlock b : blocks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", b.name());
            m.put("layer", b.layer());
            m.put("key", b.key());
            m.put("offset", b.offset());
            m.put("length", b.length());
            m.put("shape", b.shape());
            m.put("order", b.order());
            m.put("fan_in", b.fanIn());
            m.put("sigma", b.sigma());
            out.add(m);
        }
        return out;
    }

    public static String fileName(long epoch) {
        return "epoch_" + epoch + ".npy";
    }

    /** The file of the dynamics vector {@code name} saved with theta_E. */
    public static String vectorFileName(long epoch, String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("vector name '" + name + "' is not a plain file-name part");
        }
        return "epoch_" + epoch + "." + name + ".npy";
    }

    public Path dir() {
        return dir;
    }

    public List<Entry> entries() {
        return index.checkpoints();
    }

    /** Saves theta_E alone (no dynamics vectors). */
    public void save(long epoch, INDArray theta, List<String> kinds, Map<String, Double> state) {
        save(epoch, theta, kinds, state, Map.of());
    }

    /**
     * Saves theta_E and the dynamics' vectors (replacing an older save of the same epoch) and applies the retention
     * policy. The index is written after every file it names.
     */
    public void save(long epoch, INDArray theta, List<String> kinds, Map<String, Double> state,
                     Map<String, float[]> vectors) {
        try {
            Path file = dir.resolve(fileName(epoch));
            Npy.write(file, theta);
            Map<String, VectorFile> vectorFiles = new TreeMap<>();
            for (Map.Entry<String, float[]> v : new TreeMap<>(vectors).entrySet()) {
                Path vf = dir.resolve(vectorFileName(epoch, v.getKey()));
                Npy.write(vf, Nd4j.createFromArray(v.getValue()));
                vectorFiles.put(v.getKey(), new VectorFile(vf.getFileName().toString(), sha256(vf)));
            }
            List<Entry> entries = new ArrayList<>(index.checkpoints());
            entries.removeIf(e -> e.epoch() == epoch);
            entries.add(new Entry(epoch, file.getFileName().toString(), List.copyOf(new TreeSet<>(kinds)), sha256(file),
                    state, vectorFiles));
            entries.sort(Comparator.comparingLong(Entry::epoch));
            List<Entry> expired = expired(entries);
            entries.removeAll(expired);
            writeIndex(entries);
            for (Entry e : expired) {
                Files.deleteIfExists(dir.resolve(e.file()));
                for (VectorFile v : e.vectors().values()) {
                    Files.deleteIfExists(dir.resolve(v.file()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint of epoch " + epoch + " in " + dir, e);
        }
    }

    private List<Entry> expired(List<Entry> entries) {
        List<Entry> periodicOnly = entries.stream().filter(e -> e.kinds().equals(List.of(PERIODIC))).toList();
        return periodicOnly.subList(0, Math.max(0, periodicOnly.size() - keepPeriodic));
    }

    private void writeIndex(List<Entry> entries) throws IOException {
        index = new Index(index.numParams(), index.dtype(), index.order(), index.parameters(), List.copyOf(entries));
        Npy.writeAtomically(dir.resolve(INDEX), JSON.writeValueAsString(index).getBytes(StandardCharsets.UTF_8));
    }

    /** Forgets checkpoints after {@code epoch} (a resumed run recomputes and rewrites them identically). */
    public void dropAfter(long epoch) {
        try {
            List<Entry> kept = index.checkpoints().stream().filter(e -> e.epoch() <= epoch).toList();
            writeIndex(kept);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A verified checkpoint: its entry, theta and the dynamics' vectors. */
    public record Loaded(Entry entry, INDArray theta, Map<String, float[]> vectors) {
    }

    /**
     * The newest checkpoint whose file matches its checksum, skipping (and reporting) damaged ones; empty when
     * there is none at all. Throws when checkpoints exist but every one is damaged: a run never silently restarts.
     */
    public Optional<Loaded> newestGood() {
        List<Entry> newestFirst = new ArrayList<>(index.checkpoints());
        newestFirst.sort(Comparator.comparingLong(Entry::epoch).reversed());
        List<String> damaged = new ArrayList<>();
        for (Entry e : newestFirst) {
            Optional<INDArray> theta = loadVerified(e);
            Optional<Map<String, float[]>> vectors = theta.isPresent() ? loadVectors(e) : Optional.empty();
            if (vectors.isPresent()) {
                if (!damaged.isEmpty()) {
                    LOG.warn("skipped damaged checkpoints {}; resuming from epoch {}", damaged, e.epoch());
                }
                return Optional.of(new Loaded(e, theta.get(), vectors.get()));
            }
            damaged.add(e.file());
        }
        if (!damaged.isEmpty()) {
            throw new RunStateException("every checkpoint in " + dir + " is damaged (" + damaged
                    + "); refusing to restart silently. Use --overwrite to start the run over");
        }
        return Optional.empty();
    }

    /** theta of a checkpoint, verified against its checksum. */
    public INDArray load(long epoch) {
        Entry e = index.checkpoints().stream().filter(c -> c.epoch() == epoch).findFirst()
                .orElseThrow(() -> new RunStateException("no checkpoint of epoch " + epoch + " in " + dir
                        + " (have " + index.checkpoints().stream().map(Entry::epoch).toList() + ")"));
        return loadVerified(e).orElseThrow(() -> new RunStateException("checkpoint " + dir.resolve(e.file())
                + " is damaged (checksum mismatch)"));
    }

    private Optional<INDArray> loadVerified(Entry e) {
        Path file = dir.resolve(e.file());
        try {
            if (!Files.exists(file) || !sha256(file).equals(e.sha256())) {
                return Optional.empty();
            }
            INDArray theta = Npy.read(file);
            return theta.length() == index.numParams() ? Optional.of(theta) : Optional.empty();
        } catch (IOException | RuntimeException ex) {
            return Optional.empty();
        }
    }

    /** The entry's vectors, each verified against its checksum; empty when one is missing or damaged. */
    private Optional<Map<String, float[]>> loadVectors(Entry e) {
        Map<String, float[]> out = new TreeMap<>();
        for (Map.Entry<String, VectorFile> v : e.vectors().entrySet()) {
            Path file = dir.resolve(v.getValue().file());
            try {
                if (!Files.exists(file) || !sha256(file).equals(v.getValue().sha256())) {
                    return Optional.empty();
                }
                out.put(v.getKey(), Npy.read(file).toFloatVector());
            } catch (IOException | RuntimeException ex) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
