package org.speedlimits.train;

import org.speedlimits.io.EpochCsv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * metrics.csv: the trainer's core columns then each measure's columns, one row per epoch, flushed as it goes.
 * There is deliberately no wall-clock column: identical runs give byte-identical files.
 */
public final class MetricsWriter implements EpochListener, AutoCloseable {
    public static final List<String> CORE_COLUMNS =
            List.of("epoch", "time", "train_loss", "train_acc", "test_loss", "test_acc", "grad_norm2", "dist2_init");

    private final EpochCsv csv;

    private MetricsWriter(EpochCsv csv) {
        this.csv = csv;
    }

    public static String header(List<Measure> measures) {
        List<String> columns = new ArrayList<>(CORE_COLUMNS);
        measures.forEach(m -> columns.addAll(m.columns()));
        return String.join(",", columns);
    }

    /** A fresh metrics.csv, or (fromEpoch > 0) the existing one cut back to the rows before fromEpoch. */
    public static MetricsWriter open(Path file, List<Measure> measures, long fromEpoch) {
        String header = header(measures);
        return new MetricsWriter(fromEpoch == 0 ? EpochCsv.create(file, header) : EpochCsv.resume(file, header, fromEpoch));
    }

    @Override
    public void onEpoch(EpochContext context) {
        EpochRecord r = context.record();
        double[] core = {r.time(), r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(),
                r.gradNormSquared(), r.distanceSquaredFromInit()};
        double[] extra = r.extras();
        double[] all = java.util.Arrays.copyOf(core, core.length + extra.length);
        System.arraycopy(extra, 0, all, core.length, extra.length);
        csv.row(r.epoch(), all);
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
