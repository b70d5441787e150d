package org.speedlimits.ness;

/**
 * A stochastic training dynamics of paper 003 acting on θ in place, one natural unit at a time: one SGD step for
 * the with-replacement family ({@link WrSgd}, {@link Sgld}, {@link Earthquake}), one epoch of n = M/m steps for the
 * without-replacement family ({@link WorSgd}, {@link SgWorld}) — the units in which each is Markovian (Sec. 3.1,
 * 3.2) and in which the stationary theory is written.
 *
 * <p>A sampler holds scratch arrays and, where the algorithm has one, a random internal arrangement (the index array
 * of the minibatch draws), so each chain needs its own instance ({@link #fresh()}); the {@link NessModel} is shared.
 * Everything random comes from the {@link Rng} passed in, so (θ, rng state, {@link #state()}) determines the future.
 */
public interface Sampler {
    /** The model trained. */
    NessModel model();

    /** SGD steps in one unit: 1, or n = M/m for the epoch samplers. */
    int stepsPerUnit();

    /** Advances θ (length N) by one unit in place. */
    void advance(double[] theta, Rng rng);

    /**
     * Advances θ by one unit, calling {@code steps} with θ after each of its SGD steps (t = 1 … {@link
     * #stepsPerUnit()}; for SGLD after the step's noise, for SGWORLD before the epoch's noise and correction); for
     * one-step samplers this is {@link #advance(double[], Rng)} followed by one call.
     */
    default void advance(double[] theta, Rng rng, StepListener steps) {
        advance(theta, rng);
        steps.afterStep(1, theta);
    }

    /** A new sampler with the same settings, in the initial internal state, sharing the model. */
    Sampler fresh();

    /** The internal state beyond θ and the rng (the minibatch index arrangement; empty if none), a copy. */
    int[] state();

    /** Restores a {@link #state()}; throws IllegalArgumentException if it cannot be this sampler's. */
    void restore(int[] state);

    /** Settings in one line (class, η, m, …); checkpoints store it and refuse to resume under another. */
    String describe();

    /** Called after each SGD step inside a unit (e.g. the per-step loss of Fig. 1C for WOR as for WR). */
    @FunctionalInterface
    interface StepListener {
        /** θ after step t (1-based) of the current unit; θ must not be modified or kept. */
        void afterStep(int t, double[] theta);
    }
}
