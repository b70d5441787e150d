package org.speedlimits.figures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.speedlimits.analysis.Analysis;
import org.speedlimits.analysis.LinearModelFixtures;
import org.speedlimits.analysis.RunSet;
import org.speedlimits.plot.ChartChecks;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Plot;
import org.speedlimits.plot.Scale;
import org.speedlimits.plot.Series;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Fig. 1/2 panel of the synthetic linear-model sweep (LinearModelFixtures: 2 n × 2 seeds, NTK spectra,
 * triplets): axes contain every drawn point, log axes where the data span decades, the reference lines (speed limit,
 * warm-start threshold) carry no markers, and each panel's CSV equals its series.
 */
class PaperFiguresTest {
    @TempDir
    Path tmp;

    @Test
    void everyPanelContainsItsDataAndWritesItsNumbers() throws Exception {
        Path sweep = tmp.resolve("sweep");
        LinearModelFixtures.sweep(sweep);
        Analysis analysis = Analysis.of(RunSet.discover(List.of(sweep)), 0.12);
        List<String> notes = new ArrayList<>();
        List<Panel> panels = PaperFigures.panels(analysis, 12, notes);
        assertEquals(PaperFigures.PANELS.stream().filter(p -> !p.equals("fig1c_triplets")).toList(),
                panels.stream().map(Panel::name).toList(), "notes: " + notes);
        int references = 0;
        for (Panel p : panels) {
            Plot.Layout l = Plot.layout(p);
            XYChart c = Plot.chart(l);
            ChartChecks.assertAxesContainData(c);
            ChartChecks.assertLogWhereDecades(c, 2);
            references += ChartChecks.assertReferencesUnmarked(c);
            if (p.name().startsWith("fig1a") || p.name().startsWith("fig1b") || p.name().startsWith("fig1e")) {
                assertEquals(Scale.Kind.SYMLOG, l.x().kind, p.name() + ": time axes are symlog");
            }
        }
        assertEquals(3, references, "speed limit (1b), warm-start threshold (1a), no change (fig2_ntk_change)");
        assertEquals(Scale.LOG, Plot.layout(panels.get(2)).y(), "fig1b: the inefficiency is on a log axis");

        // a linear model's kernel does not move: every seed's λ_k(end)/λ_k(init) is 1, one line per seed of each n
        Panel change = panels.get(panels.size() - 1);
        assertEquals("fig2_ntk_change", change.name());
        List<Series> lines = change.series().stream().filter(x -> x.look() == Series.Look.LINE).toList();
        assertEquals(List.of("n=8 run 1", "n=8 run 2", "n=12 run 1", "n=12 run 2"), lines.stream().map(Series::label).toList());
        for (Series line : lines) {
            assertEquals(Integer.parseInt(line.label().replaceAll("n=(\\d+) .*", "$1")), line.y().length, line.label() + ": one point per mode");
            for (double r : line.y()) assertEquals(1.0, r, 1e-9, line.label());
        }

        Path dir = tmp.resolve("figures");
        PaperFigures.write(analysis, dir, 12);
        for (Panel p : panels) {
            for (String ext : List.of(".png", ".svg", ".pdf", ".csv")) assertTrue(Files.size(dir.resolve(p.name() + ext)) > 100, p.name() + ext);
            Plot.Layout l = Plot.layout(p);
            ChartChecks.assertCsvMatchesChart(ChartChecks.readCsv(dir.resolve(p.name() + ".csv")), p.name(), l, Plot.chart(l));
        }
        List<String> triplets = Files.readAllLines(dir.resolve("fig1c_triplets.csv"));
        assertEquals("triplet,epoch,w1,w2,w3", triplets.get(0));
        assertTrue(triplets.size() > 10);
        assertTrue(Files.size(dir.resolve("overview.png")) > 10000);
        Files.copy(dir.resolve("overview.png"), Path.of("target", "paper-figures-fixture.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        // redrawn from the written analysis folder (summary.csv, curves/, spectra/) without the runs: the same numbers
        Path folder = tmp.resolve("analysis");
        analysis.write(folder);
        Files.createDirectories(folder.resolve("figures"));
        Files.copy(dir.resolve("fig1c_triplets.png"), folder.resolve("figures/fig1c_triplets.png"));
        List<String> redrawNotes = PaperFigures.redraw(folder, 12, 0.12);
        assertTrue(redrawNotes.stream().anyMatch(n -> n.contains("existing fig1c_triplets.png is kept")), redrawNotes.toString());
        for (Panel p : panels) {
            List<String[]> fromRuns = ChartChecks.readCsv(dir.resolve(p.name() + ".csv"));
            List<String[]> fromFolder = ChartChecks.readCsv(folder.resolve("figures").resolve(p.name() + ".csv"));
            assertEquals(fromRuns.size(), fromFolder.size(), p.name());
            for (int i = 0; i < fromRuns.size(); i++) {
                assertEquals(fromRuns.get(i)[1], fromFolder.get(i)[1], p.name() + " row " + i);
                for (int c = 2; c < 6; c++) {
                    String a = fromRuns.get(i)[c], b = fromFolder.get(i)[c];
                    if (a.isEmpty() || b.isEmpty()) assertEquals(a, b, p.name() + " row " + i);
                    else assertEquals(Double.parseDouble(a), Double.parseDouble(b), 1e-12 * Math.abs(Double.parseDouble(a)), p.name() + " row " + i + " col " + c);
                }
            }
        }
        assertTrue(Files.size(folder.resolve("figures/overview.png")) > 10000);
    }
}
