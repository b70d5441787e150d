package org.speedlimits.ness;

/**
 * SGWORLD, Fig. 5 (right): one epoch of SGD without replacement ({@link WorSgd}), then θ ← θ + √(2ηn)·z
 * (z ~ N(0, I), the n per-step Langevin kicks of SGLD in one), then θ ← θ + η·F(θ_{τ}) with F = ∇δ𝓛 evaluated
 * at the epoch's starting point θ_τ = θ_{t−n}: it cancels the O(η) perturbation δ𝓛 of the WOR effective
 * landscape 𝓛̂ = n𝓛 + δ𝓛 (Eq. 16), so the epoch-to-epoch drift is that of n𝓛 (Eqs. 38, 47). Without the
 * correction ({@link #uncorrected}) it is the green curve of Fig. 6. One unit = one epoch.
 *
 * <p>The caller supplies F (the theory package computes ∇δ𝓛); any {@link Field} works, which tests use.
 */
public final class SgWorld implements Sampler {
    private final WorSgd epoch;
    private final double eta;
    private final int batch;
    private final Field correction;
    private final double noise;
    private final double[] start;
    private final double[] force;

    private SgWorld(NessModel model, double eta, int batch, Field correction) {
        this.epoch = new WorSgd(model, eta, batch);
        this.eta = eta;
        this.batch = batch;
        this.correction = correction;
        this.noise = Math.sqrt(2 * eta * epoch.stepsPerUnit());
        int n = model.parameters();
        this.start = correction == null ? null : new double[n];
        this.force = correction == null ? null : new double[n];
    }

    /** SGWORLD with the landscape correction F = ∇δ𝓛 (Fig. 5, last line). */
    public static SgWorld corrected(NessModel model, double eta, int batch, Field gradDeltaL) {
        if (gradDeltaL == null) throw new IllegalArgumentException("SGWORLD needs the correction field ∇δL");
        return new SgWorld(model, eta, batch, gradDeltaL);
    }

    /** SGWORLD without the correction: a WOR epoch plus the √(2ηn) kick only. */
    public static SgWorld uncorrected(NessModel model, double eta, int batch) {
        return new SgWorld(model, eta, batch, null);
    }

    @Override public void advance(double[] theta, Rng rng) {
        if (correction != null) System.arraycopy(theta, 0, start, 0, theta.length);
        epoch.advance(theta, rng);
        finish(theta, rng);
    }

    @Override public void advance(double[] theta, Rng rng, StepListener steps) {
        if (correction != null) System.arraycopy(theta, 0, start, 0, theta.length);
        epoch.advance(theta, rng, steps);
        finish(theta, rng);
    }

    /** The end-of-epoch noise and correction. */
    private void finish(double[] theta, Rng rng) {
        rng.addGaussian(theta, theta.length, noise);
        if (correction != null) {
            correction.at(start, force);
            for (int a = 0; a < theta.length; a++) theta[a] += eta * force[a];
        }
    }

    @Override public NessModel model() {
        return epoch.model();
    }

    /** n = M/m. */
    @Override public int stepsPerUnit() {
        return epoch.stepsPerUnit();
    }

    @Override public SgWorld fresh() {
        return new SgWorld(epoch.model(), eta, batch, correction);
    }

    @Override public int[] state() {
        return epoch.state();
    }

    @Override public void restore(int[] state) {
        epoch.restore(state);
    }

    @Override public String describe() {
        return "SgWorld " + (correction == null ? "uncorrected " : "corrected ")
                + epoch.describe().substring("WorSgd ".length());
    }
}
