package org.speedlimits.ness;

/**
 * Minibatch SGD without replacement (Sec. 3.2, Eqs. B1–B2): each epoch a fresh uniformly random permutation of the
 * M examples, independent across epochs, cut into n = M/m consecutive batches, one SGD step
 * θ ← θ − η[(1/m) Σ_{i∈B} ∇ℓ_i(θ) + 2λθ] per batch. One unit = one epoch (the Markovian unit of Eq. 15); the
 * steps inside it can be watched with {@link #advance(double[], Rng, StepListener)}.
 */
public final class WorSgd implements Sampler {
    private final Minibatches batches;
    private final int steps;

    /** SGD without replacement; requires M % m == 0 so an epoch is exactly n = M/m batches (Eq. B1). */
    public WorSgd(NessModel model, double eta, int batch) {
        if (batch < 1 || model.examples() % batch != 0) {
            throw new IllegalArgumentException("without-replacement SGD needs the minibatch size m to divide M: M = "
                    + model.examples() + ", m = " + batch + " (Eq. B1: every example once per epoch of n = M/m steps)");
        }
        this.batches = new Minibatches(model, eta, batch);
        this.steps = model.examples() / batch;
    }

    @Override public void advance(double[] theta, Rng rng) {
        batches.shuffle(rng);
        for (int t = 0; t < steps; t++) batches.step(theta, t * batches.batch);
    }

    @Override public void advance(double[] theta, Rng rng, StepListener listener) {
        batches.shuffle(rng);
        for (int t = 0; t < steps; t++) {
            batches.step(theta, t * batches.batch);
            listener.afterStep(t + 1, theta);
        }
    }

    @Override public NessModel model() {
        return batches.model;
    }

    /** n = M/m. */
    @Override public int stepsPerUnit() {
        return steps;
    }

    @Override public WorSgd fresh() {
        return new WorSgd(batches.model, batches.eta, batches.batch);
    }

    @Override public int[] state() {
        return batches.state();
    }

    @Override public void restore(int[] state) {
        batches.restore(state);
    }

    /** The last epoch's permutation, slot k (tests). */
    int permutationSlot(int k) {
        return batches.slot(k);
    }

    @Override public String describe() {
        return "WorSgd " + batches.describe();
    }
}
