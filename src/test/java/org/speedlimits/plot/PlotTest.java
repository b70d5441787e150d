package org.speedlimits.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared plot module on fixture data: axes contain the data, log where decades, references, formats, files. */
class PlotTest {
    @TempDir
    Path tmp;

    /** A training-like panel: t from 0, a curve spanning 0.2…27, a band, error bars and the bound at 1. */
    static Panel panel(Scale x, Scale y) {
        double[] t = new double[31], ineff = new double[31], sd = new double[31], err = new double[31];
        for (int i = 0; i < t.length; i++) {
            t[i] = 0.05 * i;
            ineff[i] = i == 0 ? Double.NaN : 0.2 * Math.pow(27 / 0.2, (i - 1) / 29.0);
            sd[i] = 0.3 * ineff[i];
            err[i] = 0.5 * ineff[i];
        }
        return new Panel("p", "fixture", "time t", "inefficiency", x, y, List.of(
                Series.withErrors("mean ± std", t, ineff, sd, Series.Look.BAND).colour(0),
                Series.of("mean", t, ineff, Series.Look.LINE_MARKERS).colour(0),
                Series.withErrors("sim", new double[]{0.1, 1.0}, new double[]{2, 30}, new double[]{1, 40}, Series.Look.MARKERS),
                Series.horizontal("speed limit = 1", 1.0)));
    }

    @Test
    void axesContainEveryDrawnPointOnEveryScale() {
        for (Scale x : List.of(Scale.LINEAR, Scale.symlog(0.05), Scale.AUTO)) {
            for (Scale y : List.of(Scale.LINEAR, Scale.LOG, Scale.AUTO)) {
                Plot.Layout l = Plot.layout(panel(x, y));
                XYChart c = Plot.chart(l);
                ChartChecks.assertAxesContainData(c);
                // and in data units: every drawn point, bar end and band edge inside the layout's ranges
                for (Plot.Drawn d : l.series()) {
                    for (int i = 0; i < d.size(); i++) {
                        double u = l.x().forward(d.x()[i]);
                        assertTrue(u >= l.xRange()[0] && u <= l.xRange()[1], x + ": x " + d.x()[i]);
                        for (double v : new double[]{d.y()[i], d.lo()[i], d.hi()[i]}) {
                            if (!Double.isNaN(v)) assertTrue(v >= l.yRange()[0] && v <= l.yRange()[1], y + ": y " + v + " of " + d.source().label());
                        }
                    }
                }
            }
        }
    }

    @Test
    void aTooSmallRangeIsDetected() {
        XYChart c = Plot.chart(panel(Scale.LINEAR, Scale.LOG));
        ChartChecks.assertAxesContainData(c);
        c.getStyler().setYAxisMax(20.0); // the curve ends at 27, the error bar at 70
        List<String> out = ChartChecks.pointsOutsideAxes(c);
        assertFalse(out.isEmpty(), "a y axis ending at 20 must be reported");
        assertTrue(out.stream().anyMatch(s -> s.startsWith("mean ")), out.toString());
        assertThrows(AssertionError.class, () -> ChartChecks.assertAxesContainData(c));
    }

    @Test
    void decadesGetALogAxisNarrowDataALinearOne() {
        Plot.Layout wide = Plot.layout(panel(Scale.LINEAR, Scale.AUTO));
        assertEquals(Scale.LOG, wide.y(), "0.2…27 with bars to 70 spans > 2 decades");
        XYChart c = Plot.chart(wide);
        assertTrue(c.getStyler().isYAxisLogarithmic());
        ChartChecks.assertLogWhereDecades(c, 2);
        Plot.Layout narrow = Plot.layout(new Panel("n", "n", "x", "y", Scale.LINEAR, Scale.AUTO,
                List.of(Series.of("s", new double[]{1, 2, 3}, new double[]{0.4, 0.6, 0.9}, Series.Look.LINE))));
        assertEquals(Scale.LINEAR, narrow.y());
        Plot.Layout withZero = Plot.layout(new Panel("z", "z", "x", "y", Scale.LINEAR, Scale.AUTO,
                List.of(Series.of("s", new double[]{1, 2, 3}, new double[]{0, 0.01, 100}, Series.Look.LINE))));
        assertEquals(Scale.LINEAR, withZero.y(), "a 0 cannot go on a log axis: AUTO stays linear rather than drop it");
        // a log axis over less than a decade reaches a second decade tick when it is near (here 1 and 10) ...
        double[] r = Scale.LOG.range(0.95, 3);
        assertTrue(r[0] <= 0.95 && r[0] > 0.85 && r[1] == 10, r[0] + " … " + r[1]);
        // ... but a flat curve is not squashed to reach one a decade away (7.6…8.6: to 10 only, not 100)
        double[] flat = Scale.LOG.range(7.6, 8.6);
        assertTrue(flat[0] > 7 && flat[0] < 7.6 && flat[1] == 10, flat[0] + " … " + flat[1]);
        double[] r2 = Scale.LOG.range(0.2, 27);
        assertTrue(r2[0] < 0.2 && r2[0] > 0.15 && r2[1] > 27 && r2[1] < 35, "two decades inside already: only the margin " + r2[0] + " … " + r2[1]);
        // negative control: 3 decades forced onto a linear axis fail the check
        XYChart linear = Plot.chart(new Panel("l", "l", "x", "y", Scale.LINEAR, Scale.LINEAR,
                List.of(Series.of("s", new double[]{1, 2, 3}, new double[]{0.01, 1, 10}, Series.Look.LINE))));
        assertThrows(AssertionError.class, () -> ChartChecks.assertLogWhereDecades(linear, 2));
    }

    @Test
    void referenceLinesSpanTheAxisWithoutMarkers() {
        Plot.Layout l = Plot.layout(panel(Scale.symlog(0.05), Scale.LOG));
        XYChart c = Plot.chart(l);
        assertEquals(1, ChartChecks.assertReferencesUnmarked(c));
        XYSeries bound = c.getSeriesMap().get("speed limit = 1");
        assertEquals("speed limit = 1 (reference)", bound.getLabel());
        assertEquals(l.xRange()[0], bound.getXData()[0], 1e-12);
        assertEquals(l.xRange()[1], bound.getXData()[1], 1e-12);
        assertTrue(l.yRange()[0] < 1 && l.yRange()[1] > 1, "the bound is inside the y range");
        // negative control: a reference drawn with markers is caught
        bound.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        assertThrows(AssertionError.class, () -> ChartChecks.assertReferencesUnmarked(c));
    }

    @Test
    void symlogShowsTimeZeroAndLabelsDecades() {
        Scale s = Scale.symlog(0.05);
        assertEquals(0.01, s.linearTo, 1e-15);
        for (double v : new double[]{0, 0.003, 0.01, 0.05, 1, 1234}) assertEquals(v, s.inverse(s.forward(v)), 1e-12 * Math.max(1, v));
        assertEquals(0, s.forward(0));
        assertEquals(1, s.forward(0.01), 1e-12);
        assertEquals(3, s.forward(1), 1e-12);
        Plot.Layout l = Plot.layout(panel(s, Scale.LOG));
        assertTrue(l.xTitle().contains("linear on 0…0.01, log above"), l.xTitle());
        Plot.Layout loss = Plot.layout(new Panel("l", "loss", "t", "L", s, Scale.AUTO,
                List.of(Series.of("train", new double[]{0, 0.05, 0.5, 5}, new double[]{3.74, 2, 1, 0.5}, Series.Look.LINE_MARKERS))));
        assertTrue(loss.xRange()[0] < 0, "t = 0 (epoch 0) is inside the symlog axis");
        assertEquals(0.0, loss.series().get(0).x()[0], "epoch 0 is drawn");
        ChartChecks.assertAxesContainData(Plot.chart(loss));
        Plot.Drawn mean = l.series().get(1);
        assertEquals(0.05, mean.x()[0], 0, "the first drawn inefficiency point (t = 0 is NaN there)");
        Function<Double, String> f = s.symlogLabels();
        assertEquals(List.of("0", "0.01", "0.1", "1", "10"), List.of(f.apply(0.0), f.apply(1.0), f.apply(2.0), f.apply(3.0), f.apply(4.0)));
        Set<String> blanks = new HashSet<>();
        for (double u : new double[]{0.2, 0.4, 0.5, 1.5, 2.5}) {
            assertTrue(f.apply(u).isBlank());
            assertTrue(blanks.add(f.apply(u)), "XChart drops ticks with equal labels: blanks must differ");
        }
    }

    @Test
    void denseDashedLinesAreThinnedSoTheyStayDashed() {
        double[] x = new double[3000], y = new double[3000];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.001 * (i + 1);
            y[i] = Math.sqrt(x[i]);
        }
        Plot.Layout l = Plot.layout(new Panel("d", "d", "t", "y", Scale.symlog(0.001), Scale.LINEAR, List.of(
                Series.of("theory", x, y, Series.Look.DASHED), Series.of("data", x, y, Series.Look.LINE))));
        Plot.Drawn theory = l.series().get(0), data = l.series().get(1);
        assertTrue(theory.size() <= Style.MAX_DASHED_POINTS + 2 && theory.size() > Style.MAX_DASHED_POINTS / 2, "" + theory.size());
        assertEquals(3000, data.size(), "solid lines keep every point");
        assertEquals(x[x.length - 1], theory.x()[theory.size() - 1], "the last point is kept");
        ChartChecks.assertAxesContainData(Plot.chart(l));
    }

    @Test
    void tickLabelsOfAnAxisShareOneFormat() {
        // the issue's ".08 next to 0.1": linear axes get a fixed number of decimals
        assertEquals("0.00", Scale.LINEAR.decimalPattern(0.07, 0.2));
        assertEquals("0.08", Scale.format("0.00").format(0.08));
        assertEquals("0.10", Scale.format("0.00").format(0.1));
        assertEquals("0", Scale.LINEAR.decimalPattern(0, 3000));
        assertEquals("0.###", Scale.LOG.decimalPattern(0.01, 100));
        assertEquals("0E0", Scale.LOG.decimalPattern(1e-6, 100));
        // XChart's labels on a laid-out chart: every label of the y axis has the same number of decimals and a leading digit
        XYChart c = Plot.chart(new Panel("a", "acc", "t", "accuracy", Scale.LINEAR, Scale.LINEAR,
                List.of(Series.of("test", new double[]{0, 1, 2, 3}, new double[]{0.08, 0.1, 0.15, 0.19}, Series.Look.LINE))));
        List<String> labels = ChartChecks.tickLabels(c, false);
        assertTrue(labels.size() >= 3, labels.toString());
        Set<Integer> decimals = new HashSet<>();
        for (String s : labels) {
            assertTrue(Character.isDigit(s.charAt(0)) || s.charAt(0) == '-', "label " + s + " has no leading digit");
            decimals.add(s.contains(".") ? s.length() - s.indexOf('.') - 1 : 0);
        }
        assertEquals(1, decimals.size(), "mixed decimals in " + labels);
        // and Java2D axes (the heat maps) label their ticks the same way
        assertEquals(List.of("-4", "-2", "0", "2", "4"), Scale.tickLabels(Scale.ticks(-4, 4)));
        assertEquals(List.of("0.0", "0.5", "1.0", "1.5"), Scale.tickLabels(Scale.ticks(0, 1.6)));
    }

    @Test
    void writesPngSvgPdfAndTheDrawnNumbersAsCsv() throws Exception {
        FigureWriter w = new FigureWriter(tmp.resolve("figs"));
        Plot.Layout l = w.panel(panel(Scale.symlog(0.05), Scale.LOG));
        Path dir = tmp.resolve("figs");
        for (String ext : List.of(".png", ".svg", ".pdf", ".csv")) assertTrue(Files.size(dir.resolve("p" + ext)) > 100, ext);
        assertTrue(Files.readString(dir.resolve("p.pdf"), java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("%PDF"));
        assertTrue(Files.readString(dir.resolve("p.svg")).contains("<svg"));
        List<String[]> rows = ChartChecks.readCsv(dir.resolve("p.csv"));
        int drawn = l.series().stream().mapToInt(Plot.Drawn::size).sum();
        assertEquals(30 + 30 + 2 + 2, drawn, "t = 0 has no inefficiency (NaN): 30 band and 30 line points, 2 sim, 2 reference ends");
        assertEquals(drawn, rows.size());
        ChartChecks.assertCsvMatchesChart(rows, "p", l, Plot.chart(l));
        // negative control: a CSV with one number changed does not match
        List<String[]> bad = new ArrayList<>(rows);
        String[] r = bad.get(40).clone();
        r[3] = Double.toString(Double.parseDouble(r[3]) * 1.01);
        bad.set(40, r);
        assertThrows(AssertionError.class, () -> ChartChecks.assertCsvMatchesChart(bad, "p", l, Plot.chart(l)));
        try (var files = Files.list(dir)) {
            assertEquals(4, files.count(), "nothing but the four files (no temporary files left)");
        }
        w.grid("all", 2, List.of(panel(Scale.LINEAR, Scale.AUTO), panel(Scale.symlog(0.05), Scale.LOG)));
        assertEquals(1 + 2 * drawn, Files.readAllLines(dir.resolve("all.csv")).size());
        Files.copy(dir.resolve("all.png"), Path.of("target", "plot-fixture.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        w.overview("overview", 2, 300, 200);
        assertTrue(Files.size(dir.resolve("overview.png")) > 1000);
    }
}
