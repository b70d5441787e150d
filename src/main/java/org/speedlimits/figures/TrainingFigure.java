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
import org.speedlimits.train.EpochRecord;

import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The run's overview figure (training.png): (a) train/test loss, (b) train/test accuracy and (c) the cold-start
 * speed-limit inefficiency t (L_0 - L_t) / |theta_t - theta_0|^2, each against epoch on a log axis.
 */
public final class TrainingFigure implements EpochListener {
    private final Path file;
    private final List<EpochRecord> records = new ArrayList<>();

    public TrainingFigure(Path file) {
        this.file = file;
    }

    @Override
    public void onEpoch(EpochContext context) {
        records.add(context.record());
    }

    @Override
    public void onEnd(EpochContext last) {
        write(records, file);
    }

    public static void write(List<EpochRecord> records, Path file) {
        if (records.size() < 2) {
            return; // nothing to draw for a 0-epoch run
        }
        double loss0 = records.get(0).trainLoss();
        List<EpochRecord> later = records.subList(1, records.size()); // epoch 0 has no place on a log axis
        List<EpochRecord> tested = later.stream().filter(EpochRecord::hasTest).toList();

        XYChart loss = chart("(a) loss", "loss L (MSE, 1/2n convention)", false);
        add(loss, "train", later, EpochRecord::trainLoss);
        add(loss, "test", tested, EpochRecord::testLoss);

        XYChart accuracy = chart("(b) accuracy", "accuracy", false);
        add(accuracy, "train", later, EpochRecord::trainAccuracy);
        add(accuracy, "test", tested, EpochRecord::testAccuracy);

        XYChart inefficiency = chart("(c) cold-start inefficiency", "t (L0 - Lt) / |θt - θ0|²", false);
        add(inefficiency, "measured", later, r -> r.time() * (loss0 - r.trainLoss()) / r.distanceSquaredFromInit());
        add(inefficiency, "speed limit = 1", List.of(later.get(0), later.get(later.size() - 1)), r -> 1.0);

        try {
            BitmapEncoder.saveBitmap(List.of(loss, accuracy, inefficiency), 1, 3, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static XYChart chart(String title, String yLabel, boolean logY) {
        XYChart chart = new XYChartBuilder().width(520).height(420).title(title).xAxisTitle("epoch").yAxisTitle(yLabel).build();
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

    private static void add(XYChart chart, String name, List<EpochRecord> rows, ToDoubleFunction<EpochRecord> y) {
        List<EpochRecord> finite = rows.stream().filter(r -> Double.isFinite(y.applyAsDouble(r))
                && (!chart.getStyler().isYAxisLogarithmic() || y.applyAsDouble(r) > 0)).toList();
        if (finite.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, finite.stream().mapToDouble(EpochRecord::epoch).toArray(),
                finite.stream().mapToDouble(y).toArray());
        series.setMarker(finite.size() > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }
}
