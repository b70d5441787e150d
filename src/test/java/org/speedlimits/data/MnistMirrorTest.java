package org.speedlimits.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real 10,000-digit mirror against the facts its README states (skipped where the mirror is absent). */
class MnistMirrorTest {
    private static final int[] README_FIRST_LABELS = {3, 8, 1, 0, 4, 0, 9, 3, 4, 9, 3, 2, 3, 9, 5, 6, 1, 2, 9, 9};
    private static final int[] README_CLASS_COUNTS = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};

    private static Path mirror() {
        Path dir = MnistTestData.mirror().orElse(null);
        assumeTrue(dir != null, "no MNIST mirror: set MNIST_MIRROR or provide ../shared/mnist-subset");
        return dir;
    }

    @Test
    void labelsAndGreyLevelsMatchTheReadme() {
        MnistData data = MnistIdxReader.readMirror(mirror(), 10_000);
        assertEquals(10_000, data.size());
        assertArrayEquals(README_FIRST_LABELS, java.util.Arrays.copyOf(data.labels(), 20));
        int[] counts = new int[10];
        for (int l : data.labels()) {
            counts[l]++;
        }
        assertArrayEquals(README_CLASS_COUNTS, counts);
        assertEquals(0.0793, data.meanGrey(0), 5e-5); // README: 0.0793 (of 1)
        // the first 20 through readTraining (mirror layout) are the same digits
        assertArrayEquals(README_FIRST_LABELS, MnistIdxReader.readTraining(mirror(), 20).labels());
    }

    @Test
    void filesMatchTheMirrorsSha256Sums() throws IOException, NoSuchAlgorithmException {
        Path dir = mirror();
        List<String> lines = Files.readAllLines(dir.resolve("SHA256SUMS"));
        assertEquals(2, lines.size(), "SHA256SUMS lines: " + lines);
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+\\*?");
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(parts[1])));
            assertEquals(parts[0], HexFormat.of().formatHex(digest), parts[1]);
        }
    }
}
