package org.speedlimits.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.nd4j.linalg.api.ndarray.INDArray;
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
import java.util.TreeSet;

/**
 * {@code <run>/checkpoints/}: theta_E as {@code epoch_<E>.npy} (flattened in DL4J's order, layer by layer, in the
 * training dtype) and {@code index.json} naming each parameter array's slice, shape and memory order (dense W is
 * column-major, "F"; conv W row-major, "C") and listing the checkpoints
 * with their kinds, SHA-256 and the measures' state at E. theta is all that resuming needs: the trainer applies its
 * own update (no optimizer state) and full-batch GD draws no random numbers. Files are written atomically (temp file,
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

    /** One saved theta_E: why it was saved, its checksum and the measures' state at E. */
    public record Entry(long epoch, String file, List<String> kinds, String sha256, Map<String, Double> state) {
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

    public Path dir() {
        return dir;
    }

    public List<Entry> entries() {
        return index.checkpoints();
    }

    /** Saves theta_E (replacing an older save of the same epoch) and applies the retention policy. */
    public void save(long epoch, INDArray theta, List<String> kinds, Map<String, Double> state) {
        try {
            Path file = dir.resolve(fileName(epoch));
            Npy.write(file, theta);
            List<Entry> entries = new ArrayList<>(index.checkpoints());
            entries.removeIf(e -> e.epoch() == epoch);
            entries.add(new Entry(epoch, file.getFileName().toString(), List.copyOf(new TreeSet<>(kinds)), sha256(file), state));
            entries.sort(Comparator.comparingLong(Entry::epoch));
            List<Entry> expired = expired(entries);
            entries.removeAll(expired);
            writeIndex(entries);
            for (Entry e : expired) {
                Files.deleteIfExists(dir.resolve(e.file()));
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

    /** A verified checkpoint: its entry and theta. */
    public record Loaded(Entry entry, INDArray theta) {
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
            if (theta.isPresent()) {
                if (!damaged.isEmpty()) {
                    LOG.warn("skipped damaged checkpoints {}; resuming from epoch {}", damaged, e.epoch());
                }
                return Optional.of(new Loaded(e, theta.get()));
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
