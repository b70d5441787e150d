package org.speedlimits.train;

/** Training produced a non-finite loss: the learning rate is too large for GD to follow gradient flow. */
public final class DivergenceException extends RuntimeException {
    private final long epoch;

    public DivergenceException(long epoch, double loss, double initialLoss, double lr) {
        super("training diverged at epoch " + epoch + ": train loss = " + loss + " (initial loss " + initialLoss
                + "). Hint: lr = " + lr + " is too large for gradient descent to stay close to gradient flow; "
                + "try a smaller train.lr (see hooks.lambda_max: lr * lambda_max should stay well below 2)");
        this.epoch = epoch;
    }

    public long epoch() {
        return epoch;
    }
}
