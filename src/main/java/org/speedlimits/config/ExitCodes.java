package org.speedlimits.config;

/**
 * The process exit codes of every command, in one place (the CLI, sweep tasks, SLURM job scripts and the training
 * job all use these).
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** An unexpected error (a bug, I/O failure, out of memory). */
    public static final int FAILED = 1;
    /** Bad input: config, data, run directory or sweep errors; nothing was trained. */
    public static final int BAD_INPUT = 2;
    /** Training diverged (the loss grew past train.divergence_factor). */
    public static final int DIVERGED = 3;
    /** Stopped by SIGTERM/SIGINT after writing a checkpoint: rerun to resume (EX_TEMPFAIL). */
    public static final int STOPPED = 75;

    private ExitCodes() {
    }
}
