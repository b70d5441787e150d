package org.speedlimits.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes small, valid CIFAR-10 binary files with known content: image number i (counted across the training
 * batches; test images start at {@link #TEST_OFFSET}) has label {@link #label(int)} and pixels {@link #pixel}.
 */
final class SyntheticCifar {
    static final int TEST_OFFSET = 1000;
    static final List<String> CLASS_NAMES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private SyntheticCifar() {
    }

    static int label(int image) {
        return (7 * image + 3) % 10;
    }

    /** Distinct per channel, row and column, so a transposed or channel-last layout would be caught. */
    static int pixel(int image, int channel, int row, int col) {
        return (31 * image + 97 * channel + 7 * row + 3 * col) & 0xFF;
    }

    /** One 3073-byte record: label byte, then the R, G and B planes, each row-major. */
    static byte[] record(int image) {
        byte[] record = new byte[Cifar10BinaryReader.RECORD_BYTES];
        record[0] = (byte) label(image);
        int at = 1;
        for (int c = 0; c < 3; c++) {
            for (int row = 0; row < 32; row++) {
                for (int col = 0; col < 32; col++) {
                    record[at++] = (byte) pixel(image, c, row, col);
                }
            }
        }
        return record;
    }

    /** Writes records firstImage .. firstImage+count-1 into one file. */
    static void writeBatch(Path file, int firstImage, int count) throws IOException {
        byte[] bytes = new byte[count * Cifar10BinaryReader.RECORD_BYTES];
        for (int i = 0; i < count; i++) {
            System.arraycopy(record(firstImage + i), 0, bytes, i * Cifar10BinaryReader.RECORD_BYTES,
                    Cifar10BinaryReader.RECORD_BYTES);
        }
        Files.write(file, bytes);
    }

    /** The five training batches with the given record counts, a test batch, and batches.meta.txt. */
    static Path writeDataset(Path dir, int[] trainCounts, int testCount) throws IOException {
        Files.createDirectories(dir);
        int image = 0;
        for (int b = 0; b < Cifar10BinaryReader.TRAIN_FILES.size(); b++) {
            writeBatch(dir.resolve(Cifar10BinaryReader.TRAIN_FILES.get(b)), image, trainCounts[b]);
            image += trainCounts[b];
        }
        writeBatch(dir.resolve(Cifar10BinaryReader.TEST_FILE), TEST_OFFSET, testCount);
        Files.write(dir.resolve(Cifar10BinaryReader.CLASS_NAMES_FILE), CLASS_NAMES);
        return dir;
    }
}
