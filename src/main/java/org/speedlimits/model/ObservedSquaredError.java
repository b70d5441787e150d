package org.speedlimits.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

/**
 * DL4J's summed squared error (score sum_i |f_i - y_i|^2, gradient 2(f - y) per example, no averaging) that also
 * records the squared error and the number of correct argmax predictions of the outputs it differentiates.
 *
 * <p>Why: the trainer needs train loss and accuracy at theta_t every epoch; reading them off the backward pass saves
 * a second forward pass over the whole training set (a third of an epoch's cost). The trainer normalises the sum
 * itself ({@link org.speedlimits.model.SquaredErrorLoss}), so this class only ever sums.
 */
public class ObservedSquaredError extends LossL2 {
    @JsonIgnore
    private transient double squaredError;
    @JsonIgnore
    private transient long correct;
    @JsonIgnore
    private transient long examples;

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray output = activationFn.getActivation(preOutput.dup(), false);
        squaredError += sumOfSquares(output.sub(labels));
        correct += correctPredictions(output, labels);
        examples += labels.size(0);
        return super.computeGradient(labels, preOutput, activationFn, mask);
    }

    /** sum of the squared elements of a difference f - y, accumulated in double precision. */
    public static double sumOfSquares(INDArray diff) {
        INDArray diff64 = diff.castTo(DataType.DOUBLE);
        return diff64.mul(diff64).sumNumber().doubleValue();
    }

    /** Rows (examples) whose largest output is where their target is largest. */
    public static long correctPredictions(INDArray outputs, INDArray targets) {
        return outputs.argMax(1).eq(targets.argMax(1)).castTo(DataType.LONG).sumNumber().longValue();
    }

    /** Clears the counters; call before each pass over the data. */
    public void reset() {
        squaredError = 0;
        correct = 0;
        examples = 0;
    }

    /** sum over observed examples of |f_i - y_i|^2, in double precision. */
    public double squaredError() {
        return squaredError;
    }

    public long correct() {
        return correct;
    }

    public long examples() {
        return examples;
    }
}
