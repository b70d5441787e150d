package org.speedlimits.data;

import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cifar10BinaryReaderTest {
    /** Small batches of different sizes, so reads cross file boundaries at known places. */
    private static final int[] TRAIN_COUNTS = {5, 4, 3, 2, 2};
    private static final int TEST_COUNT = 3;

    @TempDir
    Path dir;

    private Cifar10BinaryReader syntheticReader() throws IOException {
        SyntheticCifar.writeDataset(dir, TRAIN_COUNTS, TEST_COUNT);
        return new Cifar10BinaryReader(dir);
    }

    @Test
    void pixelsAreNchwWithTheRedPlaneFirstAndRowsMajor() throws IOException {
        for (DataType dtype : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            Cifar10BinaryReader.Images images = syntheticReader().training(3, dtype);
            assertArrayEquals(new long[]{3, 3, 32, 32}, images.pixels().shape());
            assertEquals(dtype, images.pixels().dataType());
            for (int i = 0; i < 3; i++) {
                for (int c = 0; c < 3; c++) {
                    for (int[] rc : new int[][]{{0, 0}, {0, 1}, {1, 0}, {5, 17}, {17, 5}, {31, 31}}) {
                        assertEquals(SyntheticCifar.pixel(i, c, rc[0], rc[1]),
                                images.pixels().getDouble(i, c, rc[0], rc[1]), 0.0,
                                "image " + i + " channel " + c + " row " + rc[0] + " col " + rc[1]);
                    }
                }
            }
        }
    }

    @Test
    void everyPixelMatchesTheRecordBytes() throws IOException {
        INDArray pixels = syntheticReader().training(2, DataType.FLOAT).pixels();
        for (int i = 0; i < 2; i++) {
            byte[] record = SyntheticCifar.record(i);
            float[] image = pixels.slice(i).dup().data().asFloat();
            for (int p = 0; p < Cifar10BinaryReader.IMAGE_BYTES; p++) {
                assertEquals(record[1 + p] & 0xFF, image[p], 0.0f, "image " + i + " byte " + p);
            }
        }
    }

    @Test
    void labelsAndTestSplit() throws IOException {
        Cifar10Data data = syntheticReader().load(5, TEST_COUNT, DataType.FLOAT);
        assertArrayEquals(expectedLabels(0, 5), data.trainLabels());
        assertArrayEquals(expectedLabels(SyntheticCifar.TEST_OFFSET, TEST_COUNT), data.testLabels());
        assertEquals(SyntheticCifar.pixel(SyntheticCifar.TEST_OFFSET + 2, 1, 3, 4), data.testX().getDouble(2, 1, 3, 4));
        assertEquals(SyntheticCifar.CLASS_NAMES, data.classNames());
    }

    @Test
    void readsAcrossBatchFilesInOrder() throws IOException {
        Cifar10BinaryReader reader = syntheticReader();
        int all = Arrays.stream(TRAIN_COUNTS).sum();
        assertEquals(all, reader.availableTraining());
        for (int n : new int[]{6, 9, 10, all}) { // 6: one image of batch 2; 9: all of batch 2; 10: into batch 3
            Cifar10BinaryReader.Images images = reader.training(n, DataType.FLOAT);
            assertArrayEquals(expectedLabels(0, n), images.labels(), "n = " + n);
            assertEquals(SyntheticCifar.pixel(n - 1, 2, 30, 1), images.pixels().getDouble(n - 1, 2, 30, 1), "n = " + n);
        }
    }

    @Test
    void truncatedFileNamesTheFileAndTheIncompleteRecord() throws IOException {
        Cifar10BinaryReader reader = syntheticReader();
        Path batch2 = dir.resolve("data_batch_2.bin");
        byte[] bytes = Files.readAllBytes(batch2);
        Files.write(batch2, Arrays.copyOf(bytes, 3 * Cifar10BinaryReader.RECORD_BYTES + 100));
        DataException e = assertThrows(DataException.class, () -> reader.training(2, DataType.FLOAT));
        assertTrue(e.getMessage().contains("data_batch_2.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("record index 3"), e.getMessage());
    }

    @Test
    void askingForTooManyImagesSaysHowManyExistAndWhere() throws IOException {
        Cifar10BinaryReader reader = syntheticReader();
        DataException train = assertThrows(DataException.class, () -> reader.training(17, DataType.FLOAT));
        assertTrue(train.getMessage().contains("only 16 exist"), train.getMessage());
        assertTrue(train.getMessage().contains("data_batch_1.bin: 5"), train.getMessage());
        assertTrue(train.getMessage().contains("data_batch_5.bin: 2"), train.getMessage());
        DataException test = assertThrows(DataException.class, () -> reader.load(16, 4, DataType.FLOAT));
        assertTrue(test.getMessage().contains("4 test images but only 3 exist"), test.getMessage());
        assertTrue(test.getMessage().contains("test_batch.bin: 3"), test.getMessage());
    }

    @Test
    void labelAboveNineNamesFileAndRecord() throws IOException {
        Cifar10BinaryReader reader = syntheticReader();
        Path batch1 = dir.resolve("data_batch_1.bin");
        byte[] bytes = Files.readAllBytes(batch1);
        bytes[4 * Cifar10BinaryReader.RECORD_BYTES] = 12;
        Files.write(batch1, bytes);
        assertEquals(4, reader.training(4, DataType.FLOAT).size(), "records before the bad one still read");
        DataException e = assertThrows(DataException.class, () -> reader.training(5, DataType.FLOAT));
        assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("record index 4"), e.getMessage());
        assertTrue(e.getMessage().contains("label byte 12"), e.getMessage());
    }

    @Test
    void missingDirectoryOrFileNamesThePathAndTheScript() throws IOException {
        Path absent = dir.resolve("nowhere");
        DataException noDir = assertThrows(DataException.class,
                () -> new Cifar10BinaryReader(absent).training(1, DataType.FLOAT));
        assertTrue(noDir.getMessage().contains(absent.toString()), noDir.getMessage());
        assertTrue(noDir.getMessage().contains("./data-download.sh"), noDir.getMessage());

        Cifar10BinaryReader reader = syntheticReader();
        Files.delete(dir.resolve("data_batch_4.bin"));
        DataException noFile = assertThrows(DataException.class, () -> reader.training(1, DataType.FLOAT));
        assertTrue(noFile.getMessage().contains(dir.resolve("data_batch_4.bin").toString()), noFile.getMessage());
        assertTrue(noFile.getMessage().contains("./data-download.sh"), noFile.getMessage());
    }

    @Test
    void classNamesAreOptionalButMustBeTenIfPresent() throws IOException {
        Cifar10BinaryReader reader = syntheticReader();
        Files.delete(dir.resolve("batches.meta.txt"));
        assertEquals(List.of(), reader.classNames());
        Files.write(dir.resolve("batches.meta.txt"), List.of("cat", "dog"));
        DataException e = assertThrows(DataException.class, reader::classNames);
        assertTrue(e.getMessage().contains("batches.meta.txt"), e.getMessage());
    }

    @Test
    void imagesAreAvailableAsDatavecRecords() throws Exception {
        Cifar10BinaryReader.Images images = syntheticReader().training(6, DataType.FLOAT);
        try (RecordReader records = images.recordReader()) {
            for (int i = 0; i < 6; i++) {
                List<Writable> record = records.next();
                INDArray image = ((NDArrayWritable) record.get(0)).get();
                assertArrayEquals(new long[]{3, 32, 32}, image.shape());
                assertEquals(SyntheticCifar.pixel(i, 1, 2, 3), image.getDouble(1, 2, 3));
                assertEquals(SyntheticCifar.label(i), record.get(1).toInt());
            }
            assertTrue(!records.hasNext());
        }
    }

    private static int[] expectedLabels(int first, int count) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = SyntheticCifar.label(first + i);
        }
        return labels;
    }
}
