package org.speedlimits.train;

/** Training produced a non-finite loss: the learning rate is too large for GD to follow gradient flow. */
public final class DivergenceException extends RuntimeException {
    public DivergenceException(long epoch, double loss, double lr) {
        super("training diverged at epoch " + epoch + ": train loss = " + loss + ". Hint: lr = " + lr
                + " is too large for gradient descent to stay close to gradient flow; try a smaller train.lr");
    }
}
