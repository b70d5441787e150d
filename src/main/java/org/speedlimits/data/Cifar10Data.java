package org.speedlimits.data;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Raw CIFAR-10 subsets as read from disk: pixel values 0-255 (not yet scaled) in NCHW layout [n, 3, 32, 32], the
 * labels 0-9, and the class names of batches.meta.txt (empty if that file is absent).
 */
public record Cifar10Data(INDArray trainX, int[] trainLabels, INDArray testX, int[] testLabels, List<String> classNames) {

    public int trainSize() {
        return trainLabels.length;
    }

    public int testSize() {
        return testLabels.length;
    }
}
