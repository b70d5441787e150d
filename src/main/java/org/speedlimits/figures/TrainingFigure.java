package org.speedlimits.figures;

import org.speedlimits.io.EpochCsv;
import org.speedlimits.plot.FigureWriter;
import org.speedlimits.plot.Panel;
import org.speedlimits.plot.Scale;
import org.speedlimits.plot.Series;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.EpochListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The run's overview figure (training.png, with .svg, .pdf and the plotted numbers in training.csv): (a) train/test
 * loss, (b) train/test accuracy and (c) the cold-start speed-limit inefficiency t (L_0 - L_t) / |theta_t - theta_0|^2
 * on a log axis with the bound 1 as a reference line, each against physical time t on a symlog axis (linear up to the
 * first logged time's decade, so epoch 0 is drawn; log above).
 */
public final class TrainingFigure implements EpochListener {
    private final Path metricsCsv;
    private final Path file;

    /** {@code file}: the PNG ({@code training.png}); the SVG, PDF and CSV go beside it. */
    public TrainingFigure(Path metricsCsv, Path file) {
        this.metricsCsv = metricsCsv;
        this.file = file;
    }

    @Override
    public void onEpoch(EpochContext context) {
    }

    /** Drawn from metrics.csv at the end, so a resumed run's figure covers all epochs. */
    @Override
    public void onEnd(EpochContext last) {
        try {
            write(EpochCsv.header(metricsCsv), EpochCsv.read(metricsCsv), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metricsCsv, e);
        }
    }

    /** One metrics.csv row as the values the figure needs. */
    private record Point(double time, double trainLoss, double trainAcc, double testLoss, double testAcc, double dist2) {
    }

    public static void write(List<String> header, List<double[]> rows, Path file) {
        List<Panel> panels = panels(header, rows);
        if (panels.isEmpty()) return; // nothing to draw for a 0-epoch run
        String name = file.getFileName().toString().replaceFirst("\\.png$", "");
        new FigureWriter(file.toAbsolutePath().getParent()).grid(name, 3, panels);
    }

    /** The three panels, or none when there are fewer than two rows. */
    static List<Panel> panels(List<String> header, List<double[]> rows) {
        if (rows.size() < 2) return List.of();
        int[] col = java.util.stream.Stream.of("time", "train_loss", "train_acc", "test_loss", "test_acc", "dist2_init")
                .mapToInt(header::indexOf).toArray();
        for (int i = 0; i < col.length; i++) {
            if (col[i] < 0) throw new IllegalArgumentException("metrics.csv has no column " + List.of("time", "train_loss",
                    "train_acc", "test_loss", "test_acc", "dist2_init").get(i) + " (header " + header + ")");
        }
        List<Point> points = rows.stream().map(r -> new Point(r[col[0]], r[col[1]], r[col[2]], r[col[3]], r[col[4]], r[col[5]])).toList();
        double loss0 = points.get(0).trainLoss();
        List<Point> tested = points.stream().filter(p -> !Double.isNaN(p.testLoss())).toList();
        Scale time = Scale.symlogFor(points.stream().mapToDouble(Point::time).toArray());

        List<Panel> panels = new ArrayList<>();
        panels.add(new Panel("loss", "(a) loss", PaperFigures.TIME_AXIS, "loss L (MSE, 1/2n convention)", time, Scale.AUTO, List.of(
                series("train", points, Point::trainLoss, 0), series("test", tested, Point::testLoss, 1))));
        panels.add(new Panel("accuracy", "(b) accuracy", PaperFigures.TIME_AXIS, "accuracy (fraction)", time, Scale.LINEAR, List.of(
                series("train", points, Point::trainAcc, 0), series("test", tested, Point::testAcc, 1))));
        panels.add(new Panel("inefficiency", "(c) cold-start inefficiency", PaperFigures.TIME_AXIS, "t (L0 − Lt) / |θt − θ0|²",
                time, Scale.LOG, List.of(
                        series("measured", points, p -> p.time() * (loss0 - p.trainLoss()) / p.dist2(), 0),
                        Series.horizontal("speed limit = 1", 1.0))));
        return panels;
    }

    private static Series series(String name, List<Point> rows, ToDoubleFunction<Point> y, int colour) {
        return Series.of(name, rows.stream().mapToDouble(Point::time).toArray(), rows.stream().mapToDouble(y).toArray(),
                Series.Look.LINE_MARKERS).colour(colour);
    }
}
