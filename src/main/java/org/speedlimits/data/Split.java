package org.speedlimits.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Inputs x (n x 3 x 32 x 32) and regression targets y (n x K) of one data split. */
public record Split(INDArray x, INDArray y) {
    public Split {
        if (x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("inputs have " + x.size(0) + " rows but targets " + y.size(0));
        }
    }

    public long size() {
        return x.size(0);
    }
}
