package org.speedlimits.plot;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks on drawn charts that read XChart's own objects, not pixels: the axis ranges XChart used after laying the
 * chart out, every point of every series against them, the markers of reference lines, and a figure's CSV against
 * the series data.
 */
public final class ChartChecks {
    private ChartChecks() {}

    /** {x min, x max, y min, y max} as XChart laid the chart out (the chart is painted once to get there). */
    public static double[] axisRanges(XYChart c) {
        BitmapEncoder.getBufferedImage(c);
        try {
            double[] r = new double[4];
            int k = 0;
            for (String axis : new String[]{"getXAxis", "getYAxis"}) {
                Method get = Chart.class.getDeclaredMethod(axis);
                get.setAccessible(true);
                Object a = get.invoke(c);
                for (String m : new String[]{"getMin", "getMax"}) {
                    Method mm = a.getClass().getDeclaredMethod(m);
                    mm.setAccessible(true);
                    r[k++] = (double) mm.invoke(a);
                }
            }
            return r;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read XChart's axis ranges (XChart internals changed?)", e);
        }
    }

    /** The non-empty tick labels XChart drew on the x or y axis. */
    @SuppressWarnings("unchecked")
    public static List<String> tickLabels(XYChart c, boolean x) {
        BitmapEncoder.getBufferedImage(c);
        try {
            Method get = Chart.class.getDeclaredMethod(x ? "getXAxis" : "getYAxis");
            get.setAccessible(true);
            Object a = get.invoke(c);
            Method calc = a.getClass().getMethod("getAxisTickCalculator");
            Object t = calc.invoke(a);
            Method labels = t.getClass().getMethod("getTickLabels");
            labels.setAccessible(true);
            List<String> out = new ArrayList<>();
            for (String s : (List<String>) labels.invoke(t)) if (s != null && !s.isBlank()) out.add(s);
            return out;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read XChart's tick labels", e);
        }
    }

    /** Every finite point of every series (bands, error bars and references included) outside the laid-out axes. */
    public static List<String> pointsOutsideAxes(XYChart c) {
        double[] r = axisRanges(c);
        List<String> out = new ArrayList<>();
        for (XYSeries s : c.getSeriesMap().values()) {
            double[] x = s.getXData(), y = s.getYData();
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
                if (x[i] < r[0] || x[i] > r[1] || y[i] < r[2] || y[i] > r[3]) {
                    out.add(s.getName() + " (" + x[i] + ", " + y[i] + ") outside x [" + r[0] + ", " + r[1] + "], y [" + r[2] + ", " + r[3] + "]");
                }
            }
        }
        return out;
    }

    public static void assertAxesContainData(XYChart c) {
        List<String> out = pointsOutsideAxes(c);
        assertEquals(List.of(), out, "axes of '" + c.getTitle() + "' clip data");
        double[] r = axisRanges(c);
        assertEquals(c.getStyler().getXAxisMin(), r[0], 0, "XChart kept the computed x min");
        assertEquals(c.getStyler().getXAxisMax(), r[1], 0, "XChart kept the computed x max");
        assertEquals(c.getStyler().getYAxisMin(), r[2], 0, "XChart kept the computed y min");
        assertEquals(c.getStyler().getYAxisMax(), r[3], 0, "XChart kept the computed y max");
    }

    /** Positive y data spanning more than {@code decades} must be on a log axis. */
    public static void assertLogWhereDecades(XYChart c, double decades) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        boolean allPositive = true;
        for (XYSeries s : c.getSeriesMap().values()) {
            for (double y : s.getYData()) {
                if (!Double.isFinite(y)) continue;
                if (y <= 0) allPositive = false;
                else {
                    lo = Math.min(lo, y);
                    hi = Math.max(hi, y);
                }
            }
        }
        if (allPositive && hi > 0 && Math.log10(hi / lo) > decades) {
            assertTrue(c.getStyler().isYAxisLogarithmic(), "'" + c.getTitle() + "': y spans " + Math.log10(hi / lo) + " decades on a linear axis");
        }
    }

    /** Series whose legend label says "(reference)" have no markers and a line. */
    public static int assertReferencesUnmarked(XYChart c) {
        int n = 0;
        for (XYSeries s : c.getSeriesMap().values()) {
            if (s.getLabel() != null && s.getLabel().contains("(reference)")) {
                assertEquals(SeriesMarkers.NONE, s.getMarker(), s.getLabel() + " has markers");
                assertEquals(Style.REFERENCE_LINE, s.getLineStyle(), s.getLabel() + " is not drawn as a reference line");
                n++;
            }
        }
        return n;
    }

    /** Parses a figure CSV (panel,series,x,y,y_lo,y_hi; no quoted commas in numbers). */
    public static List<String[]> readCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals(String.join(",", Plot.CSV_HEADER), lines.get(0), file + " header");
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            // the series name may be quoted and hold commas: take the four numbers from the right
            String[] parts = l.split(",", -1);
            int n = parts.length;
            rows.add(new String[]{parts[0], String.join(",", java.util.Arrays.copyOfRange(parts, 1, n - 4)), parts[n - 4], parts[n - 3], parts[n - 2], parts[n - 1]});
        }
        return rows;
    }

    static double cell(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    /**
     * The CSV rows of one panel equal the chart's series: for every drawn series (not bands or error bars, whose
     * ends are the y_lo/y_hi columns) the CSV holds its points in order, mapped back to data units by the scale.
     */
    public static void assertCsvMatchesChart(List<String[]> rows, String panel, Plot.Layout layout, XYChart c) {
        List<String[]> mine = rows.stream().filter(r -> r[0].equals(panel)).toList();
        // XChart keeps series in insertion order: one per drawn series (a band is one polygon), then its error bars
        List<XYSeries> drawn = c.getSeriesMap().values().stream().filter(s -> !s.getName().contains(" error bar ")).toList();
        int k = 0, next = 0;
        for (Plot.Drawn d : layout.series()) {
            if (d.size() == 0) continue;
            XYSeries s = drawn.get(next++);
            assertTrue(s.getName().startsWith(d.source().label()), s.getName() + " is not " + d.source().label());
            for (int i = 0; i < d.size(); i++, k++) {
                String[] r = mine.get(k);
                assertEquals(Csv.text(d.source().label()).replace("\"", ""), r[1].replace("\"", ""), "series name of row " + k);
                double x = cell(r[2]), y = cell(r[3]);
                if (d.source().look() == Series.Look.BAND) {
                    // band polygon: upper edge forwards, lower edge backwards
                    assertEquals(s.getXData()[i], layout.x().forward(x), 1e-9 * Math.max(1, Math.abs(x)));
                    assertEquals(s.getYData()[i], layout.y().forward(cell(r[5])), 1e-9 * Math.max(1, Math.abs(cell(r[5]))));
                    assertEquals(s.getYData()[2 * d.size() - 1 - i], layout.y().forward(cell(r[4])), 1e-9 * Math.max(1, Math.abs(cell(r[4]))));
                } else {
                    assertEquals(s.getXData()[i], layout.x().forward(x), 1e-9 * Math.max(1, Math.abs(s.getXData()[i])), "x of " + r[1]);
                    assertEquals(s.getYData()[i], layout.y().forward(y), 1e-9 * Math.max(1, Math.abs(s.getYData()[i])), "y of " + r[1]);
                }
            }
        }
        assertEquals(mine.size(), k, "CSV rows of panel " + panel + " beyond the drawn series");
    }
}
