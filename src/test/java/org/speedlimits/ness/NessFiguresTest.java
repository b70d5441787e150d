package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/** The paper-003 figure writers on synthetic data: axes contain every plotted number, files and CSV complete. */
class NessFiguresTest {
    @TempDir
    Path tmp;

    static NessPlots.Panel panel(boolean logY) {
        double[] x = {1e-7, 1e-6, 1e-5}, y = {2e-6, 3e-3, 4.0}, e = {1e-6, 1e-3, 0.5};
        double[] y2 = {-0.5, 0.2, 7.5};
        return new NessPlots.Panel("p", "t", "x", "y", true, logY, List.of(
                new NessPlots.Series("sim", x, y, e, NessPlots.Style.MARKERS),
                new NessPlots.Series("theory", x, logY ? y : y2, null, NessPlots.Style.LINE)));
    }

    @Test
    void axisRangesContainTheDataAndErrorBars() {
        for (boolean logY : new boolean[]{false, true}) {
            NessPlots.Panel p = panel(logY);
            XYChart c = NessPlots.chart(p);
            double xmin = c.getStyler().getXAxisMin(), xmax = c.getStyler().getXAxisMax();
            double ymin = c.getStyler().getYAxisMin(), ymax = c.getStyler().getYAxisMax();
            for (NessPlots.Series s : p.series()) {
                for (int i = 0; i < s.x().length; i++) {
                    assertTrue(s.x()[i] >= xmin && s.x()[i] <= xmax, "x " + s.x()[i] + " outside [" + xmin + ", " + xmax + "]");
                    double err = s.err() == null ? 0 : s.err()[i];
                    double lo = logY && s.y()[i] - err <= 0 ? s.y()[i] / 10 : s.y()[i] - err;
                    assertTrue(lo >= ymin && s.y()[i] + err <= ymax,
                            "y " + s.y()[i] + " ± " + err + " outside [" + ymin + ", " + ymax + "] (logY " + logY + ")");
                }
            }
            assertTrue(!logY || ymin > 0, "a log axis starts above 0");
        }
        // negative control: a range computed without the error bars would clip the top bar
        double[] noErr = NessPlots.range(List.of(new NessPlots.Series("s", new double[]{1, 2}, new double[]{0, 1}, null,
                NessPlots.Style.LINE)), false, false);
        assertTrue(noErr[1] < 1 + 0.5, "without error bars the top is below 1.5");
    }

    @Test
    void writesPngSvgAndEveryNumberToCsv() throws Exception {
        NessPlots.write(tmp, "fig", List.of(panel(false), panel(true)));
        for (String f : List.of("fig.png", "fig.csv", "fig_p.png", "fig_p.svg")) assertTrue(Files.size(tmp.resolve(f)) > 100, f);
        assertEquals(1 + 2 * 6, Files.readAllLines(tmp.resolve("fig.csv")).size());
    }

    @Test
    void stationaryMapWritesEveryPanelAndBin() throws Exception {
        int bins = 20;
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = -4 + 8.0 * i / bins;
        double[][] dens = new double[bins][bins];
        double[][] s = {{1, 0.6}, {0.6, 1}};
        for (int i = 0; i < bins; i++) {
            for (int j = 0; j < bins; j++) {
                double x = 0.5 * (edges[i] + edges[i + 1]), y = 0.5 * (edges[j] + edges[j + 1]);
                dens[i][j] = Math.exp(-0.5 * (x * x - 1.2 * x * y + y * y) / 0.64);
            }
        }
        StationaryMapFigure.Panel p = new StationaryMapFigure.Panel("A) WR", edges, edges, dens, new double[]{0, 0}, s,
                new double[][]{{2, 0}, {0, 0.5}}, new double[][]{{0, 0.3}, {-0.3, 0}}, new double[]{0.5, -0.5});
        StationaryMapFigure.write(tmp, "fig2", "δθ6/Θ6", "δθ7/Θ7", List.of(p, p));
        for (String f : List.of("fig2.png", "fig2_a.png", "fig2_a.svg", "fig2_b.svg", "fig2.csv")) assertTrue(Files.size(tmp.resolve(f)) > 100, f);
        assertEquals(1 + 2 * bins * bins, Files.readAllLines(tmp.resolve("fig2.csv")).size());
        Files.copy(tmp.resolve("fig2.png"), Path.of("target", "ness-fig2-synthetic.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
