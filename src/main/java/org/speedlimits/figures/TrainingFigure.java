package org.speedlimits.figures;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.speedlimits.train.EpochContext;
import org.speedlimits.train.EpochListener;
import org.speedlimits.io.EpochCsv;

import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The run's overview figure (training.png): (a) train/test loss, (b) train/test accuracy and (c) the cold-start
 * speed-limit inefficiency t (L_0 - L_t) / |theta_t - theta_0|^2, each against physical time t on a log axis.
 */
public final class TrainingFigure implements EpochListener {
    private final Path metricsCsv;
    private final Path file;

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
    private record Point(double epoch, double time, double trainLoss, double trainAcc, double testLoss, double testAcc,
                         double dist2) {
        boolean hasTest() {
            return !Double.isNaN(testLoss);
        }
    }

    public static void write(List<String> header, List<double[]> rows, Path file) {
        if (rows.size() < 2) {
            return; // nothing to draw for a 0-epoch run
        }
        int[] col = java.util.stream.Stream.of("epoch", "time", "train_loss", "train_acc", "test_loss", "test_acc", "dist2_init")
                .mapToInt(header::indexOf).toArray();
        List<Point> points = rows.stream().map(r -> new Point(r[col[0]], r[col[1]], r[col[2]], r[col[3]], r[col[4]],
                r[col[5]], r[col[6]])).toList();
        double loss0 = points.get(0).trainLoss();
        List<Point> later = points.subList(1, points.size()); // epoch 0 has no place on a log axis
        List<Point> tested = later.stream().filter(Point::hasTest).toList();

        XYChart loss = chart("(a) loss", "loss L (MSE, 1/2n convention)", false);
        add(loss, "train", later, Point::trainLoss);
        add(loss, "test", tested, Point::testLoss);

        XYChart accuracy = chart("(b) accuracy", "accuracy", false);
        add(accuracy, "train", later, Point::trainAcc);
        add(accuracy, "test", tested, Point::testAcc);

        XYChart inefficiency = chart("(c) cold-start inefficiency", "t (L0 - Lt) / |θt - θ0|²", false);
        add(inefficiency, "measured", later, p -> p.time() * (loss0 - p.trainLoss()) / p.dist2());
        add(inefficiency, "speed limit = 1", List.of(later.get(0), later.get(later.size() - 1)), p -> 1.0);

        try {
            BitmapEncoder.saveBitmap(List.of(loss, accuracy, inefficiency), 1, 3, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static XYChart chart(String title, String yLabel, boolean logY) {
        XYChart chart = new XYChartBuilder().width(520).height(420).title(title).xAxisTitle(PaperFigures.TIME_AXIS).yAxisTitle(yLabel).build();
        XYStyler s = chart.getStyler();
        s.setXAxisLogarithmic(true);
        s.setYAxisLogarithmic(logY);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setMarkerSize(4);
        return chart;
    }

    private static void add(XYChart chart, String name, List<Point> rows, ToDoubleFunction<Point> y) {
        List<Point> finite = rows.stream().filter(r -> Double.isFinite(y.applyAsDouble(r))
                && (!chart.getStyler().isYAxisLogarithmic() || y.applyAsDouble(r) > 0)).toList();
        if (finite.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, finite.stream().mapToDouble(Point::time).toArray(),
                finite.stream().mapToDouble(y).toArray());
        series.setMarker(finite.size() > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }
}
