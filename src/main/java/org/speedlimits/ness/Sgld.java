package org.speedlimits.ness;

/**
 * Stochastic gradient Langevin dynamics, as in Fig. 5 (left) with fixed η: a with-replacement SGD step
 * ({@link WrSgd}), then θ ← θ + √(2η)·z with z ~ N(0, I). Its Fokker–Planck matrices are μ' = ηI,
 * D' = ηI + D (Eq. 37). One unit = one step.
 */
public final class Sgld implements Sampler {
    private final WrSgd sgd;
    private final double eta;
    private final int batch;
    private final double noise;
    private final int n;

    public Sgld(NessModel model, double eta, int batch) {
        this.sgd = new WrSgd(model, eta, batch);
        this.eta = eta;
        this.batch = batch;
        this.noise = Math.sqrt(2 * eta);
        this.n = model.parameters();
    }

    @Override public void advance(double[] theta, Rng rng) {
        sgd.step(theta, rng);
        rng.addGaussian(theta, n, noise);
    }

    @Override public NessModel model() {
        return sgd.model();
    }

    @Override public int stepsPerUnit() {
        return 1;
    }

    @Override public Sgld fresh() {
        return new Sgld(sgd.model(), eta, batch);
    }

    @Override public int[] state() {
        return sgd.state();
    }

    @Override public void restore(int[] state) {
        sgd.restore(state);
    }

    @Override public String describe() {
        return "Sgld " + sgd.describe().substring("WrSgd ".length());
    }
}
