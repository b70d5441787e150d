package org.speedlimits.ness;

import java.util.Arrays;

/**
 * The minibatch machinery both SGD variants share: the persistent index array from which batches are drawn, and
 * the SGD step of Eq. (A1)/(B2), θ ← θ − η[(1/m) Σ_{i∈B} ∇ℓ_i(θ) + 2λθ]. With replacement (Sec. 3.1) a batch is
 * a partial Fisher–Yates shuffle of the first m slots (m distinct indices, a fresh uniform draw every step whatever
 * the array's arrangement); without replacement (Sec. 3.2, Eq. B1) an epoch is a full Fisher–Yates shuffle cut into
 * n = M/m consecutive batches. The arrangement left behind is state: the next draw reads it.
 */
final class Minibatches {
    final NessModel model;
    final double eta;
    final int batch;
    private final int examples;
    private final int[] index;
    private final double[] grad;
    private final double invBatch;
    private final double twoLambda;

    Minibatches(NessModel model, double eta, int batch) {
        if (!(eta > 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("learning rate " + eta + " must be > 0");
        this.examples = model.examples();
        if (batch < 1 || batch > examples) {
            throw new IllegalArgumentException("minibatch size " + batch + " not in 1.." + examples + " (M)");
        }
        this.model = model;
        this.eta = eta;
        this.batch = batch;
        this.index = new int[examples];
        for (int i = 0; i < examples; i++) index[i] = i;
        this.grad = new double[model.parameters()];
        this.invBatch = 1.0 / batch;
        this.twoLambda = 2 * model.lambda();
    }

    /** Puts m distinct uniformly random indices into slots 0..m−1 (partial Fisher–Yates). */
    void drawBatch(Rng rng) {
        int[] idx = index;
        for (int k = 0; k < batch; k++) {
            int j = k + rng.nextInt(examples - k);
            int t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
        }
    }

    /** A uniformly random permutation of the whole array (Fisher–Yates): one WOR epoch's batches. */
    void shuffle(Rng rng) {
        int[] idx = index;
        for (int k = examples - 1; k > 0; k--) {
            int j = rng.nextInt(k + 1);
            int t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
        }
    }

    /** One SGD step on the batch in slots from..from+m−1. */
    void step(double[] theta, int from) {
        double[] g = grad;
        Arrays.fill(g, 0);
        model.addExampleGradients(theta, index, from, from + batch, invBatch, g);
        double e = eta, r = twoLambda;
        for (int a = 0; a < g.length; a++) theta[a] -= e * (g[a] + r * theta[a]);
    }

    /** Index at slot k (tests, diagnostics). */
    int slot(int k) {
        return index[k];
    }

    int[] state() {
        return index.clone();
    }

    void restore(int[] state) {
        if (state.length != examples) {
            throw new IllegalArgumentException("index state has " + state.length + " entries, M = " + examples);
        }
        boolean[] seen = new boolean[examples];
        for (int i : state) {
            if (i < 0 || i >= examples || seen[i]) throw new IllegalArgumentException("index state is not a permutation of 0.." + (examples - 1));
            seen[i] = true;
        }
        System.arraycopy(state, 0, index, 0, examples);
    }

    String describe() {
        return "eta=" + eta + " m=" + batch + " M=" + examples + " N=" + model.parameters() + " lambda=" + model.lambda();
    }
}
