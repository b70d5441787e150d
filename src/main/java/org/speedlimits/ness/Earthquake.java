package org.speedlimits.ness;

import java.util.Arrays;

/**
 * The earthquake model (Sec. 4.5, Eq. 31): full-batch gradient descent on a randomly shifted landscape,
 * θ ← θ − η∇𝓛(θ + ζz) with z ~ N(0, I) fresh each step. Near a minimum it is equilibrium dynamics on
 * 𝓛^quake with Hessian H₀⁻¹ (Eqs. 32–34). One unit = one step; no internal state beyond θ and the rng.
 */
public final class Earthquake implements Sampler {
    private final NessModel model;
    private final double eta;
    private final double zeta;
    private final int[] all;
    private final double[] shifted;
    private final double[] grad;
    private final double invExamples;
    private final double twoLambda;

    public Earthquake(NessModel model, double eta, double zeta) {
        if (!(eta > 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("learning rate " + eta + " must be > 0");
        if (!(zeta >= 0) || Double.isInfinite(zeta)) throw new IllegalArgumentException("noise magnitude zeta " + zeta + " must be >= 0");
        this.model = model;
        this.eta = eta;
        this.zeta = zeta;
        int m = model.examples();
        this.all = new int[m];
        for (int i = 0; i < m; i++) all[i] = i;
        this.shifted = new double[model.parameters()];
        this.grad = new double[model.parameters()];
        this.invExamples = 1.0 / m;
        this.twoLambda = 2 * model.lambda();
    }

    @Override public void advance(double[] theta, Rng rng) {
        int n = theta.length;
        for (int a = 0; a < n; a++) shifted[a] = theta[a] + zeta * rng.nextGaussian();
        Arrays.fill(grad, 0);
        // ∇𝓛 at the shifted point: (1/M) Σ ∇ℓ_i + 2λ(θ + ζz); the model's gradient() would allocate per call
        model.addExampleGradients(shifted, all, 0, all.length, invExamples, grad);
        for (int a = 0; a < n; a++) theta[a] -= eta * (grad[a] + twoLambda * shifted[a]);
    }

    @Override public NessModel model() {
        return model;
    }

    @Override public int stepsPerUnit() {
        return 1;
    }

    @Override public Earthquake fresh() {
        return new Earthquake(model, eta, zeta);
    }

    @Override public int[] state() {
        return new int[0];
    }

    @Override public void restore(int[] state) {
        if (state.length != 0) throw new IllegalArgumentException("the earthquake sampler has no internal state");
    }

    @Override public String describe() {
        return "Earthquake eta=" + eta + " zeta=" + zeta + " M=" + model.examples() + " N=" + model.parameters()
                + " lambda=" + model.lambda();
    }
}
