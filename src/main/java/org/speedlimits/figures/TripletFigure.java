package org.speedlimits.figures;

import org.speedlimits.analysis.AnalysisException;
import org.speedlimits.io.EpochCsv;
import org.speedlimits.plot.Csv;
import org.speedlimits.plot.Style;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fig. 1c: the trajectories of the recorded weight triplets (triplets.csv) in 3D, drawn with Java2D as a perspective
 * projection of each triplet's bounding box (rotated by a fixed azimuth/elevation), coloured from blue (start) to red
 * (end) in log epoch.
 */
final class TripletFigure {
    static final int CELL_W = 380, CELL_H = 360, TITLE_H = 40;
    private static final double AZIMUTH = Math.toRadians(35), ELEVATION = Math.toRadians(25), CAMERA = 4.0;

    record Triplet(String label, double[][] xyz, double[] min, double[] max) {
    }

    final List<Triplet> triplets;
    final double[] epochs;
    final String title;

    private TripletFigure(List<Triplet> triplets, double[] epochs, String title) {
        this.triplets = triplets;
        this.epochs = epochs;
        this.title = title;
    }

    /** Reads up to {@code max} triplets from {@code <run>/triplets.csv}. */
    static TripletFigure read(Path runDir, int max) {
        Path file = runDir.resolve("triplets.csv");
        if (!Files.isRegularFile(file)) {
            throw new AnalysisException(file + " does not exist (hooks.triplets was 0?)");
        }
        List<String> header;
        List<double[]> rows;
        try {
            header = EpochCsv.header(file);
            rows = EpochCsv.read(file);
        } catch (IOException | RuntimeException e) {
            throw new AnalysisException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int count = Math.min(max, (header.size() - 1) / 3);
        if (count == 0 || rows.size() < 2) {
            throw new AnalysisException(file + " has no triplet columns or fewer than 2 rows");
        }
        double[] epochs = rows.stream().mapToDouble(r -> r[0]).toArray();
        List<Triplet> triplets = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            double[][] xyz = new double[rows.size()][3];
            double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE}, hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
            for (int r = 0; r < rows.size(); r++) {
                for (int a = 0; a < 3; a++) {
                    xyz[r][a] = rows.get(r)[1 + 3 * t + a];
                    lo[a] = Math.min(lo[a], xyz[r][a]);
                    hi[a] = Math.max(hi[a], xyz[r][a]);
                }
            }
            List<String> idx = header.subList(1 + 3 * t, 4 + 3 * t).stream().map(h -> h.substring(h.indexOf('_') + 1)).toList();
            triplets.add(new Triplet("triplet " + (t + 1) + "  (θ[" + String.join("], θ[", idx) + "])", xyz, lo, hi));
        }
        return new TripletFigure(triplets, epochs, "(c) weight triplets (w1, w2, w3) during training — " + runDir.getFileName());
    }

    int width() {
        return 3 * CELL_W;
    }

    int height() {
        return TITLE_H + ((triplets.size() + 2) / 3) * CELL_H;
    }

    void paint(Graphics2D g) {
        g.setColor(Color.BLACK);
        g.setFont(Style.TITLE);
        g.drawString(title, 12, 26);
        g.setFont(Style.TICKS);
        g.drawString("colour: log epoch, blue → red;  ● start (θ0),  ■ end", width() - 330, 26);
        for (int i = 0; i < triplets.size(); i++) {
            paintCell(g, triplets.get(i), (i % 3) * CELL_W, TITLE_H + (i / 3) * CELL_H);
        }
    }

    /** Projects a point of the unit cube [-1,1]^3 to cell pixels. */
    private static double[] project(double x, double y, double z, int ox, int oy) {
        double x1 = x * Math.cos(AZIMUTH) - y * Math.sin(AZIMUTH);
        double y1 = x * Math.sin(AZIMUTH) + y * Math.cos(AZIMUTH);
        double depth = y1 * Math.cos(ELEVATION) - z * Math.sin(ELEVATION);
        double up = y1 * Math.sin(ELEVATION) + z * Math.cos(ELEVATION);
        double f = CAMERA / (CAMERA + depth);
        double scale = 0.22 * CELL_W;
        return new double[]{ox + CELL_W / 2.0 + scale * f * x1, oy + CELL_H / 2.0 - 22 - scale * f * up};
    }

    private void paintCell(Graphics2D g, Triplet t, int ox, int oy) {
        double[] mid = new double[3], half = new double[3];
        for (int a = 0; a < 3; a++) {
            mid[a] = 0.5 * (t.min()[a] + t.max()[a]);
            half[a] = Math.max(0.5 * (t.max()[a] - t.min()[a]), 1e-12);
        }
        g.setStroke(new BasicStroke(0.8f));
        g.setColor(new Color(190, 190, 190));
        int[][] edges = {{0, 1}, {0, 2}, {0, 4}, {1, 3}, {1, 5}, {2, 3}, {2, 6}, {3, 7}, {4, 5}, {4, 6}, {5, 7}, {6, 7}};
        for (int[] e : edges) {
            double[] p = corner(e[0], ox, oy), q = corner(e[1], ox, oy);
            g.draw(new Line2D.Double(p[0], p[1], q[0], q[1]));
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(Style.TICKS);
        String[] names = {"w1", "w2", "w3"};
        double[][] axisEnds = {{1.25, -1, -1}, {-1, 1.25, -1}, {-1, -1, 1.25}};
        for (int a = 0; a < 3; a++) {
            double[] p = project(axisEnds[a][0], axisEnds[a][1], axisEnds[a][2], ox, oy);
            g.drawString(names[a], (float) p[0] - 8, (float) p[1] + 4);
        }
        int n = t.xyz().length;
        double logMax = Math.log1p(epochs[n - 1]);
        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        double[] prev = null;
        for (int r : drawnRows(n)) {
            double[] p = toPixels(t.xyz()[r], mid, half, ox, oy);
            if (prev != null) {
                float f = (float) (logMax > 0 ? Math.log1p(epochs[r]) / logMax : 1);
                g.setColor(new Color(f, 0.15f, 1 - f));
                g.draw(new Line2D.Double(prev[0], prev[1], p[0], p[1]));
            }
            prev = p;
        }
        double[] start = toPixels(t.xyz()[0], mid, half, ox, oy), end = toPixels(t.xyz()[n - 1], mid, half, ox, oy);
        g.setColor(new Color(0, 0, 200));
        g.fill(new Ellipse2D.Double(start[0] - 5, start[1] - 5, 10, 10));
        g.setColor(new Color(200, 0, 0));
        g.fill(new Rectangle2D.Double(end[0] - 5, end[1] - 5, 10, 10));
        g.setColor(Color.BLACK);
        g.setFont(Style.AXIS_TITLE.deriveFont(java.awt.Font.BOLD));
        g.drawString(t.label(), ox + 12, oy + 18);
        g.setFont(Style.NOTE);
        for (int a = 0; a < 3; a++) {
            g.drawString(String.format(Locale.ROOT, "%s ∈ [%.4g, %.4g]", names[a], t.min()[a], t.max()[a]),
                    ox + 12, oy + CELL_H - 46 + 14 * a);
        }
    }

    /** The rows the trajectory is drawn through (at most about 3000, always the last one). */
    private static int[] drawnRows(int n) {
        int step = Math.max(1, n / 3000);
        java.util.stream.IntStream rows = java.util.stream.IntStream.iterate(0, r -> r < n, r -> r + step);
        return (n - 1) % step == 0 ? rows.toArray() : java.util.stream.IntStream.concat(rows, java.util.stream.IntStream.of(n - 1)).toArray();
    }

    /** Exactly the drawn points: triplet, epoch and the three weights. */
    Csv csv() {
        Csv csv = new Csv(List.of("triplet", "epoch", "w1", "w2", "w3"));
        for (Triplet t : triplets) {
            for (int r : drawnRows(t.xyz().length)) csv.row(t.label(), epochs[r], t.xyz()[r][0], t.xyz()[r][1], t.xyz()[r][2]);
        }
        return csv;
    }

    private static double[] corner(int i, int ox, int oy) {
        return project((i & 1) == 0 ? -1 : 1, (i & 2) == 0 ? -1 : 1, (i & 4) == 0 ? -1 : 1, ox, oy);
    }

    private static double[] toPixels(double[] w, double[] mid, double[] half, int ox, int oy) {
        return project((w[0] - mid[0]) / half[0], (w[1] - mid[1]) / half[1], (w[2] - mid[2]) / half[2], ox, oy);
    }
}
