package org.speedlimits.train;

/**
 * A hook called by the trainer once per epoch, after measuring theta_epoch and before stepping to theta_{epoch+1}.
 * Hooks must not modify the network's parameters.
 */
@FunctionalInterface
public interface EpochListener {
    void onEpoch(EpochContext context);

    /** Called once after the last epoch (flush, close, plot). Not called when training stops early. */
    default void onEnd(EpochContext last) {
    }
}
