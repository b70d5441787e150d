package org.speedlimits.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST in the IDX format of the official files (LeCun, Cortes &amp; Burges), plain or gzip-compressed (told
 * apart by the gzip magic bytes {@code 1f 8b}, not by the file name).
 *
 * <ul>
 *   <li>images: big-endian int32 header {@code 0x00000803, count, rows, cols}, then count·rows·cols unsigned bytes
 *       (grey levels 0–255, 0 = background), each image row-major;</li>
 *   <li>labels: big-endian int32 header {@code 0x00000801, count}, then count unsigned bytes 0–9.</li>
 * </ul>
 *
 * <p>The whole file is checked against its header before anything is returned: a file that ends early (truncated) or
 * goes on after the last record (trailing bytes) is rejected even when only its first records are asked for, and
 * every label of the file must be 0–9. Errors are {@link DataException}s naming the file and what was expected.
 *
 * <p>Two folder layouts are known: the offline mirror ({@value #MIRROR_IMAGES}, {@value #MIRROR_LABELS}; 10,000
 * digits) and the official files ({@value #TRAIN_IMAGES} …, 60,000 training and 10,000 test digits, also accepted
 * decompressed without the {@code .gz}). {@code ./data-download.sh} installs either into {@link #DEFAULT_DIR}.
 */
public final class MnistIdxReader {
    /** IDX magic of an unsigned-byte tensor with 3 dimensions (images). */
    public static final int IMAGE_MAGIC = 0x00000803;
    /** IDX magic of an unsigned-byte tensor with 1 dimension (labels). */
    public static final int LABEL_MAGIC = 0x00000801;
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int NUM_CLASSES = 10;
    public static final String MIRROR_IMAGES = "images-idx3-ubyte";
    public static final String MIRROR_LABELS = "labels-idx1-ubyte";
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    /** Where ./data-download.sh installs MNIST, relative to the project root. */
    public static final Path DEFAULT_DIR = Path.of("data", "mnist");

    static final String INSTALL_HINT = "install it with ./data-download.sh "
            + "(offline: MNIST_MIRROR=../shared/mnist-subset ./data-download.sh)";
    private static final int IMAGE_HEADER_BYTES = 16;
    private static final int LABEL_HEADER_BYTES = 8;
    private static final int BUFFER_BYTES = 1 << 16;

    private MnistIdxReader() {
    }

    /**
     * The first {@code limit} images and labels of an image file and a label file (28×28), after checking that both
     * files hold the same number of records.
     */
    public static MnistData read(Path images, Path labels, int limit) {
        int imageCount = count(images, IMAGE_MAGIC);
        int labelCount = count(labels, LABEL_MAGIC);
        if (imageCount != labelCount) {
            throw new DataException(images + " holds " + imageCount + " images but " + labels + " holds "
                    + labelCount + " labels; expected the same count (files from different sets?)");
        }
        byte[] pixels = readImages(images, limit);
        int[] labelValues = readLabels(labels, limit);
        return new MnistData(pixels, labelValues, ROWS, COLS);
    }

    /**
     * The first {@code limit} training digits in {@code dir}: the official {@value #TRAIN_IMAGES} and
     * {@value #TRAIN_LABELS} (or the same names without .gz) if present, else the mirror's {@value #MIRROR_IMAGES}
     * and {@value #MIRROR_LABELS}.
     */
    public static MnistData readTraining(Path dir, int limit) {
        Path official = find(dir, TRAIN_IMAGES);
        if (official != null) {
            Path labels = find(dir, TRAIN_LABELS);
            if (labels == null) {
                throw new DataException("MNIST file " + dir.resolve(TRAIN_LABELS) + " not found (next to " + official
                        + "); " + INSTALL_HINT);
            }
            return read(official, labels, limit);
        }
        return readMirror(dir, limit);
    }

    /** The first {@code limit} digits of the offline mirror's {@value #MIRROR_IMAGES} and {@value #MIRROR_LABELS}. */
    public static MnistData readMirror(Path dir, int limit) {
        requireDirectory(dir);
        Path images = dir.resolve(MIRROR_IMAGES);
        Path labels = dir.resolve(MIRROR_LABELS);
        for (Path f : List.of(images, labels)) {
            if (!Files.isRegularFile(f)) {
                throw new DataException("MNIST file " + f + " not found (expected either the mirror's " + MIRROR_IMAGES
                        + " and " + MIRROR_LABELS + " or the official " + TRAIN_IMAGES + " and " + TRAIN_LABELS
                        + "); " + INSTALL_HINT);
            }
        }
        return read(images, labels, limit);
    }

    /** The first {@code limit} digits of the official test set ({@value #TEST_IMAGES}, {@value #TEST_LABELS}). */
    public static MnistData readTest(Path dir, int limit) {
        requireDirectory(dir);
        Path images = find(dir, TEST_IMAGES);
        Path labels = find(dir, TEST_LABELS);
        if (images == null || labels == null) {
            throw new DataException("MNIST test file " + dir.resolve(images == null ? TEST_IMAGES : TEST_LABELS)
                    + " not found (the offline mirror has no test set); " + INSTALL_HINT);
        }
        return read(images, labels, limit);
    }

    /** The record count of an image ({@link #IMAGE_MAGIC}) or label ({@link #LABEL_MAGIC}) file's header. */
    public static int count(Path file, int magic) {
        try (DataInputStream in = open(file)) {
            return magic == IMAGE_MAGIC ? imageHeader(file, in, ROWS, COLS) : labelHeader(file, in);
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /** The first {@code limit} 28×28 images of an IDX image file: limit·784 grey levels (unsigned bytes). */
    public static byte[] readImages(Path file, int limit) {
        return readImages(file, limit, ROWS, COLS);
    }

    /**
     * The first {@code limit} images of an IDX image file whose header must give {@code rows}×{@code cols}:
     * limit·rows·cols unsigned bytes, image after image, each row-major.
     */
    public static byte[] readImages(Path file, int limit, int rows, int cols) {
        try (DataInputStream in = open(file)) {
            int count = imageHeader(file, in, rows, cols);
            requireLimit(file, limit, count, "images");
            int imageBytes = rows * cols;
            long expected = IMAGE_HEADER_BYTES + (long) count * imageBytes;
            requirePlainSize(file, expected, imageBytes, IMAGE_HEADER_BYTES, "image");
            byte[] pixels = new byte[Math.multiplyExact(limit, imageBytes)];
            int got = in.readNBytes(pixels, 0, pixels.length);
            if (got != pixels.length) {
                throw truncated(file, got / imageBytes, count, "image");
            }
            requireRest(file, in, (long) (count - limit) * imageBytes, limit, imageBytes, count, "image");
            return pixels;
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /** The first {@code limit} labels (0–9) of an IDX label file; all labels of the file are checked. */
    public static int[] readLabels(Path file, int limit) {
        try (DataInputStream in = open(file)) {
            int count = labelHeader(file, in);
            requireLimit(file, limit, count, "labels");
            requirePlainSize(file, LABEL_HEADER_BYTES + (long) count, 1, LABEL_HEADER_BYTES, "label");
            byte[] all = new byte[count];
            int got = in.readNBytes(all, 0, count);
            if (got != count) {
                throw truncated(file, got, count, "label");
            }
            requireRest(file, in, 0, count, 1, count, "label");
            int[] labels = new int[limit];
            for (int i = 0; i < count; i++) {
                int label = all[i] & 0xFF;
                if (label >= NUM_CLASSES) {
                    throw new DataException(file + ": label index " + i + " (0-based) is " + label + ", expected 0-"
                            + (NUM_CLASSES - 1));
                }
                if (i < limit) {
                    labels[i] = label;
                }
            }
            return labels;
        } catch (IOException e) {
            throw readError(file, e);
        }
    }

    /** Whether a file starts with the gzip magic bytes 1f 8b. */
    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataException("MNIST file " + file + " not found; " + INSTALL_HINT);
        }
        InputStream raw = Files.newInputStream(file);
        try {
            InputStream in = isGzip(file) ? new GZIPInputStream(raw, BUFFER_BYTES) : raw;
            return new DataInputStream(new BufferedInputStream(in, BUFFER_BYTES));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static int imageHeader(Path file, DataInputStream in, int rows, int cols) throws IOException {
        int magic = headerInt(file, in, IMAGE_HEADER_BYTES, "image");
        if (magic != IMAGE_MAGIC) {
            throw badMagic(file, magic, IMAGE_MAGIC, "images");
        }
        int count = headerInt(file, in, IMAGE_HEADER_BYTES, "image");
        int fileRows = headerInt(file, in, IMAGE_HEADER_BYTES, "image");
        int fileCols = headerInt(file, in, IMAGE_HEADER_BYTES, "image");
        if (count < 0) {
            throw new DataException(file + ": header gives a negative image count " + count + " (corrupt header?)");
        }
        if (fileRows != rows || fileCols != cols) {
            throw new DataException(file + ": header gives " + fileRows + "x" + fileCols + " images, expected " + rows
                    + "x" + cols);
        }
        return count;
    }

    private static int labelHeader(Path file, DataInputStream in) throws IOException {
        int magic = headerInt(file, in, LABEL_HEADER_BYTES, "label");
        if (magic != LABEL_MAGIC) {
            throw badMagic(file, magic, LABEL_MAGIC, "labels");
        }
        int count = headerInt(file, in, LABEL_HEADER_BYTES, "label");
        if (count < 0) {
            throw new DataException(file + ": header gives a negative label count " + count + " (corrupt header?)");
        }
        return count;
    }

    private static int headerInt(Path file, DataInputStream in, int headerBytes, String kind) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DataException(file + " is too short for an IDX " + kind + " header (" + headerBytes
                    + " bytes). Re-run ./data-download.sh");
        }
    }

    private static DataException badMagic(Path file, int magic, int expected, String what) {
        String hint = "";
        if (magic == IMAGE_MAGIC || magic == LABEL_MAGIC) {
            hint = " (this is an IDX " + (magic == IMAGE_MAGIC ? "image" : "label") + " file: images and labels swapped?)";
        } else if (Integer.reverseBytes(magic) == expected) {
            hint = " (little-endian header? IDX is big-endian)";
        }
        return new DataException(file + ": magic number " + hex(magic) + ", expected " + hex(expected)
                + " (IDX unsigned-byte " + what + ")" + hint);
    }

    private static void requireLimit(Path file, int limit, int count, String what) {
        if (limit < 1) {
            throw new DataException("the number of MNIST " + what + " to read must be at least 1, got " + limit);
        }
        if (limit > count) {
            throw new DataException("asked for " + limit + " " + what + " but " + file + " holds only " + count);
        }
    }

    /** For an uncompressed file the size alone tells truncation or trailing bytes, before reading the body. */
    private static void requirePlainSize(Path file, long expected, int recordBytes, int headerBytes, String kind)
            throws IOException {
        if (isGzip(file)) {
            return; // checked while reading
        }
        long size = Files.size(file);
        if (size < expected) {
            long whole = (size - headerBytes) / recordBytes;
            throw new DataException(file + " is truncated: " + size + " bytes, its header promises " + expected + " ("
                    + (expected - headerBytes) / recordBytes + " " + kind + "s); " + kind + " index " + whole
                    + " (0-based) is incomplete. Re-run ./data-download.sh");
        }
        if (size > expected) {
            throw new DataException(file + " has " + (size - expected) + " bytes after the last " + kind + ": " + size
                    + " bytes, its header promises " + expected + " (wrong header count?)");
        }
    }

    /** Reads past the records not returned, checking the file holds exactly what its header promises. */
    private static void requireRest(Path file, InputStream in, long remaining, int done, int recordBytes, int count,
                                    String kind) throws IOException {
        long skipped = skipFully(in, remaining);
        if (skipped < remaining) {
            throw truncated(file, done + (int) (skipped / recordBytes), count, kind);
        }
        if (in.read() != -1) {
            throw new DataException(file + " goes on after the last of the " + count + " " + kind
                    + "s its header promises (wrong header count?)");
        }
    }

    private static long skipFully(InputStream in, long n) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long done = 0;
        while (done < n) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    private static DataException truncated(Path file, int complete, int count, String kind) {
        return new DataException(file + " is truncated: it ends in " + kind + " index " + complete + " (0-based) but its"
                + " header promises " + count + " " + kind + "s. Re-run ./data-download.sh");
    }

    private static DataException readError(Path file, IOException e) {
        if (e instanceof ZipException || e instanceof EOFException) { // a damaged or cut-off .gz
            return new DataException(file + " is not a valid gzip file (" + e.getMessage() + "); is the download"
                    + " truncated? Re-run ./data-download.sh", e);
        }
        return new DataException("cannot read " + file + ": " + e.getMessage(), e);
    }

    /** {@code dir/name}, else {@code dir/name} without its .gz, else null. */
    private static Path find(Path dir, String name) {
        Path gz = dir.resolve(name);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(name.substring(0, name.length() - ".gz".length()));
        return Files.isRegularFile(plain) ? plain : null;
    }

    private static void requireDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("MNIST directory " + dir.toAbsolutePath().normalize() + " not found; " + INSTALL_HINT);
        }
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
