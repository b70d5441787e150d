package org.speedlimits.data;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Real CIFAR-10 (installed copy or offline mirror); skipped when neither is present. */
class Cifar10MirrorTest {
    private Path dir;

    @BeforeEach
    void findData() {
        dir = TestData.requireCifar();
    }

    @Test
    void firstLabelsMatchThePublishedOnes() {
        Cifar10Data data = new Cifar10BinaryReader(dir).load(10, 10, DataType.FLOAT);
        assertArrayEquals(new int[]{6, 9, 9, 4, 1, 1, 2, 7, 8, 3}, data.trainLabels());
        assertArrayEquals(new int[]{3, 8, 8, 0, 6, 6, 1, 6, 3, 1}, data.testLabels());
        List<String> firstNames = IntStream.range(0, 5).mapToObj(i -> data.classNames().get(data.trainLabels()[i])).toList();
        assertEquals(List.of("frog", "truck", "truck", "deer", "automobile"), firstNames);
    }

    @Test
    void theImageAfterBatchOneIsTheFirstOfBatchTwo() throws IOException {
        int batch1 = (int) (Files.size(dir.resolve("data_batch_1.bin")) / Cifar10BinaryReader.RECORD_BYTES);
        byte[] firstOfBatch2 = new byte[Cifar10BinaryReader.RECORD_BYTES];
        try (InputStream in = Files.newInputStream(dir.resolve("data_batch_2.bin"))) {
            assertEquals(firstOfBatch2.length, in.readNBytes(firstOfBatch2, 0, firstOfBatch2.length));
        }
        Cifar10BinaryReader.Images images = new Cifar10BinaryReader(dir).training(batch1 + 1, DataType.FLOAT);
        assertEquals(firstOfBatch2[0], images.labels()[batch1]);
        float[] image = images.pixels().slice(batch1).dup().data().asFloat();
        for (int p = 0; p < Cifar10BinaryReader.IMAGE_BYTES; p++) {
            assertEquals(firstOfBatch2[1 + p] & 0xFF, image[p], 0.0f, "byte " + p);
        }
    }
}
