package org.speedlimits.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.config.ExperimentConfig.LossNormalization;

/**
 * The one definition of the training loss used everywhere in this project (metrics, gradients, theory):
 * <pre>
 *   mean (default): L(theta) = 1/(2n) * sum_i |f(x_i) - y_i|^2
 *   sum:            L(theta) = 1/2    * sum_i |f(x_i) - y_i|^2
 * </pre>
 * with |.| the Euclidean norm over the K outputs. Both are {@code factor(n) * S} for the summed squared error S,
 * and DL4J's summed L2 loss has gradient grad S, so grad L = factor(n) * grad S exactly.
 */
public record SquaredErrorLoss(LossNormalization normalization) {

    /** c with L = c * sum_i |f_i - y_i|^2. */
    public double factor(long n) {
        return normalization == LossNormalization.MEAN ? 1.0 / (2.0 * n) : 0.5;
    }

    /** L for a whole set of outputs f and targets y (rows = examples), in double precision. */
    public double value(INDArray outputs, INDArray targets) {
        INDArray diff = outputs.castTo(DataType.DOUBLE).sub(targets.castTo(DataType.DOUBLE));
        return factor(outputs.size(0)) * diff.mul(diff).sumNumber().doubleValue();
    }
}
