package org.speedlimits.ness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.nio.file.Path;
import java.util.List;
import org.speedlimits.plot.Csv;
import org.speedlimits.plot.FigureWriter;
import org.speedlimits.plot.Scale;
import org.speedlimits.plot.Style;

/**
 * Paper 003's Fig. 2: the simulated 2-D marginal of the stationary distribution as a heat map, with the theory's
 * equiprobability contours (white dashed, a factor 10 in density apart), the Boltzmann contours of exp(−β𝓛)
 * (gold dashed; its level sets, same spacing), the marginal probability current (arrows) and the centres (star: θ₀,
 * the origin; white dot: the WOR centre θ̂₀). Coordinates are δθ in units of the WR theory's Θ_α = Σ_αα^{1/2}.
 * Drawn with Java2D; the same painter gives the PNG, SVG and PDF (plot.FigureWriter), the bins' numbers go in a CSV.
 */
public final class StationaryMapFigure {
    private StationaryMapFigure() {}

    /**
     * One panel. {@code density[ix][iy]} on the bin edges; {@code theoryCov}: the theory's 2×2 marginal covariance;
     * {@code boltzmannCov}: the 2×2 marginal of the Boltzmann distribution's covariance ((βH₀)⁻¹, scaled as stated in
     * the caller), or null; {@code currentMatrix} K with marginal current J(x) = K (x − centre) P(x) (−C_SS Σ_SS⁻¹), or
     * null for none; {@code extraCentre} the white dot (may be null). All in plot units.
     */
    public record Panel(String title, double[] xEdges, double[] yEdges, double[][] density, double[] theoryCentre,
                        double[][] theoryCov, double[][] boltzmannCov, double[][] currentMatrix, double[] extraCentre) {}

    static final int W = 460, H = 440, LEFT = 70, RIGHT = 20, TOP = 36, BOTTOM = 56;

    /** Each panel as {@code <figure>_a.png/.svg/.pdf/.csv}, …, and all of them in one row as {@code <figure>.*}. */
    public static void write(Path dir, String figure, String xLabel, String yLabel, List<Panel> panels) {
        FigureWriter files = new FigureWriter(dir);
        Csv all = new Csv(CSV_HEADER);
        for (int k = 0; k < panels.size(); k++) {
            Panel p = panels.get(k);
            Csv csv = csv(p);
            all.addAll(csv);
            files.painted(figure + "_" + (char) ('a' + k), W, H, g -> draw(g, p, xLabel, yLabel), csv);
        }
        files.painted(figure, W * panels.size(), H, g -> {
            for (int k = 0; k < panels.size(); k++) {
                g.translate(W * k, 0);
                draw(g, panels.get(k), xLabel, yLabel);
                g.translate(-W * k, 0);
            }
        }, all);
    }

    static final List<String> CSV_HEADER = List.of("panel", "x_lo", "x_hi", "y_lo", "y_hi", "density");

    /** Every bin drawn: its edges and density. */
    static Csv csv(Panel p) {
        Csv csv = new Csv(CSV_HEADER);
        for (int i = 0; i < p.density().length; i++) {
            for (int j = 0; j < p.density()[i].length; j++) {
                csv.row(p.title(), p.xEdges()[i], p.xEdges()[i + 1], p.yEdges()[j], p.yEdges()[j + 1], p.density()[i][j]);
            }
        }
        return csv;
    }

    private static void draw(Graphics2D g, Panel p, String xLabel, String yLabel) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double x0 = p.xEdges()[0], x1 = p.xEdges()[p.xEdges().length - 1];
        double y0 = p.yEdges()[0], y1 = p.yEdges()[p.yEdges().length - 1];
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        java.util.function.DoubleUnaryOperator sx = x -> LEFT + (x - x0) / (x1 - x0) * pw;
        java.util.function.DoubleUnaryOperator sy = y -> TOP + ph - (y - y0) / (y1 - y0) * ph;
        double max = 0;
        for (double[] col : p.density()) for (double v : col) max = Math.max(max, v);
        for (int i = 0; i < p.density().length; i++) {
            for (int j = 0; j < p.density()[i].length; j++) {
                double v = max > 0 ? p.density()[i][j] / max : 0;
                g.setColor(heat(v));
                double ax = sx.applyAsDouble(p.xEdges()[i]), bx = sx.applyAsDouble(p.xEdges()[i + 1]);
                double ay = sy.applyAsDouble(p.yEdges()[j + 1]), by = sy.applyAsDouble(p.yEdges()[j]);
                g.fill(new java.awt.geom.Rectangle2D.Double(ax, ay, bx - ax + 0.6, by - ay + 0.6));
            }
        }
        java.awt.Shape clip = g.getClip();
        g.clipRect(LEFT, TOP, pw, ph);
        float[] dash = {5f, 4f};
        if (p.boltzmannCov() != null) contours(g, p.theoryCentre(), p.boltzmannCov(), new Color(0xffc20e), dash, sx, sy);
        contours(g, p.theoryCentre(), p.theoryCov(), Color.WHITE, dash, sx, sy);
        if (p.currentMatrix() != null) arrows(g, p, sx, sy, x0, x1, y0, y1);
        star(g, sx.applyAsDouble(0), sy.applyAsDouble(0));
        if (p.extraCentre() != null) {
            g.setColor(Color.WHITE);
            double cx = sx.applyAsDouble(p.extraCentre()[0]), cy = sy.applyAsDouble(p.extraCentre()[1]);
            g.fill(new Ellipse2D.Double(cx - 4, cy - 4, 8, 8));
            g.setColor(Color.BLACK);
            g.draw(new Ellipse2D.Double(cx - 4, cy - 4, 8, 8));
        }
        g.setClip(clip);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, pw, ph);
        g.setFont(Style.TICKS);
        double[] xt = Scale.ticks(x0, x1), yt = Scale.ticks(y0, y1);
        List<String> xl = Scale.tickLabels(xt), yl = Scale.tickLabels(yt);
        for (int i = 0; i < xt.length; i++) {
            int x = (int) Math.round(sx.applyAsDouble(xt[i]));
            g.drawLine(x, TOP + ph, x, TOP + ph + 4);
            String s = xl.get(i);
            g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, TOP + ph + 17);
        }
        for (int i = 0; i < yt.length; i++) {
            int y = (int) Math.round(sy.applyAsDouble(yt[i]));
            g.drawLine(LEFT - 4, y, LEFT, y);
            String s = yl.get(i);
            g.drawString(s, LEFT - 7 - g.getFontMetrics().stringWidth(s), y + 4);
        }
        g.setFont(Style.AXIS_TITLE);
        g.drawString(xLabel, LEFT + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, H - 14);
        java.awt.geom.AffineTransform at = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + ph / 2) - g.getFontMetrics().stringWidth(yLabel) / 2, 18);
        g.setTransform(at);
        g.setFont(Style.AXIS_TITLE.deriveFont(java.awt.Font.BOLD));
        g.drawString(p.title(), LEFT, TOP - 12);
    }

    /** Ellipses (x−c)ᵀS⁻¹(x−c) = 2 ln 10^k, k = 1…4: density levels a factor 10 apart below the peak. */
    private static void contours(Graphics2D g, double[] c, double[][] s, Color color, float[] dash,
                                 java.util.function.DoubleUnaryOperator sx, java.util.function.DoubleUnaryOperator sy) {
        g.setColor(color);
        g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
        // S = L Lᵀ (Cholesky): the ellipse is c + r L (cos φ, sin φ)
        double l11 = Math.sqrt(s[0][0]), l21 = s[1][0] / l11, l22 = Math.sqrt(Math.max(0, s[1][1] - l21 * l21));
        for (int k = 1; k <= 4; k++) {
            double r = Math.sqrt(2 * k * Math.log(10));
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i <= 160; i++) {
                double ph = 2 * Math.PI * i / 160, u = r * Math.cos(ph), v = r * Math.sin(ph);
                double x = sx.applyAsDouble(c[0] + l11 * u), y = sy.applyAsDouble(c[1] + l21 * u + l22 * v);
                if (i == 0) path.moveTo(x, y); else path.lineTo(x, y);
            }
            g.draw(path);
        }
    }

    /** The marginal current J = K(x − c)P(x) on a 9×9 grid, arrow length ∝ |J| (largest = 0.9 grid cells). */
    private static void arrows(Graphics2D g, Panel p, java.util.function.DoubleUnaryOperator sx, java.util.function.DoubleUnaryOperator sy,
                               double x0, double x1, double y0, double y1) {
        double[][] s = p.theoryCov(), k = p.currentMatrix();
        double det = s[0][0] * s[1][1] - s[0][1] * s[1][0];
        int n = 9;
        double[][][] j = new double[n][n][];
        double jmax = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double x = x0 + (a + 0.5) * (x1 - x0) / n - p.theoryCentre()[0], y = y0 + (b + 0.5) * (y1 - y0) / n - p.theoryCentre()[1];
                double q = (s[1][1] * x * x - 2 * s[0][1] * x * y + s[0][0] * y * y) / det;
                double dens = Math.exp(-0.5 * q);
                double jx = (k[0][0] * x + k[0][1] * y) * dens, jy = (k[1][0] * x + k[1][1] * y) * dens;
                j[a][b] = new double[]{x + p.theoryCentre()[0], y + p.theoryCentre()[1], jx, jy};
                jmax = Math.max(jmax, Math.hypot(jx / (x1 - x0), jy / (y1 - y0)));
            }
        }
        if (jmax == 0) return;
        g.setColor(new Color(255, 255, 255, 220));
        g.setStroke(new BasicStroke(1.3f));
        double cell = 0.9 / n;
        for (double[][] col : j) {
            for (double[] a : col) {
                double dx = a[2] / (x1 - x0) / jmax * cell * (x1 - x0), dy = a[3] / (y1 - y0) / jmax * cell * (y1 - y0);
                double px = sx.applyAsDouble(a[0]), py = sy.applyAsDouble(a[1]);
                double qx = sx.applyAsDouble(a[0] + dx), qy = sy.applyAsDouble(a[1] + dy);
                double len = Math.hypot(qx - px, qy - py);
                if (len < 1.5) continue;
                g.draw(new Line2D.Double(px, py, qx, qy));
                double ang = Math.atan2(qy - py, qx - px), hl = Math.min(6, 0.4 * len);
                g.draw(new Line2D.Double(qx, qy, qx - hl * Math.cos(ang - 0.45), qy - hl * Math.sin(ang - 0.45)));
                g.draw(new Line2D.Double(qx, qy, qx - hl * Math.cos(ang + 0.45), qy - hl * Math.sin(ang + 0.45)));
            }
        }
    }

    private static void star(Graphics2D g, double cx, double cy) {
        Path2D.Double s = new Path2D.Double();
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? 8 : 3.4, a = -Math.PI / 2 + i * Math.PI / 5;
            if (i == 0) s.moveTo(cx + r * Math.cos(a), cy + r * Math.sin(a)); else s.lineTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
        }
        s.closePath();
        g.setColor(new Color(0xffd700));
        g.fill(s);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(0.8f));
        g.draw(s);
    }

    /** Blue (low) to red (high), the paper's colour order. */
    static Color heat(double v) {
        v = Math.max(0, Math.min(1, v));
        float h = (float) (0.66 * (1 - v));
        return Color.getHSBColor(h, 0.85f, (float) (0.35 + 0.65 * Math.min(1, 3 * v + 0.2)));
    }
}
