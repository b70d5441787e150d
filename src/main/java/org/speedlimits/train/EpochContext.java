package org.speedlimits.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.model.Network;

/**
 * What a hook sees at one row: the measured record, the network at theta_t, grad L(theta_t) (flattened in theta's
 * order, in the loss convention of the run), the learning rate and whether the dynamics is gradient flow (then lr
 * is only the time unit).
 */
public record EpochContext(EpochRecord record, Network network, INDArray gradient, double lr, boolean flow) {
    /** theta_t: the network's live flattened parameters (read only). */
    public INDArray theta() {
        return network.net().params();
    }

    public long epoch() {
        return record.epoch();
    }
}
