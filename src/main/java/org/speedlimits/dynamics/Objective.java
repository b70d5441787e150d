package org.speedlimits.dynamics;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.engine.Evaluation;
import org.speedlimits.model.Parameterization;

/**
 * What a dynamics moves: theta (the network's live flat parameters), the full-batch loss and its gradient at
 * theta, and the parameterisation (S = lrScale in the update, the metric of distances). Minibatch dynamics
 * (paper 003) will add an evaluation over a subset of examples here; their random streams live in the dynamics'
 * own state.
 */
public interface Objective {
    /** The live parameter vector; a dynamics writes the new theta into it. */
    INDArray theta();

    Parameterization parameterization();

    /** L, training accuracy and grad L at the current theta: one gradient evaluation, counted by the caller. */
    Evaluation evaluate();
}
