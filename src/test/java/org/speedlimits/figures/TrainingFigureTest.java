package org.speedlimits.figures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.speedlimits.plot.ChartChecks;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Plot;
import org.speedlimits.plot.Scale;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * training.png from a metrics table shaped like the quickstart's (the measured defects): loss 3.74 at epoch 0,
 * test accuracy up to 0.19, inefficiency 0.2…27. Every panel's axes contain its data, epoch 0 is drawn, the
 * inefficiency is on a log axis with the bound as a marker-less reference, and training.csv holds the drawn numbers.
 */
class TrainingFigureTest {
    @TempDir
    Path tmp;

    static final List<String> HEADER = List.of("epoch", "time", "train_loss", "train_acc", "test_loss", "test_acc", "dist2_init");

    /** 31 epochs, lr 0.05: L_t = 0.3 + 3.44 e^{-t}, |Δθ|² chosen so that the inefficiency rises from 0.2 to 27. */
    static List<double[]> rows() {
        List<double[]> rows = new ArrayList<>();
        for (int e = 0; e <= 30; e++) {
            double t = 0.05 * e, loss = 0.3 + 3.44 * Math.exp(-t);
            double ineff = 0.2 * Math.pow(27 / 0.2, Math.max(0, e - 1) / 29.0);
            double dist2 = e == 0 ? 0 : t * (3.74 - loss) / ineff;
            boolean tested = e % 5 == 0;
            rows.add(new double[]{e, t, loss, 0.1 + 0.003 * e, tested ? loss + 0.1 : Double.NaN, tested ? 0.09 + e / 300.0 : Double.NaN, dist2});
        }
        return rows;
    }

    @Test
    void panelsContainTheirDataWithEpochZeroAndALogInefficiency() {
        List<Panel> panels = TrainingFigure.panels(HEADER, rows());
        assertEquals(3, panels.size());
        for (Panel p : panels) {
            Plot.Layout l = Plot.layout(p);
            XYChart c = Plot.chart(l);
            ChartChecks.assertAxesContainData(c);
            ChartChecks.assertLogWhereDecades(c, 2);
            assertEquals(Scale.Kind.SYMLOG, l.x().kind, p.name());
            assertTrue(c.getXAxisTitle().contains("linear on 0…0.01, log above"), c.getXAxisTitle());
        }
        Plot.Layout loss = Plot.layout(panels.get(0));
        assertEquals(0.0, loss.series().get(0).x()[0], "epoch 0 (t = 0) is drawn");
        assertEquals(3.74, loss.series().get(0).y()[0], 1e-12);
        Plot.Layout acc = Plot.layout(panels.get(1));
        assertTrue(acc.yRange()[1] >= 0.19, "test accuracy 0.19 below the top " + acc.yRange()[1]);
        Plot.Layout ineff = Plot.layout(panels.get(2));
        assertEquals(Scale.LOG, ineff.y());
        assertTrue(ineff.yRange()[0] <= 0.2 && ineff.yRange()[1] >= 27, "inefficiency range " + ineff.yRange()[0] + " … " + ineff.yRange()[1]);
        assertEquals(1, ChartChecks.assertReferencesUnmarked(Plot.chart(ineff)), "the bound at 1 is one reference line");
    }

    @Test
    void writesPngSvgPdfAndCsvOfTheDrawnNumbers() throws Exception {
        Path png = tmp.resolve("training.png");
        TrainingFigure.write(HEADER, rows(), png);
        for (String f : List.of("training.png", "training.svg", "training.pdf", "training.csv")) assertTrue(Files.size(tmp.resolve(f)) > 100, f);
        List<String[]> csv = ChartChecks.readCsv(tmp.resolve("training.csv"));
        for (Panel p : TrainingFigure.panels(HEADER, rows())) {
            Plot.Layout l = Plot.layout(p);
            ChartChecks.assertCsvMatchesChart(csv, p.name(), l, Plot.chart(l));
        }
        // 31 train + 7 test loss, the same for accuracy, 30 inefficiencies (epoch 0 is 0/0) and the bound's 2 ends
        assertEquals(38 + 38 + 30 + 2, csv.size());
        Files.copy(png, Path.of("target", "training-fixture.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aZeroEpochRunDrawsNothing() {
        TrainingFigure.write(HEADER, rows().subList(0, 1), tmp.resolve("training.png"));
        assertTrue(Files.notExists(tmp.resolve("training.png")));
    }
}
