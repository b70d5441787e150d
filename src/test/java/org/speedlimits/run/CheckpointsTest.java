package org.speedlimits.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dynamics' vectors saved beside theta: exact round trip, checksums, retention and old indexes without them. */
class CheckpointsTest {
    private static final String NAME = "rkc.direction";

    static INDArray theta(float base) {
        return Nd4j.createFromArray(base, base + 1, base + 2, base + 3);
    }

    static float[] vector(float base) {
        return new float[]{base, -base / 3, (float) Math.PI * base, Float.MIN_VALUE};
    }

    @Test
    void vectorsRoundTripExactlyWithTheNewestCheckpoint(@TempDir Path run) {
        Checkpoints c = Checkpoints.open(run, List.of(), 4, "float32", 2);
        c.save(0, theta(0), List.of("initial"), Map.of("a", 1.0));
        c.save(10, theta(10), List.of("log"), Map.of("a", 2.0), Map.of(NAME, vector(0.1f)));
        Checkpoints.Loaded newest = Checkpoints.open(run, List.of(), 4, "float32", 2).newestGood().orElseThrow();
        assertEquals(10, newest.entry().epoch());
        assertArrayEquals(vector(0.1f), newest.vectors().get(NAME), 0f);
        assertTrue(Files.exists(c.dir().resolve(Checkpoints.vectorFileName(10, NAME))));
        assertEquals(Map.of(), c.entries().get(0).vectors());
    }

    @Test
    void aDamagedVectorMakesItsCheckpointDamaged(@TempDir Path run) throws Exception {
        Checkpoints c = Checkpoints.open(run, List.of(), 4, "float32", 2);
        c.save(5, theta(5), List.of("log"), Map.of(), Map.of(NAME, vector(5)));
        c.save(9, theta(9), List.of("log"), Map.of(), Map.of(NAME, vector(9)));
        Path v9 = c.dir().resolve(Checkpoints.vectorFileName(9, NAME));
        byte[] bytes = Files.readAllBytes(v9);
        bytes[bytes.length - 1] ^= 1;
        Files.write(v9, bytes);
        Checkpoints.Loaded loaded = c.newestGood().orElseThrow();
        assertEquals(5, loaded.entry().epoch(), "theta of epoch 9 is intact but its vector is not");
        assertArrayEquals(vector(5), loaded.vectors().get(NAME), 0f);
        Files.delete(c.dir().resolve(Checkpoints.vectorFileName(5, NAME)));
        assertThrowsRunState(c);
    }

    private static void assertThrowsRunState(Checkpoints c) {
        try {
            c.newestGood();
        } catch (RunStateException e) {
            return;
        }
        throw new AssertionError("every checkpoint lacks a valid vector: newestGood must refuse");
    }

    @Test
    void expiredPeriodicCheckpointsTakeTheirVectorsWithThem(@TempDir Path run) {
        Checkpoints c = Checkpoints.open(run, List.of(), 4, "float32", 1);
        c.save(1, theta(1), List.of(Checkpoints.PERIODIC), Map.of(), Map.of(NAME, vector(1)));
        c.save(2, theta(2), List.of(Checkpoints.PERIODIC), Map.of(), Map.of(NAME, vector(2)));
        assertFalse(Files.exists(c.dir().resolve(Checkpoints.fileName(1))));
        assertFalse(Files.exists(c.dir().resolve(Checkpoints.vectorFileName(1, NAME))));
        assertTrue(Files.exists(c.dir().resolve(Checkpoints.vectorFileName(2, NAME))));
    }

    @Test
    void anIndexWrittenBeforeVectorsExistedStillResumes(@TempDir Path run) throws Exception {
        Checkpoints c = Checkpoints.open(run, List.of(), 4, "float32", 2);
        c.save(3, theta(3), List.of("log"), Map.of("a", 1.0));
        Path indexFile = c.dir().resolve(Checkpoints.INDEX);
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = (ObjectNode) json.readTree(indexFile.toFile());
        for (var e : (ArrayNode) index.get("checkpoints")) {
            ((ObjectNode) e).remove("vectors");
        }
        json.writeValue(indexFile.toFile(), index);
        for (var e : json.readTree(indexFile.toFile()).get("checkpoints")) {
            assertFalse(e.has("vectors"));
        }
        Checkpoints.Loaded loaded = Checkpoints.open(run, List.of(), 4, "float32", 2).newestGood().orElseThrow();
        assertEquals(3, loaded.entry().epoch());
        assertEquals(Map.of(), loaded.vectors());
    }

    @Test
    void vectorNamesMustBePlainFileNameParts() {
        for (String bad : new String[]{"../x", "a/b", "", "a b"}) {
            try {
                Checkpoints.vectorFileName(0, bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains(bad));
            }
        }
    }
}
