package org.speedlimits.plot;

import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;

/** The one look of every figure: fonts, panel size, colours, line styles and markers. */
public final class Style {
    private Style() {}

    public static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    public static final Font AXIS_TITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    public static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    public static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    /** Small annotation text inside Java2D-drawn panels. */
    public static final Font NOTE = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /** Panel size in pixels (the plot area; the legend below adds {@link #LEGEND_ROW} per entry). */
    public static final int WIDTH = 620, HEIGHT = 460, LEGEND_ROW = 19;

    /** matplotlib's tab10, so the figures read like the paper's. */
    public static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
            new Color(0xff7f0e), new Color(0x8c564b), new Color(0x17becf), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22)};
    /** Reference lines (bounds, thresholds, y = x): grey, thin, dash-dot, never with markers. */
    public static final Color REFERENCE = new Color(0x555555);
    public static final Color GRID = new Color(0xe3e3e3);

    public static final BasicStroke SOLID = new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    public static final BasicStroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{7f, 4f}, 0f);
    public static final BasicStroke REFERENCE_LINE = new BasicStroke(1.3f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[]{9f, 3f, 2f, 3f}, 0f);
    public static final BasicStroke ERROR_BAR = new BasicStroke(1.2f);
    public static final int MARKER_SIZE = 6;
    /** Lines with more points than this are drawn without markers. */
    public static final int MAX_MARKED_POINTS = 60;
    /** Dashed lines are drawn through at most about this many points: XChart strokes each segment on its own, so segments must be longer than one dash (Plot). */
    public static final int MAX_DASHED_POINTS = 40;
    /** Alpha of a ± std band's fill. */
    public static final int BAND_ALPHA = 60;

    public static Color palette(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    public static Color translucent(Color c) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), BAND_ALPHA);
    }

    static void apply(XYStyler s) {
        s.setChartTitleFont(TITLE);
        s.setAxisTitleFont(AXIS_TITLE);
        s.setAxisTickLabelsFont(TICKS);
        s.setLegendFont(LEGEND);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.DARK_GRAY);
        s.setPlotGridLinesColor(GRID);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        // below the plot: a legend never covers data
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setMarkerSize(MARKER_SIZE);
        s.setChartPadding(10);
    }
}
