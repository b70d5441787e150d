package org.speedlimits.engine;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Puts theta into a network's flattened parameters, unless theta is that array already. */
final class Parameters {
    private Parameters() {
    }

    static void load(MultiLayerNetwork net, INDArray theta) {
        INDArray live = net.params();
        if (theta != live) {
            if (theta.length() != live.length()) {
                throw new IllegalArgumentException("theta has " + theta.length() + " entries, the network "
                        + live.length());
            }
            live.assign(theta.reshape(live.shape()));
        }
    }
}
