package org.speedlimits.dynamics;

import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.engine.Evaluation;

import java.util.List;
import java.util.Map;

/**
 * How theta moves in physical time t: fixed-step gradient descent ({@code gd}, t = lr * steps) or integrated gradient
 * flow ({@code flow}). The trainer records theta at row times and asks the dynamics to carry it from one row to the
 * next; everything a dynamics needs to continue exactly after a resume is in {@link #state()}, stored with each
 * checkpoint.
 */
public interface Dynamics {
    /** The key of l_gamma in {@link #state()} (the checkpoint's state maps), the same for every dynamics. */
    String PATH_LENGTH = "path_length";

    /** gd or flow, as in train.dynamics. */
    String name();

    /**
     * Moves the objective's theta from time {@code from} to exactly {@code to}.
     *
     * @param atFrom the evaluation at theta(from)
     * @return the evaluation at theta(to)
     */
    Evaluation advance(Objective objective, double from, double to, Evaluation atFrom);

    /** Accepted steps since t = 0. */
    long steps();

    /** l_gamma(t) = integral of |d theta/dt| dt since t = 0, in the parameterisation's metric. */
    double pathLength();

    /** Columns this dynamics adds to metrics.csv (after grad_evals and steps), fixed for the run. */
    default List<String> columns() {
        return List.of();
    }

    /** Their values now. */
    default double[] values() {
        return new double[0];
    }

    /** One line for the run log: what the dynamics did so far. */
    default String summary() {
        return name() + ": " + steps() + " steps";
    }

    /** Everything needed to continue bit-identically from the current row. */
    Map<String, Double> state();

    void restore(Map<String, Double> state);

    /** The dynamics train.dynamics names. */
    static Dynamics of(ExperimentConfig.Train config) {
        return switch (config.dynamics()) {
            case GD -> new GradientDescent(config.lr());
            case FLOW -> new GradientFlow(config.rtol(), config.atol());
        };
    }
}
