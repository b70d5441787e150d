package org.speedlimits.dynamics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-step path length of the flow against closed forms. */
class GradientFlowTest {
    /** Decay y = e^{-lambda t} along one axis: the path is straight, its length y_0 - y_1, whatever the speed does. */
    @Test
    void stepLengthOfAFastDecayIsItsStraightLength() {
        double lambda = 1.0, h = 1.0; // h lambda = 1: the speed falls by e within the step
        double y1 = Math.exp(-lambda * h);
        double len = GradientFlow.stepLength(h, new double[]{1}, new double[]{-lambda}, new double[]{y1},
                new double[]{-lambda * y1}, null);
        assertEquals(1 - y1, len, 1e-15, "the chord floor makes a straight path exact");
        // the trapezoid rule of the speed, the earlier quadrature, is 8% too long here (the negative control)
        double trapezoid = 0.5 * h * (lambda + lambda * y1);
        assertTrue(trapezoid > 1.08 * (1 - y1), "trapezoid " + trapezoid);
    }

    /** A quarter circle in 4 steps of angle pi/8 at unit speed: arc length pi/2, chords 1.3% short. */
    @Test
    void stepLengthFollowsACurvedPath() {
        int steps = 4;
        double h = Math.PI / 2 / steps, total = 0, chords = 0;
        for (int k = 0; k < steps; k++) {
            double a = k * h, b = a + h;
            double[] y0 = {Math.cos(a), Math.sin(a)}, f0 = {-Math.sin(a), Math.cos(a)};
            double[] y1 = {Math.cos(b), Math.sin(b)}, f1 = {-Math.sin(b), Math.cos(b)};
            total += GradientFlow.stepLength(h, y0, f0, y1, f1, null);
            chords += Math.hypot(y1[0] - y0[0], y1[1] - y0[1]);
        }
        assertEquals(Math.PI / 2, total, 1e-4 * Math.PI / 2, "Hermite + Gauss: 3e-5 here, 300x better than the chords");
        assertTrue(Math.PI / 2 - chords > 5e-3, "the chords alone are too short (so the interpolant is used)");
    }

    /** The metric weights the coordinates: weight 4 on the x axis doubles a move along it. */
    @Test
    void stepLengthUsesTheMetric() {
        double len = GradientFlow.stepLength(1, new double[]{0, 0}, new double[]{1, 0}, new double[]{1, 0},
                new double[]{1, 0}, new double[]{4, 1});
        assertEquals(2, len, 1e-14);
    }
}
