package org.speedlimits.ness;

/**
 * Minibatch SGD with replacement (Sec. 3.1, Eq. A1): each step draws a fresh set B_t of m distinct examples,
 * independent of all earlier steps, and sets θ ← θ − η[(1/m) Σ_{i∈B_t} ∇ℓ_i(θ) + 2λθ]. One unit = one step.
 */
public final class WrSgd implements Sampler {
    private final Minibatches batches;

    /** SGD with learning rate η and minibatch size m (1 ≤ m ≤ M). */
    public WrSgd(NessModel model, double eta, int batch) {
        this.batches = new Minibatches(model, eta, batch);
    }

    /** One SGD step. */
    public void step(double[] theta, Rng rng) {
        batches.drawBatch(rng);
        batches.step(theta, 0);
    }

    @Override public void advance(double[] theta, Rng rng) {
        step(theta, rng);
    }

    @Override public NessModel model() {
        return batches.model;
    }

    @Override public int stepsPerUnit() {
        return 1;
    }

    @Override public WrSgd fresh() {
        return new WrSgd(batches.model, batches.eta, batches.batch);
    }

    @Override public int[] state() {
        return batches.state();
    }

    @Override public void restore(int[] state) {
        batches.restore(state);
    }

    /** The last batch drawn, slots 0..m−1 (tests). */
    int batchSlot(int k) {
        return batches.slot(k);
    }

    @Override public String describe() {
        return "WrSgd " + batches.describe();
    }
}
