package org.speedlimits.linreg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.speedlimits.plot.ChartChecks;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Plot;

/** The three linreg panels of a small experiment: axes contain every point and error bar; CSVs equal the series. */
class LinregFigureTest {
    @TempDir
    Path tmp;

    @Test
    void panelsContainTheirDataAndWriteTheirNumbers() throws Exception {
        Path yaml = tmp.resolve("small.yaml");
        Files.writeString(yaml, "d: 8\nreplicas: 200\nnoise: [0.0, 0.5]\ntimes: [0.1, 1.0, 10.0]\ngammas: [0.5, 2.0]\ndt: 0.01\njackknife_groups: 5\n");
        LinregExperiment e = new LinregExperiment(LinregConfig.load(yaml.toString(), List.of())).run();
        List<Panel> panels = LinregFigure.panels(e);
        assertEquals(List.of("linreg_time", "linreg_gamma", "linreg_limit"), panels.stream().map(Panel::name).toList());
        for (Panel p : panels) {
            XYChart c = Plot.chart(p);
            ChartChecks.assertAxesContainData(c);
            ChartChecks.assertLogWhereDecades(c, 2);
            assertTrue(c.getSeriesMap().size() >= 4, p.name());
        }
        Path out = tmp.resolve("figs");
        Files.createDirectories(out);
        LinregFigure.write(e, out);
        List<String[]> all = ChartChecks.readCsv(out.resolve("linreg.csv"));
        for (Panel p : panels) {
            for (String ext : List.of(".png", ".svg", ".pdf", ".csv")) assertTrue(Files.size(out.resolve(p.name() + ext)) > 100, p.name() + ext);
            Plot.Layout l = Plot.layout(p);
            ChartChecks.assertCsvMatchesChart(ChartChecks.readCsv(out.resolve(p.name() + ".csv")), p.name(), l, Plot.chart(l));
            ChartChecks.assertCsvMatchesChart(all, p.name(), l, Plot.chart(l));
        }
    }
}
