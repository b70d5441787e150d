package org.speedlimits.dynamics;

import org.speedlimits.engine.Evaluation;
import org.speedlimits.model.Parameterization;

import java.util.HashMap;
import java.util.Map;

/**
 * Full-batch gradient descent theta <- theta - lr * S * grad L(theta): one step per lr of physical time. It
 * approximates gradient flow only while lr * lambda_max << 1: one step gives t * Delta L / |Delta theta|^2 =
 * 1 - lr g^T H g / (2 |g|^2) + O(lr^2), below the speed limit's 1. The path length is the polygon's,
 * sum lr * |grad L|.
 */
public final class GradientDescent implements Dynamics {
    public static final String STEPS = "steps";
    private final double lr;
    private long steps;
    private double pathLength;

    public GradientDescent(double lr) {
        this.lr = lr;
    }

    @Override
    public String name() {
        return "gd";
    }

    @Override
    public Evaluation advance(Objective objective, double from, double to, Evaluation atFrom) {
        long n = Math.round((to - from) / lr);
        if (n < 1 || Math.abs(n * lr - (to - from)) > 1e-6 * lr) {
            throw new IllegalArgumentException("gd moves in whole steps of lr = " + lr + "; cannot go from t = "
                    + from + " to " + to);
        }
        Parameterization p = objective.parameterization();
        Evaluation e = atFrom;
        for (long i = 0; i < n; i++) {
            // the step from theta_k has length lr * |grad L| in the parameterisation's metric
            pathLength = pathLength + lr * Math.sqrt(p.gradientNormSquared(e.gradient()));
            objective.theta().addi(p.step(e.gradient(), lr));
            steps++;
            e = objective.evaluate();
        }
        return e;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public double pathLength() {
        return pathLength;
    }

    @Override
    public Map<String, Double> state() {
        Map<String, Double> state = new HashMap<>();
        state.put(PATH_LENGTH, pathLength);
        state.put(STEPS, (double) steps);
        return state;
    }

    @Override
    public void restore(Map<String, Double> state) {
        pathLength = state.getOrDefault(PATH_LENGTH, 0.0);
        steps = state.getOrDefault(STEPS, 0.0).longValue();
    }
}
