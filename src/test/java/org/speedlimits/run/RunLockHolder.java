package org.speedlimits.run;

import java.nio.file.Path;

/**
 * Child process for {@link RunLockTest}: {@code RunLockHolder <dir> [seconds]} takes the run-folder lock, prints
 * {@code HOLDING <pid>} and sleeps (default 120 s); if the folder is in use it prints {@code BUSY <message>} and exits 2.
 */
public final class RunLockHolder {
    public static final String HOLDING = "HOLDING ";
    public static final String BUSY = "BUSY ";

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
        try (RunLock lock = RunLock.acquire(Path.of(args[0]), "test holder")) {
            System.out.println(HOLDING + lock.holder().pid());
            System.out.flush();
            Thread.sleep(seconds * 1000);
        } catch (RunStateException e) {
            System.out.println(BUSY + e.getMessage());
            System.out.flush();
            System.exit(2);
        }
    }
}
