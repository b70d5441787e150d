package org.speedlimits.train;

import org.speedlimits.io.EpochCsv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * metrics.csv: the trainer's core columns, each measure's columns, the cost columns and the dynamics' own, one
 * row per recorded time, flushed as it goes.
 * There is deliberately no wall-clock column: identical runs give byte-identical files.
 */
public final class MetricsWriter implements EpochListener, AutoCloseable {
    public static final List<String> CORE_COLUMNS =
            List.of("epoch", "time", "train_loss", "train_acc", "test_loss", "test_acc", "grad_norm2", "dist2_init",
                    "path_length");
    /** After the measures' columns: the cost and the steps of the dynamics, then the dynamics' own columns. */
    public static final List<String> COST_COLUMNS = List.of("grad_evals", "steps");

    private final EpochCsv csv;

    private MetricsWriter(EpochCsv csv) {
        this.csv = csv;
    }

    public static String header(List<Measure> measures, List<String> dynamicsColumns) {
        List<String> columns = new ArrayList<>(CORE_COLUMNS);
        measures.forEach(m -> columns.addAll(m.columns()));
        columns.addAll(COST_COLUMNS);
        columns.addAll(dynamicsColumns);
        return String.join(",", columns);
    }

    /** A fresh metrics.csv, or (fromEpoch > 0) the existing one cut back to the rows before fromEpoch. */
    public static MetricsWriter open(Path file, List<Measure> measures, List<String> dynamicsColumns, long fromEpoch) {
        String header = header(measures, dynamicsColumns);
        return new MetricsWriter(fromEpoch == 0 ? EpochCsv.create(file, header) : EpochCsv.resume(file, header, fromEpoch));
    }

    @Override
    public void onEpoch(EpochContext context) {
        EpochRecord r = context.record();
        double[] core = {r.time(), r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(),
                r.gradNormSquared(), r.distanceSquaredFromInit(), r.pathLength()};
        List<String> cells = new ArrayList<>();
        for (double v : core) {
            cells.add(EpochCsv.format(v));
        }
        for (double v : r.extras()) {
            cells.add(EpochCsv.format(v));
        }
        cells.add(Long.toString(r.gradEvals()));
        cells.add(Long.toString(r.steps()));
        for (double v : r.dynamicsValues()) {
            cells.add(EpochCsv.format(v));
        }
        csv.row(r.epoch(), cells);
    }

    @Override
    public void onEnd(EpochContext last) {
        close();
    }

    @Override
    public void close() {
        csv.close();
    }
}
