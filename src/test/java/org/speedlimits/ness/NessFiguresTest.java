package org.speedlimits.ness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paper 003's Fig. 2 heat map (Java2D, plot.FigureWriter) on a synthetic density: every panel and the combined figure
 * as PNG/SVG/PDF, and the CSV beside each holds every drawn bin with its edges and density. (The line/scatter panels
 * of Figs. 1, 3, 4, 6 go through plot.Plot, tested in plot.PlotTest; NessCommandTest writes them from a small run.)
 */
class NessFiguresTest {
    @TempDir
    Path tmp;

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
        for (String f : List.of("fig2.png", "fig2.svg", "fig2.pdf", "fig2_a.png", "fig2_a.svg", "fig2_a.pdf", "fig2_b.svg", "fig2.csv", "fig2_a.csv")) {
            assertTrue(Files.size(tmp.resolve(f)) > 100, f);
        }
        List<String> all = Files.readAllLines(tmp.resolve("fig2.csv")), a = Files.readAllLines(tmp.resolve("fig2_a.csv"));
        assertEquals("panel,x_lo,x_hi,y_lo,y_hi,density", a.get(0));
        assertEquals(1 + 2 * bins * bins, all.size());
        assertEquals(1 + bins * bins, a.size());
        // every bin once, with its edges and density (the map's axes are the outer edges: nothing outside them)
        for (int i = 0; i < bins; i++) {
            for (int j = 0; j < bins; j++) {
                String[] r = a.get(1 + i * bins + j).split(",");
                assertEquals(edges[i], Double.parseDouble(r[1]), 1e-9);
                assertEquals(edges[i + 1], Double.parseDouble(r[2]), 1e-9);
                assertEquals(edges[j], Double.parseDouble(r[3]), 1e-9);
                assertEquals(dens[i][j], Double.parseDouble(r[5]), 1e-9 * dens[i][j]);
            }
        }
        Files.copy(tmp.resolve("fig2.png"), Path.of("target", "ness-fig2-synthetic.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
