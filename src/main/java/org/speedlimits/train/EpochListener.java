package org.speedlimits.train;

/** Called by the trainer once per epoch, after measuring theta_epoch and before stepping to theta_{epoch+1}. */
@FunctionalInterface
public interface EpochListener {
    void onEpoch(EpochRecord record);

    /** Called once after the last epoch's record (flush, close, plot). */
    default void onEnd() {
    }
}
