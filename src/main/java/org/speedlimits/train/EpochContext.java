package org.speedlimits.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.model.Network;

/**
 * What a hook sees at one epoch: the measured record, the network at theta_epoch, grad L(theta_epoch) (flattened in
 * theta's order, in the loss convention of the run) and the learning rate.
 */
public record EpochContext(EpochRecord record, Network network, INDArray gradient, double lr) {
    /** theta_epoch: the network's live flattened parameters (read only). */
    public INDArray theta() {
        return network.net().params();
    }

    public long epoch() {
        return record.epoch();
    }
}
