package org.speedlimits.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Appends one row per epoch to metrics.csv and flushes it, so a running or killed job leaves a readable file.
 * Numbers are written with {@link Double#toString}, which round-trips exactly; skipped test values are empty.
 * Wall-clock time is deliberately not a column: two runs with the same seed give byte-identical files.
 */
public final class MetricsWriter implements EpochListener, AutoCloseable {
    public static final String HEADER =
            "epoch,time,train_loss,train_acc,test_loss,test_acc,grad_norm2,dist2_init";

    private final BufferedWriter out;

    public MetricsWriter(Path file) {
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write(HEADER);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void onEpoch(EpochContext context) {
        EpochRecord r = context.record();
        try {
            out.write(r.epoch() + "," + r.time() + "," + r.trainLoss() + "," + r.trainAccuracy() + ","
                    + optional(r.testLoss()) + "," + optional(r.testAccuracy()) + "," + r.gradNormSquared() + ","
                    + r.distanceSquaredFromInit());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to metrics.csv", e);
        }
    }

    @Override
    public void onEnd(EpochContext last) {
        close();
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String optional(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }
}
