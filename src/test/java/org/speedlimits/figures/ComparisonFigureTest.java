package org.speedlimits.figures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.speedlimits.analysis.QuadraticRuns;
import org.speedlimits.analysis.RunComparison;
import org.speedlimits.plot.ChartChecks;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Plot;
import org.speedlimits.plot.Scale;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** comparison.png of GD against flow on the closed-form quadratic: every panel holds its data, references unmarked. */
class ComparisonFigureTest {
    @TempDir
    Path tmp;

    @Test
    void panelsHoldTheirDataAndTheFirstOrderReferences() throws Exception {
        RunComparison c = QuadraticRuns.comparison(tmp);
        List<Panel> panels = ComparisonFigure.panels(c);
        assertEquals(List.of("loss", "inefficiency", "length_ratio", "relative_difference"), panels.stream().map(Panel::name).toList());
        for (Panel p : panels) {
            Plot.Layout l = Plot.layout(p);
            XYChart chart = Plot.chart(l);
            ChartChecks.assertAxesContainData(chart);
            assertEquals(Scale.Kind.SYMLOG, l.x().kind, p.name());
        }
        Plot.Layout ineff = Plot.layout(panels.get(1));
        assertEquals(Scale.LOG, ineff.y());
        // the bound 1 and GD's floor 1 − ηλ_max/2 = 0.98: both inside the axis
        assertEquals(2, ChartChecks.assertReferencesUnmarked(Plot.chart(ineff)));
        assertTrue(ineff.yRange()[0] <= 0.98 && ineff.yRange()[1] >= 1, ineff.yRange()[0] + " … " + ineff.yRange()[1]);
        Plot.Layout gap = Plot.layout(panels.get(3));
        assertTrue(gap.yRange()[0] <= -0.02 && gap.yRange()[1] >= 0.02, "± ηλ_max/2 = 0.02 drawn: " + gap.yRange()[0] + " … " + gap.yRange()[1]);
        assertEquals(3, ChartChecks.assertReferencesUnmarked(Plot.chart(gap)), "0 and ± ηλ_max/2");
    }

    @Test
    void writesPngSvgPdfAndCsv() throws Exception {
        RunComparison c = QuadraticRuns.comparison(tmp);
        ComparisonFigure.write(c, tmp.resolve("figures"));
        for (String f : List.of("comparison.png", "comparison.svg", "comparison.pdf", "comparison.csv")) {
            assertTrue(Files.size(tmp.resolve("figures").resolve(f)) > 100, f);
        }
        List<String[]> csv = ChartChecks.readCsv(tmp.resolve("figures").resolve("comparison.csv"));
        for (Panel p : ComparisonFigure.panels(c)) {
            Plot.Layout l = Plot.layout(p);
            ChartChecks.assertCsvMatchesChart(csv, p.name(), l, Plot.chart(l));
        }
        Files.copy(tmp.resolve("figures").resolve("comparison.png"), Path.of("target", "comparison-fixture.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
