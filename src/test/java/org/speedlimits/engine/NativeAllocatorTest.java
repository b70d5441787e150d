package org.speedlimits.engine;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeAllocatorTest {
    private static final long MIB = 1 << 20;

    @Test
    void childrenGetTheTunablesUnlessTheUserSetTheirOwn() {
        Map<String, String> env = new HashMap<>();
        NativeAllocator.configureChild(env);
        assertEquals(NativeAllocator.TRAINING_TUNABLES, env.get(NativeAllocator.VARIABLE));
        Map<String, String> own = new HashMap<>(Map.of(NativeAllocator.VARIABLE, ""));
        NativeAllocator.configureChild(own);
        assertEquals("", own.get(NativeAllocator.VARIABLE), "an empty value (glibc defaults) is the user's choice");
    }

    @Test
    void recognisesTheSettingsInAnyOrderAndOnlyAllThree() {
        assertTrue(NativeAllocator.retainsFreedMemory(NativeAllocator.TRAINING_TUNABLES));
        List<String> parts = List.of(NativeAllocator.TRAINING_TUNABLES.split(":"));
        assertTrue(NativeAllocator.retainsFreedMemory("glibc.malloc.tcache_count=0:" + parts.get(2) + ":"
                + parts.get(0) + ":" + parts.get(1)));
        assertFalse(NativeAllocator.retainsFreedMemory(parts.get(0) + ":" + parts.get(1)));
        assertFalse(NativeAllocator.retainsFreedMemory(null));
        assertFalse(NativeAllocator.retainsFreedMemory(""));
    }

    @Test
    void outOfMemoryUnderTheTunablesSaysWhatToChange() {
        OutOfMemoryError original = new OutOfMemoryError("Physical memory usage is too high");
        assertEquals(original, NativeAllocator.explain(original, false));
        OutOfMemoryError explained = NativeAllocator.explain(original, true);
        assertTrue(explained.getMessage().startsWith("Physical memory usage is too high -- "));
        assertTrue(explained.getMessage().contains(NativeAllocator.VARIABLE + "= (empty)"));
        assertTrue(explained.getMessage().contains("train.chunk_size"));
        assertEquals(original, explained.getCause());
    }

    @Test
    void theBenchmarkHarnessUsesTheSameSettings() throws Exception {
        assertTrue(Files.readString(Path.of("bench/run.sh")).contains(NativeAllocator.TRAINING_TUNABLES),
                "bench/run.sh must run the project with NativeAllocator.TRAINING_TUNABLES");
    }

    @Test
    void theJobScriptLineKeepsAnInheritedValue() throws Exception {
        assertEquals(NativeAllocator.TRAINING_TUNABLES, shell(null));
        assertEquals("", shell(""));
        assertEquals("glibc.malloc.arena_max=2", shell("glibc.malloc.arena_max=2"));
    }

    private static String shell(String inherited) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                NativeAllocator.shellExport() + "; printf %s \"$" + NativeAllocator.VARIABLE + "\"");
        pb.environment().remove(NativeAllocator.VARIABLE);
        if (inherited != null) {
            pb.environment().put(NativeAllocator.VARIABLE, inherited);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        return out;
    }

    /**
     * The claim behind the settings, checked in child JVMs: a freed 256 MiB native block stays resident under the
     * training tunables (so the next one reuses it without page faults), glibc's defaults unmap it at once, and
     * {@link NativeAllocator#releaseFreedMemory()} returns the retained memory.
     */
    @Test
    void freedMemoryIsRetainedUnderTheTunablesAndReleasedOnRequest() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.exists(Path.of("/proc/self/status")));
        long[] tuned = probe(NativeAllocator.TRAINING_TUNABLES, "explicit");
        long[] plain = probe("", "explicit");
        assumeTrue(tuned != null && plain != null, "JNA/glibc unavailable here");
        // tuned: {before, filled, freed, after release}; the block is 256 MiB
        assertTrue(tuned[1] - tuned[0] > 200 * MIB, "block not resident after filling: " + List.of(tuned[0], tuned[1]));
        assertTrue(tuned[2] - tuned[0] > 200 * MIB, "tunables: freed block should stay resident, RSS " + tuned[2] / MIB);
        assertTrue(tuned[3] - tuned[0] < 64 * MIB, "releaseFreedMemory should return it, RSS " + tuned[3] / MIB
                + " MiB vs " + tuned[0] / MIB + " MiB before");
        assertTrue(plain[2] - plain[0] < 64 * MIB, "glibc defaults unmap a freed 256 MiB block at once");
    }

    /** The background release returns the retained block without being asked (period 0.5 s in the child). */
    @Test
    void thePeriodicReleaseReturnsRetainedMemory() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && Files.exists(Path.of("/proc/self/status")));
        long[] rss = probe(NativeAllocator.TRAINING_TUNABLES, "periodic");
        assumeTrue(rss != null, "JNA/glibc unavailable here");
        assertTrue(rss[2] - rss[0] > 200 * MIB, "freed block should stay resident at first, RSS " + rss[2] / MIB);
        assertTrue(rss[3] - rss[0] < 64 * MIB, "the periodic release should have returned it, RSS " + rss[3] / MIB
                + " MiB vs " + rss[0] / MIB + " MiB before");
    }

    /** RSS before, after filling, after freeing a 256 MiB block, and after releaseFreedMemory(); null if unavailable. */
    private static long[] probe(String tunables, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-D" + NativeAllocator.RELEASE_SECONDS_PROPERTY + "=0.5",
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), mode).redirectErrorStream(true);
        pb.environment().put(NativeAllocator.VARIABLE, tunables);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String line = out.lines().filter(l -> l.startsWith("RSS ")).findFirst().orElse(null);
        if (line == null) {
            throw new AssertionError("probe printed no RSS line:\n" + out);
        }
        if (line.contains("unavailable")) {
            return null;
        }
        String[] f = line.substring(4).trim().split(" ");
        long[] rss = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            rss[i] = Long.parseLong(f[i]);
        }
        return rss;
    }

    /**
     * Child JVM of the probe: malloc, touch, free a block through JavaCPP (as ND4J's buffers are) and report RSS
     * before, filled, freed, and after an explicit release ("explicit") or a few periods of the background one.
     */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            if (!NativeAllocator.available()) {
                System.out.println("RSS unavailable");
                return;
            }
            long before = rss();
            Pointer block = Pointer.malloc(256 * MIB);
            Pointer.memset(block, 1, 256 * MIB);
            long filled = rss();
            Pointer.free(block);
            long freed = rss();
            if (args[0].equals("periodic")) {
                NativeAllocator.startPeriodicRelease();
                Thread.sleep(2500); // a few periods of 0.5 s
            } else {
                NativeAllocator.releaseFreedMemory(); // a no-op without the tunables
            }
            System.out.println("RSS " + before + " " + filled + " " + freed + " " + rss());
        }

        static long rss() throws Exception {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS");
        }
    }
}
