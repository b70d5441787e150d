package org.speedlimits.figures;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Writes each figure as {@code <name>.png} and {@code <name>.svg} (written to a temp file, then renamed). */
final class FigureFiles {
    private final Path dir;
    final List<Path> pngs = new ArrayList<>();

    FigureFiles(Path dir) {
        this.dir = dir;
    }

    void save(String name, Chart<?, ?> chart) {
        try {
            write(name + ".png", out -> {
                try {
                    BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            write(name + ".svg", out -> {
                try {
                    VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            pngs.add(dir.resolve(name + ".png"));
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot write figure " + dir.resolve(name), e.getCause());
        }
    }

    /** A figure drawn with Java2D, rendered once to a bitmap and once to SVG. */
    void save(String name, int width, int height, Consumer<Graphics2D> painter) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        painter.accept(g);
        g.dispose();
        VectorGraphics2D vg = new VectorGraphics2D();
        vg.setColor(Color.WHITE);
        vg.fillRect(0, 0, width, height);
        painter.accept(vg);
        write(name + ".png", out -> {
            try {
                ImageIO.write(image, "png", out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        write(name + ".svg", out -> {
            try {
                new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height)).writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        pngs.add(dir.resolve(name + ".png"));
    }

    /** All PNGs written so far tiled into one image ({@code cols} per row, each scaled to the cell). */
    void overview(String name, int cols, int cellWidth, int cellHeight) {
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
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back a panel for the overview", e);
        }
        g.dispose();
        write(name + ".png", out -> {
            try {
                ImageIO.write(all, "png", out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void write(String file, Consumer<OutputStream> writer) {
        Path target = dir.resolve(file);
        try {
            Files.createDirectories(dir);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            writer.accept(bytes);
            org.speedlimits.io.Npy.writeAtomically(target, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
