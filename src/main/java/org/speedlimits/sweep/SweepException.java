package org.speedlimits.sweep;

/** A problem with an experiment (sweep) file, its sweep folder or the batch system, reported before any work starts. */
public final class SweepException extends RuntimeException {
    public SweepException(String message) {
        super(message);
    }

    public SweepException(String message, Throwable cause) {
        super(message, cause);
    }
}
