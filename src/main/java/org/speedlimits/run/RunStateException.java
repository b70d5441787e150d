package org.speedlimits.run;

/** A run directory that cannot be continued as asked (damaged checkpoints, changed columns or model); exit code 2. */
public final class RunStateException extends RuntimeException {
    public RunStateException(String message) {
        super(message);
    }
}
