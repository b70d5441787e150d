package org.speedlimits.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The numbers of a figure as CSV text: a header, then rows of strings and numbers (%.10g; NaN as an empty cell). */
public final class Csv {
    private final List<String> header;
    private final List<String> lines = new ArrayList<>();

    public Csv(List<String> header) {
        this.header = List.copyOf(header);
    }

    public Csv row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("CSV row of " + cells.length + " cells for header " + header);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) b.append(',');
            Object c = cells[i];
            b.append(c instanceof Number n ? num(n.doubleValue()) : text(String.valueOf(c)));
        }
        lines.add(b.toString());
        return this;
    }

    /** Appends every row of another CSV with the same header. */
    public Csv addAll(Csv other) {
        if (!other.header.equals(header)) throw new IllegalArgumentException("CSV headers differ: " + header + " vs " + other.header);
        lines.addAll(other.lines);
        return this;
    }

    public List<String> header() {
        return header;
    }

    public int size() {
        return lines.size();
    }

    public String text() {
        StringBuilder b = new StringBuilder(String.join(",", header)).append('\n');
        for (String l : lines) b.append(l).append('\n');
        return b.toString();
    }

    public static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.10g", v);
    }

    static String text(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
