package org.speedlimits.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only CSV whose first column is the epoch (metrics.csv, triplets.csv). Every row is flushed, so a killed
 * job leaves a readable file; on resume from a checkpoint at epoch E the rows of epochs >= E are dropped first (they
 * are recomputed identically), so rows are never duplicated. Numbers use Double.toString (exact round trip).
 */
public final class EpochCsv implements AutoCloseable {
    private final Path file;
    private final BufferedWriter out;

    private EpochCsv(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** A new file with this header (replacing any old one). */
    public static EpochCsv create(Path file, String header) {
        try {
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            w.write(header);
            w.newLine();
            w.flush();
            return new EpochCsv(file, w);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reopens an existing file for appending after keeping only the rows of epochs below {@code fromEpoch}. */
    public static EpochCsv resume(Path file, String header, long fromEpoch) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(header)) {
                throw new IllegalStateException(file + " has columns '" + (lines.isEmpty() ? "" : lines.get(0))
                        + "' but this run writes '" + header + "': was the config or the code changed? Use --overwrite to start over");
            }
            List<String> kept = new ArrayList<>(List.of(header));
            for (String line : lines.subList(1, lines.size())) {
                int comma = line.indexOf(',');
                if (comma > 0 && Long.parseLong(line.substring(0, comma)) < fromEpoch) {
                    kept.add(line);
                }
            }
            Npy.writeAtomically(file, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
            return new EpochCsv(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume " + file, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " has a malformed row (" + e.getMessage() + ")", e);
        }
    }

    public void row(long epoch, double... values) {
        List<String> cells = new ArrayList<>(values.length);
        for (double v : values) {
            cells.add(format(v));
        }
        row(epoch, cells);
    }

    /** A row of already formatted cells (e.g. integer counts). */
    public void row(long epoch, List<String> cells) {
        StringBuilder line = new StringBuilder().append(epoch);
        for (String cell : cells) {
            line.append(',').append(cell);
        }
        try {
            out.write(line.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** Empty for NaN ("not measured"), otherwise the shortest exact decimal. */
    public static String format(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /** Reads all rows as numbers (empty cells as NaN), header excluded. */
    public static List<double[]> read(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            rows.add(parseRow(line, -1));
        }
        return rows;
    }

    /**
     * One data line as numbers (empty cells as NaN). {@code columns} >= 0: the line must have exactly that many cells
     * (a half-written last line of a live run has fewer); -1 accepts any count.
     *
     * @throws IllegalArgumentException on a wrong cell count or a cell that is not a number
     */
    public static double[] parseRow(String line, int columns) {
        String[] cells = line.split(",", -1);
        if (columns >= 0 && cells.length != columns) {
            throw new IllegalArgumentException("has " + cells.length + " cells, the header " + columns);
        }
        double[] row = new double[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i].isEmpty() ? Double.NaN : Double.parseDouble(cells[i]);
        }
        return row;
    }

    public static List<String> header(Path file) throws IOException {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return List.of(lines.findFirst().orElse("").split(","));
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
