package org.speedlimits.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * L(theta), the accuracy and grad L(theta) over one data split. The gradient is flattened in theta's (DL4J's) order,
 * in the network's dtype, and null where only the loss was computed (a test split).
 */
public record Evaluation(double loss, double accuracy, INDArray gradient) {
}
