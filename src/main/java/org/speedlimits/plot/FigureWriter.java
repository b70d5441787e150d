package org.speedlimits.plot;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.knowm.xchart.XYChart;
import org.speedlimits.io.Npy;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes figures into one folder: every figure as {@code <name>.png}, {@code .svg}, {@code .pdf} and the numbers it
 * draws as {@code <name>.csv}, each file complete or absent (written in memory, then renamed into place).
 */
public final class FigureWriter {
    private final Path dir;
    private final List<Path> pngs = new ArrayList<>();

    public FigureWriter(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The PNGs written so far, in order. */
    public List<Path> pngs() {
        return List.copyOf(pngs);
    }

    /** One panel as {@code <panel name>.png/.svg/.pdf/.csv}. */
    public Plot.Layout panel(Panel p) {
        Plot.Layout l = Plot.layout(p);
        XYChart c = Plot.chart(l);
        Csv csv = new Csv(Plot.CSV_HEADER);
        Plot.rows(l, csv);
        painted(p.name(), c.getWidth(), c.getHeight(), g -> c.paint(g, c.getWidth(), c.getHeight()), csv);
        return l;
    }

    /** Each panel on its own ({@link #panel}) and all of them, {@code cols} per row, in {@code <name>.*} with every row in one CSV. */
    public void panelsAndGrid(String name, int cols, List<Panel> panels) {
        for (Panel p : panels) panel(p);
        grid(name, cols, panels);
    }

    /** The panels, {@code cols} per row, as one figure {@code <name>.*} (CSV: every panel's rows). */
    public List<Plot.Layout> grid(String name, int cols, List<Panel> panels) {
        List<Plot.Layout> layouts = panels.stream().map(Plot::layout).toList();
        List<XYChart> charts = layouts.stream().map(Plot::chart).toList();
        Csv csv = new Csv(Plot.CSV_HEADER);
        layouts.forEach(l -> Plot.rows(l, csv));
        int cw = charts.stream().mapToInt(XYChart::getWidth).max().orElse(1);
        int ch = charts.stream().mapToInt(XYChart::getHeight).max().orElse(1);
        int rows = (charts.size() + cols - 1) / cols;
        painted(name, cw * Math.min(cols, Math.max(1, charts.size())), ch * Math.max(1, rows), g -> {
            for (int i = 0; i < charts.size(); i++) {
                XYChart c = charts.get(i);
                int ox = (i % cols) * cw, oy = (i / cols) * ch;
                g.translate(ox, oy);
                c.paint(g, c.getWidth(), c.getHeight());
                g.translate(-ox, -oy);
            }
        }, csv);
        return layouts;
    }

    /** A figure drawn with Java2D: the same painter renders the PNG, the SVG and the PDF. */
    public void painted(String name, int width, int height, Consumer<Graphics2D> painter, Csv csv) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        prepare(g, width, height);
        painter.accept(g);
        g.dispose();
        VectorGraphics2D vg = new VectorGraphics2D();
        prepare(vg, width, height);
        painter.accept(vg);
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            ByteArrayOutputStream svg = new ByteArrayOutputStream();
            new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height)).writeTo(svg);
            byte[] pdf = pdf(width, height, painter);
            Files.createDirectories(dir);
            Npy.writeAtomically(dir.resolve(name + ".csv"), csv.text().getBytes(StandardCharsets.UTF_8));
            Npy.writeAtomically(dir.resolve(name + ".svg"), svg.toByteArray());
            Npy.writeAtomically(dir.resolve(name + ".pdf"), pdf);
            Npy.writeAtomically(dir.resolve(name + ".png"), png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure " + dir.resolve(name) + ".png/.svg/.pdf/.csv", e);
        }
        pngs.add(dir.resolve(name + ".png"));
    }

    /** Puts an existing PNG (e.g. one kept from an earlier drawing) on the next {@link #overview}. */
    public void include(Path png) {
        pngs.add(png);
    }

    /**
     * A contact sheet of all PNGs written so far ({@code cols} per row, each scaled into a cell): PNG only, since
     * every panel on it has its own vector files and CSV.
     */
    public void overview(String name, int cols, int cellWidth, int cellHeight) {
        int rows = (pngs.size() + cols - 1) / cols;
        BufferedImage all = new BufferedImage(cols * cellWidth, Math.max(1, rows) * cellHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        try {
            for (int i = 0; i < pngs.size(); i++) {
                BufferedImage panel = ImageIO.read(pngs.get(i).toFile());
                double scale = Math.min(cellWidth / (double) panel.getWidth(), cellHeight / (double) panel.getHeight());
                int w = (int) (panel.getWidth() * scale), h = (int) (panel.getHeight() * scale);
                g.drawImage(panel, (i % cols) * cellWidth + (cellWidth - w) / 2, (i / cols) * cellHeight + (cellHeight - h) / 2, w, h, null);
            }
            g.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(all, "png", png);
            Files.createDirectories(dir);
            Npy.writeAtomically(dir.resolve(name + ".png"), png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the overview " + dir.resolve(name + ".png"), e);
        }
    }

    private static void prepare(Graphics2D g, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
    }

    private static byte[] pdf(int width, int height, Consumer<Graphics2D> painter) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(new PDRectangle(width, height));
            doc.addPage(page);
            PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, width, height);
            prepare(g, width, height);
            painter.accept(g);
            g.dispose();
            try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                content.drawForm(g.getXFormObject());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }
}
