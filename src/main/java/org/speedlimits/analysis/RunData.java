package org.speedlimits.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the analysis reads from one run directory: the resolved config (flattened to dotted keys), the metrics.csv
 * columns it needs, the state from status.json and the NTK spectra in ntk/ (if any).
 */
public final class RunData {
    static final Pattern ANCHOR = Pattern.compile("dist2_anchor_(\\d+)");
    private static final Pattern NTK_FILE = Pattern.compile("epoch_(\\d+)\\.(npy|csv)");
    private static final List<String> REQUIRED = List.of("epoch", "time", "train_loss", "test_acc", "dist2_init", "path_length");
    /** Read when present, all NaN otherwise (older runs and other dynamics may not have them). */
    private static final List<String> OPTIONAL = List.of("lambda_max");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path dir;
    public final Map<String, String> config;
    public final String state;
    public final double[] epoch, time, trainLoss, testAcc, dist2Init, pathLength;
    /** Top Hessian eigenvalue where the lambda_max hook measured it, NaN elsewhere. */
    public final double[] lambdaMax;
    /** anchor epoch s -> dist2_anchor_s column. */
    public final TreeMap<Long, double[]> anchors;
    /** NTK spectra by epoch (empty without ntk/). */
    public final TreeMap<Long, NtkSpectrum> ntk;

    private RunData(Path dir, Map<String, String> config, String state, Map<String, double[]> columns,
                    TreeMap<Long, double[]> anchors, TreeMap<Long, NtkSpectrum> ntk) {
        this.dir = dir;
        this.config = config;
        this.state = state;
        this.epoch = columns.get("epoch");
        this.time = columns.get("time");
        this.trainLoss = columns.get("train_loss");
        this.testAcc = columns.get("test_acc");
        this.dist2Init = columns.get("dist2_init");
        this.pathLength = columns.get("path_length");
        this.lambdaMax = columns.get("lambda_max");
        this.anchors = anchors;
        this.ntk = ntk;
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public long n() {
        return Long.parseLong(config.getOrDefault("data.n_train", "-1"));
    }

    public String lossConvention() {
        return config.getOrDefault("train.loss", "mean");
    }

    public double lossFactor() {
        return NtkTheory.lossFactor(lossConvention(), n());
    }

    public long lastEpoch() {
        return (long) epoch[epoch.length - 1];
    }

    public int rows() {
        return epoch.length;
    }

    /** Reads a run directory; throws AnalysisException naming the file and what is wrong. */
    public static RunData load(Path dir) {
        Path configFile = dir.resolve("config.yaml");
        Path metricsFile = dir.resolve("metrics.csv");
        if (!Files.isRegularFile(configFile)) {
            throw new AnalysisException(dir + ": no config.yaml (not a run directory)");
        }
        if (!Files.isRegularFile(metricsFile)) {
            throw new AnalysisException(dir + ": no metrics.csv (the run has not started or the file was removed)");
        }
        Map<String, String> config = new TreeMap<>();
        try {
            flatten(YAML.readTree(configFile.toFile()), "", config);
        } catch (IOException e) {
            throw new AnalysisException("cannot parse " + configFile + ": " + e.getMessage(), e);
        }
        String state = "unknown (no status.json)";
        Path statusFile = dir.resolve("status.json");
        if (Files.isRegularFile(statusFile)) {
            try {
                state = JSON.readTree(statusFile.toFile()).path("state").asText("unknown");
            } catch (IOException e) {
                throw new AnalysisException("cannot parse " + statusFile + ": " + e.getMessage(), e);
            }
        }
        Map<String, double[]> columns = new TreeMap<>();
        TreeMap<Long, double[]> anchors = new TreeMap<>();
        readMetrics(metricsFile, columns, anchors);
        return new RunData(dir, config, state, columns, anchors, readNtk(dir.resolve("ntk")));
    }

    private static void readMetrics(Path file, Map<String, double[]> columns, TreeMap<Long, double[]> anchors) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AnalysisException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (lines.size() < 3) {
            throw new AnalysisException(file + " has " + Math.max(0, lines.size() - 1) + " rows; the analysis needs at least 2 epochs");
        }
        List<String> header = List.of(lines.get(0).split(","));
        for (String required : REQUIRED) {
            if (!header.contains(required)) {
                throw new AnalysisException(file + " has no column '" + required + "' (columns: " + String.join(", ", header) + ")");
            }
        }
        Map<Integer, double[]> byIndex = new TreeMap<>();
        int rows = lines.size() - 1;
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            Matcher m = ANCHOR.matcher(name);
            if (REQUIRED.contains(name) || OPTIONAL.contains(name) || m.matches()) {
                double[] column = new double[rows];
                byIndex.put(i, column);
                if (m.matches()) anchors.put(Long.parseLong(m.group(1)), column);
                else columns.put(name, column);
            }
        }
        for (int r = 0; r < rows; r++) {
            String[] cells = lines.get(r + 1).split(",", -1);
            if (cells.length != header.size()) {
                throw new AnalysisException(file + " line " + (r + 2) + " has " + cells.length + " cells, the header " + header.size()
                        + " (a truncated last line? the run may still be writing)");
            }
            for (Map.Entry<Integer, double[]> e : byIndex.entrySet()) {
                String cell = cells[e.getKey()];
                try {
                    e.getValue()[r] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
                } catch (NumberFormatException ex) {
                    throw new AnalysisException(file + " line " + (r + 2) + " column '" + header.get(e.getKey()) + "': '" + cell + "' is not a number");
                }
            }
        }
        for (String optional : OPTIONAL) {
            columns.computeIfAbsent(optional, c -> nanColumn(rows));
        }
    }

    private static double[] nanColumn(int rows) {
        double[] c = new double[rows];
        java.util.Arrays.fill(c, Double.NaN);
        return c;
    }

    private static TreeMap<Long, NtkSpectrum> readNtk(Path ntkDir) {
        TreeMap<Long, Path> files = new TreeMap<>();
        if (Files.isDirectory(ntkDir)) {
            try (Stream<Path> list = Files.list(ntkDir)) {
                list.forEach(p -> {
                    Matcher m = NTK_FILE.matcher(p.getFileName().toString());
                    if (m.matches()) {
                        long e = Long.parseLong(m.group(1));
                        // prefer the .npy (full precision) over the .csv of the same epoch
                        if (m.group(2).equals("npy") || !files.containsKey(e)) files.put(e, p);
                    }
                });
            } catch (IOException e) {
                throw new AnalysisException("cannot list " + ntkDir + ": " + e.getMessage(), e);
            }
        }
        TreeMap<Long, NtkSpectrum> spectra = new TreeMap<>();
        files.forEach((e, p) -> spectra.put(e, NtkSpectrum.read(p, e)));
        return spectra;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
            }
        } else if (node != null) {
            out.put(prefix, node.isValueNode() ? node.asText() : node.toString());
        }
    }

    /**
     * This run cut to its rows at time ≤ {@code horizon} (relative slack 1e-9 for the float sum t = lr·epoch), with
     * the anchors and NTK spectra recorded up to there; {@code this} if the run ends before the horizon.
     */
    public RunData upTo(double horizon) {
        int keep = 0;
        while (keep < rows() && time[keep] <= horizon * (1 + 1e-9)) keep++;
        if (keep == rows()) return this;
        if (keep < 2) {
            throw new AnalysisException(dir + ": fewer than 2 rows of metrics.csv at time <= " + horizon + " (--horizon)");
        }
        int k = keep;
        Map<String, double[]> columns = new TreeMap<>();
        Map<String, double[]> all = Map.of("epoch", epoch, "time", time, "train_loss", trainLoss, "test_acc", testAcc,
                "dist2_init", dist2Init, "path_length", pathLength, "lambda_max", lambdaMax);
        for (String c : all.keySet()) {
            columns.put(c, java.util.Arrays.copyOf(all.get(c), k));
        }
        long lastKept = (long) epoch[k - 1];
        TreeMap<Long, double[]> cutAnchors = new TreeMap<>();
        anchors.forEach((a, col) -> {
            if (a < lastKept) cutAnchors.put(a, java.util.Arrays.copyOf(col, k));
        });
        TreeMap<Long, NtkSpectrum> cutNtk = new TreeMap<>(ntk.headMap(lastKept, true));
        return new RunData(dir, config, state, columns, cutAnchors, cutNtk);
    }

    /** Row index of an epoch, or -1. */
    public int row(long e) {
        int i = java.util.Arrays.binarySearch(epoch, (double) e);
        return i >= 0 ? i : -1;
    }

    static List<Long> epochs(RunData run) {
        List<Long> out = new ArrayList<>();
        for (double e : run.epoch) out.add((long) e);
        return out;
    }
}
