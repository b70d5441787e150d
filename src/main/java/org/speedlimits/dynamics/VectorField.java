package org.speedlimits.dynamics;

/** An autonomous ODE dy/dt = F(y) on R^n. */
public interface VectorField {
    int dimension();

    /** Writes F(y) into f (y is not modified). Every call is one evaluation (for a network: one full-batch gradient). */
    void evaluate(double[] y, double[] f);

    /** Rounds an accepted state to the precision the field computes in (float32 fields round each entry to float); default: nothing. */
    default void round(double[] y) { }
}
