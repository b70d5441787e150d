package org.speedlimits.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/** Tiny generated IDX files for the reader tests, and the real MNIST mirror for integration tests when present. */
public final class MnistTestData {
    private MnistTestData() {
    }

    /** The offline mirror: $MNIST_MIRROR, else ../shared/mnist-subset relative to the project root; empty if absent. */
    public static Optional<Path> mirror() {
        String env = System.getenv("MNIST_MIRROR");
        Path dir = env != null && !env.isBlank() ? Path.of(env) : Path.of("..", "shared", "mnist-subset");
        return Files.isRegularFile(dir.resolve("SHA256SUMS")) && Files.isRegularFile(dir.resolve(MnistIdxReader.MIRROR_IMAGES))
                ? Optional.of(dir) : Optional.empty();
    }

    /** A deterministic grey level for image i at (r, c), all of 0-255 used. */
    public static int pixel(int i, int r, int c) {
        return (i * 37 + r * 11 + c * 5 + r * c) % 256;
    }

    public static int label(int i) {
        return (3 * i + 1) % 10;
    }

    /** The bytes of an IDX image file of count rows x cols images of {@link #pixel}. */
    public static byte[] imageBytes(int magic, int headerCount, int count, int rows, int cols) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(headerCount);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < count; i++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out.writeByte(pixel(i, r, c));
                }
            }
        }
        return bytes.toByteArray();
    }

    public static byte[] imageBytes(int count) throws IOException {
        return imageBytes(MnistIdxReader.IMAGE_MAGIC, count, count, MnistIdxReader.ROWS, MnistIdxReader.COLS);
    }

    /** The bytes of an IDX label file holding the given labels. */
    public static byte[] labelBytes(int magic, int headerCount, int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(headerCount);
        for (int l : labels) {
            out.writeByte(l);
        }
        return bytes.toByteArray();
    }

    public static byte[] labelBytes(int count) throws IOException {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = label(i);
        }
        return labelBytes(MnistIdxReader.LABEL_MAGIC, count, labels);
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    public static Path write(Path file, byte[] data) throws IOException {
        Files.write(file, data);
        return file;
    }
}
