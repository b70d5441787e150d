package org.speedlimits.train;

import java.util.List;
import java.util.Map;

/**
 * A per-epoch measurement that adds columns to metrics.csv. The trainer calls {@link #measure} at every epoch, in
 * order, before the epoch listeners; NaN means "not measured this epoch" (an empty cell).
 */
public interface Measure {
    /** Column names, fixed for the whole run. */
    List<String> columns();

    /** One value per column for theta_epoch. */
    double[] measure(EpochContext context);

    /** State to store with a checkpoint of theta_epoch, so a resumed run continues exactly (e.g. accumulators). */
    default Map<String, Double> stateAt(long epoch) {
        return Map.of();
    }

    /** Restores {@link #stateAt} before measuring {@code epoch} again after a resume. */
    default void restore(long epoch, Map<String, Double> state) {
    }
}
