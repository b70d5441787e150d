package org.speedlimits.ness;

/** A vector field θ ↦ F(θ) on parameter space (a gradient, a drift, a landscape correction). */
@FunctionalInterface
public interface Field {
    /** Writes F(θ) into {@code out} (length N); must not keep references to either array. */
    void at(double[] theta, double[] out);
}
