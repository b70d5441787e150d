package org.speedlimits.sweep;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmMemoryTest {
    /** The project's .mvn/jvm.config. */
    private static final List<String> CONFIG = List.of("-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=16G",
            "-Dorg.bytedeco.javacpp.maxphysicalbytes=20G", "-Djava.awt.headless=true");

    @Test
    void twoLocalTasksOnA24GbMachineShareIt() {
        List<String> flags = JvmMemory.fit(CONFIG, 12L << 30);
        long resident = (long) (0.85 * (12L << 30)) >> 20; // 10444 MB
        assertEquals(List.of("-Xmx4096m", "-Dorg.bytedeco.javacpp.maxbytes=" + (resident - 4096) + "m",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + resident + "m", "-Djava.awt.headless=true"), flags);
        // the sum over both tasks stays below the machine
        assertTrue(2 * (resident << 20) < 24L << 30);
    }

    @Test
    void aSmallSlurmAllocationAlsoShrinksTheHeap() {
        List<String> flags = JvmMemory.fit(CONFIG, mem("8G").memBytes());
        assertEquals("-Xmx" + (8192 / 3) + "m", flags.get(0));
        long resident = (long) (0.85 * (8L << 30)) >> 20;
        assertEquals("-Dorg.bytedeco.javacpp.maxbytes=" + (resident - 8192 / 3) + "m", flags.get(1));
        assertEquals("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + resident + "m", flags.get(2));
    }

    @Test
    void aLargeBudgetNeverRaisesTheConfiguredLimits() {
        List<String> flags = JvmMemory.fit(CONFIG, 1L << 40);
        assertEquals(List.of("-Xmx4096m", "-Dorg.bytedeco.javacpp.maxbytes=16384m",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=20480m", "-Djava.awt.headless=true"), flags);
    }

    @Test
    void missingFlagsAreAddedAndTheLastOneWins() {
        List<String> flags = JvmMemory.fit(List.of("-Xmx8g", "-ea", "-Xmx2g"), 30L << 30);
        assertEquals(List.of("-Xmx2048m", "-Dorg.bytedeco.javacpp.maxbytes=" + ((long) (0.85 * (30L << 30)) / (1 << 20) - 2048) + "m",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + ((long) (0.85 * (30L << 30)) >> 20) + "m", "-ea"), flags);
    }

    @Test
    void slurmSizesAndBadInput() {
        assertEquals(8L << 30, mem("8G").memBytes());
        assertEquals(500L << 20, mem("500").memBytes());
        assertEquals(2L << 40, mem("2T").memBytes());
        SweepException e = assertThrows(SweepException.class, () -> mem("8 GB").memBytes());
        assertTrue(e.getMessage().contains("'8 GB'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JvmMemory.fit(CONFIG, 0));
    }

    private static Resources mem(String mem) {
        Resources d = Resources.DEFAULTS;
        return new Resources(d.time(), mem, d.cpusPerTask(), d.partition(), d.gpus(), d.signalSeconds());
    }
}
