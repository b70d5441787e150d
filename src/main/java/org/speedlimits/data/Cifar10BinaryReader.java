package org.speedlimits.data;

import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.records.reader.impl.collection.CollectionRecordReader;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CIFAR-10 in the official binary format ({@code cifar-10-batches-bin}): each record is one label byte (0-9)
 * followed by 3072 pixel bytes, the 1024 red, then 1024 green, then 1024 blue values of a row-major 32x32 image.
 * That is exactly NCHW order, so a record's pixel bytes become one [3, 32, 32] slice without reordering.
 *
 * <p>The training split is data_batch_1.bin, then 2 ... 5 (so "the first n images" are the paper's subsets); the
 * test split is test_batch.bin. Record counts come from the file sizes (10,000 per file in the official set, 932 in
 * the offline mirror). All files of a split must be present and whole before anything is read.
 */
public final class Cifar10BinaryReader {
    public static final int CHANNELS = 3;
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int IMAGE_BYTES = CHANNELS * HEIGHT * WIDTH;
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    public static final int NUM_CLASSES = 10;
    public static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";
    public static final String CLASS_NAMES_FILE = "batches.meta.txt";
    /** Where ./data-download.sh installs the data, relative to the project root. */
    public static final Path DEFAULT_DIR = Path.of("data", "cifar-10-batches-bin");

    private static final String INSTALL_HINT = "install it with ./data-download.sh "
            + "(offline: CIFAR10_MIRROR=../shared/cifar10-subset ./data-download.sh)";
    /** Records read per I/O call: large enough to be fast, small enough not to double the memory of a big read. */
    private static final int CHUNK_RECORDS = 1024;

    private final Path dir;

    public Cifar10BinaryReader(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** Raw images (pixel values 0-255, shape [n, 3, 32, 32]) and their labels. */
    public record Images(INDArray pixels, int[] labels) {
        public int size() {
            return labels.length;
        }

        /** Image {@code index} as a datavec record: [image (NDArray [3, 32, 32]), label (int)], label index 1. */
        public List<Writable> record(int index) {
            INDArray image = pixels.get(NDArrayIndex.point(index), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all()).dup();
            return List.of(new NDArrayWritable(image), new IntWritable(labels[index]));
        }

        /** All images as a datavec {@link RecordReader}, e.g. for {@code RecordReaderDataSetIterator} (label index 1). */
        public RecordReader recordReader() {
            List<List<Writable>> records = new ArrayList<>(size());
            for (int i = 0; i < size(); i++) {
                records.add(record(i));
            }
            return new CollectionRecordReader(records);
        }
    }

    /** The first {@code nTrain} training and {@code nTest} test images, checking both counts before reading. */
    public Cifar10Data load(int nTrain, int nTest, DataType dtype) {
        requireAvailable(nTrain, nTest);
        Images train = training(nTrain, dtype);
        Images test = test(nTest, dtype);
        return new Cifar10Data(train.pixels(), train.labels(), test.pixels(), test.labels(), classNames());
    }

    /** The first n training images: data_batch_1 first, then 2 ... 5. */
    public Images training(int n, DataType dtype) {
        return read(TRAIN_FILES, "training", n, dtype);
    }

    /** The first n images of test_batch.bin. */
    public Images test(int n, DataType dtype) {
        return read(List.of(TEST_FILE), "test", n, dtype);
    }

    public long availableTraining() {
        return sum(recordCounts(TRAIN_FILES));
    }

    public long availableTest() {
        return sum(recordCounts(List.of(TEST_FILE)));
    }

    /** Fails, saying how many images exist in which files, unless there are nTrain training and nTest test images. */
    public void requireAvailable(int nTrain, int nTest) {
        requireCount(TRAIN_FILES, "training", nTrain);
        requireCount(List.of(TEST_FILE), "test", nTest);
    }

    /** Class names in label order from batches.meta.txt; empty if that file is absent. */
    public List<String> classNames() {
        Path meta = dir.resolve(CLASS_NAMES_FILE);
        if (!Files.isRegularFile(meta)) {
            return List.of();
        }
        List<String> names;
        try {
            names = Files.readAllLines(meta, StandardCharsets.UTF_8).stream()
                    .map(String::trim).filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new DataException("cannot read " + meta + ": " + e.getMessage(), e);
        }
        if (names.size() != NUM_CLASSES) {
            throw new DataException(meta + " lists " + names.size() + " class names, expected " + NUM_CLASSES
                    + " (one per line)");
        }
        return names;
    }

    private Images read(List<String> fileNames, String split, int n, DataType dtype) {
        long[] counts = requireCount(fileNames, split, n);
        byte[] pixels = new byte[Math.multiplyExact(n, IMAGE_BYTES)];
        int[] labels = new int[n];
        int filled = 0;
        for (int i = 0; i < fileNames.size() && filled < n; i++) {
            int take = (int) Math.min(counts[i], n - filled);
            readRecords(dir.resolve(fileNames.get(i)), take, pixels, labels, filled);
            filled += take;
        }
        return new Images(toNchwArray(pixels, n, dtype), labels);
    }

    /** Reads the first {@code count} records of a file into pixels/labels starting at image {@code offset}. */
    private static void readRecords(Path file, int count, byte[] pixels, int[] labels, int offset) {
        byte[] chunk = new byte[RECORD_BYTES * Math.min(count, CHUNK_RECORDS)];
        try (InputStream in = Files.newInputStream(file)) {
            for (int record = 0; record < count; ) {
                int chunkRecords = Math.min(CHUNK_RECORDS, count - record);
                int chunkBytes = chunkRecords * RECORD_BYTES;
                if (in.readNBytes(chunk, 0, chunkBytes) != chunkBytes) {
                    throw new DataException(file + ": ended before record index " + record
                            + " although its size promised more (did it change while reading?)");
                }
                for (int k = 0; k < chunkRecords; k++, record++) {
                    int at = k * RECORD_BYTES;
                    int label = chunk[at] & 0xFF;
                    if (label >= NUM_CLASSES) {
                        throw new DataException(file + ": record index " + record + " (0-based) has label byte "
                                + label + ", expected 0-" + (NUM_CLASSES - 1)
                                + " (is this the binary CIFAR-10, not CIFAR-100?)");
                    }
                    labels[offset + record] = label;
                    System.arraycopy(chunk, at + 1, pixels, (offset + record) * IMAGE_BYTES, IMAGE_BYTES);
                }
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Unsigned bytes to an [n, 3, 32, 32] array; the byte order already is NCHW ('c' order). */
    private static INDArray toNchwArray(byte[] pixels, int n, DataType dtype) {
        long[] shape = {n, CHANNELS, HEIGHT, WIDTH};
        if (dtype == DataType.DOUBLE) {
            double[] values = new double[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                values[i] = pixels[i] & 0xFF;
            }
            return Nd4j.create(values, shape, DataType.DOUBLE);
        }
        float[] values = new float[pixels.length]; // 0-255 are exact in float; other types are cast from it
        for (int i = 0; i < pixels.length; i++) {
            values[i] = pixels[i] & 0xFF;
        }
        INDArray array = Nd4j.create(values, shape, DataType.FLOAT);
        return dtype == DataType.FLOAT ? array : array.castTo(dtype);
    }

    /** Per-file record counts of a split, after checking that n is positive and that the files hold n images. */
    private long[] requireCount(List<String> fileNames, String split, int n) {
        int minimum = split.equals("training") ? 1 : 0; // a run may have no test set (data.n_test: 0)
        if (n < minimum) {
            throw new DataException("the number of " + split + " images must be at least " + minimum + ", got " + n);
        }
        long[] counts = recordCounts(fileNames);
        long available = sum(counts);
        if (n > available) {
            List<String> perFile = new ArrayList<>();
            for (int i = 0; i < fileNames.size(); i++) {
                perFile.add(fileNames.get(i) + ": " + counts[i]);
            }
            throw new DataException("asked for " + n + " " + split + " images but only " + available
                    + " exist in " + dir + " (" + String.join(", ", perFile) + ")");
        }
        return counts;
    }

    private long[] recordCounts(List<String> fileNames) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("CIFAR-10 directory " + dir + " not found; " + INSTALL_HINT);
        }
        long[] counts = new long[fileNames.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = recordCount(dir.resolve(fileNames.get(i)));
        }
        return counts;
    }

    /** Records in a file; a size that is not a whole number of records names the truncated record. */
    static long recordCount(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException("CIFAR-10 file " + file + " not found; " + INSTALL_HINT);
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (size % RECORD_BYTES != 0) {
            throw new DataException(file + " is truncated: " + size + " bytes is not a multiple of the record size "
                    + RECORD_BYTES + "; record index " + size / RECORD_BYTES + " (0-based) has only "
                    + size % RECORD_BYTES + " of " + RECORD_BYTES + " bytes. Re-run ./data-download.sh");
        }
        if (size == 0) {
            throw new DataException(file + " is empty (0 records). Re-run ./data-download.sh");
        }
        return size / RECORD_BYTES;
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }
}
