package org.speedlimits.run;

import org.speedlimits.config.ExitCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Turns SIGTERM (SLURM's pre-emption/time-limit signal) and SIGINT (Ctrl-C) into a request the trainer checks after
 * each GD step, so it can finish the step, checkpoint and exit with {@link ExitCodes#STOPPED} instead of dying mid-write.
 */
public final class StopSignal implements BooleanSupplier {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignal.class);
    private final AtomicBoolean requested = new AtomicBoolean();

    /** Installs the handlers (replacing the JVM's default ones for TERM and INT). */
    public static StopSignal install() {
        StopSignal stop = new StopSignal();
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                    LOG.warn("SIG{} received: finishing the current step, then checkpointing and exiting with code {}",
                            name, ExitCodes.STOPPED);
                    stop.requested.set(true);
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return stop;
    }

    public void request() {
        requested.set(true);
    }

    @Override
    public boolean getAsBoolean() {
        return requested.get();
    }
}
