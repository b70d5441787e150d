package org.speedlimits.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.speedlimits.data.MnistIdxReader.IMAGE_MAGIC;
import static org.speedlimits.data.MnistIdxReader.LABEL_MAGIC;
import static org.speedlimits.data.MnistTestData.gzip;
import static org.speedlimits.data.MnistTestData.imageBytes;
import static org.speedlimits.data.MnistTestData.labelBytes;
import static org.speedlimits.data.MnistTestData.write;

/** The IDX format on tiny generated files, plain and gzip, and every kind of bad file. */
class MnistIdxReaderTest {
    private static final int COUNT = 5;

    @TempDir
    Path dir;

    private static void assertMessage(DataException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message lacks '" + part + "': " + e.getMessage());
        }
    }

    private void assertPixelsAndLabels(MnistData data, int n) {
        assertEquals(n, data.size());
        assertEquals(28, data.rows());
        for (int i = 0; i < n; i++) {
            assertEquals(MnistTestData.label(i), data.labels()[i], "label " + i);
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    assertEquals(MnistTestData.pixel(i, r, c), data.pixel(i, r, c), "image " + i + " (" + r + "," + c + ")");
                    assertEquals(MnistTestData.pixel(i, r, c), data.pixels()[i * 784 + r * 28 + c] & 0xFF);
                }
            }
        }
    }

    @Test
    void readsPlainAndGzipFilesAlike() throws IOException {
        Path images = write(dir.resolve("img"), imageBytes(COUNT));
        Path labels = write(dir.resolve("lab"), labelBytes(COUNT));
        Path imagesGz = write(dir.resolve("img.gz"), gzip(imageBytes(COUNT)));
        Path labelsGz = write(dir.resolve("lab.gz"), gzip(labelBytes(COUNT)));
        assertPixelsAndLabels(MnistIdxReader.read(images, labels, COUNT), COUNT);
        assertPixelsAndLabels(MnistIdxReader.read(imagesGz, labelsGz, COUNT), COUNT);
        assertPixelsAndLabels(MnistIdxReader.read(imagesGz, labels, 3), 3); // the first records only
        assertEquals(COUNT, MnistIdxReader.count(imagesGz, IMAGE_MAGIC));
        assertEquals(COUNT, MnistIdxReader.count(labels, LABEL_MAGIC));
    }

    @Test
    void gzipIsToldByItsMagicBytesNotItsName() throws IOException {
        Path gzNamedPlain = write(dir.resolve("images-idx3-ubyte"), gzip(imageBytes(COUNT)));
        Path plainNamedGz = write(dir.resolve("labels-idx1-ubyte.gz"), labelBytes(COUNT));
        assertPixelsAndLabels(MnistIdxReader.read(gzNamedPlain, plainNamedGz, COUNT), COUNT);
    }

    @Test
    void rejectsWrongMagicNumbers() throws IOException {
        Path labels = write(dir.resolve("lab"), labelBytes(COUNT));
        Path images = write(dir.resolve("img"), imageBytes(COUNT));
        DataException swapped = assertThrows(DataException.class, () -> MnistIdxReader.readImages(labels, 1));
        assertMessage(swapped, labels.toString(), "magic number 0x00000801", "expected 0x00000803", "swapped");
        DataException swapped2 = assertThrows(DataException.class, () -> MnistIdxReader.readLabels(images, 1));
        assertMessage(swapped2, images.toString(), "expected 0x00000801", "swapped");
        Path little = write(dir.resolve("little"),
                imageBytes(Integer.reverseBytes(IMAGE_MAGIC), COUNT, COUNT, 28, 28));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(little, 1)),
                "magic number 0x03080000", "little-endian");
        Path text = write(dir.resolve("index.html"), "<html>not found</html>".getBytes());
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(text, 1)),
                text.toString(), "expected 0x00000803");
    }

    @Test
    void rejectsOtherImageSizes() throws IOException {
        Path small = write(dir.resolve("img"), imageBytes(IMAGE_MAGIC, 2, 2, 27, 28));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(small, 1)),
                small.toString(), "27x28", "expected 28x28");
        // the general reader takes other sizes when asked for them
        byte[] pixels = MnistIdxReader.readImages(small, 2, 27, 28);
        assertEquals(2 * 27 * 28, pixels.length);
        assertEquals(MnistTestData.pixel(1, 26, 27), pixels[27 * 28 + 26 * 28 + 27] & 0xFF);
    }

    @Test
    void rejectsTruncatedFilesEvenWhenOnlyTheirStartIsRead() throws IOException {
        byte[] whole = imageBytes(COUNT);
        byte[] cut = Arrays.copyOf(whole, 16 + 3 * 784 + 100); // image index 3 incomplete
        Path plain = write(dir.resolve("img"), cut);
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(plain, 1)),
                plain.toString(), "truncated", "image index 3", "promises");
        Path gz = write(dir.resolve("img.gz"), gzip(cut));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(gz, 1)),
                gz.toString(), "truncated", "image index 3", "promises 5 images");
        byte[] gzWhole = gzip(whole);
        Path cutGz = write(dir.resolve("cut.gz"), Arrays.copyOf(gzWhole, gzWhole.length / 2));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(cutGz, 1)),
                cutGz.toString(), "gzip");
        Path labels = write(dir.resolve("lab"), Arrays.copyOf(labelBytes(COUNT), 8 + 2));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readLabels(labels, 1)),
                labels.toString(), "truncated", "label index 2");
        Path header = write(dir.resolve("hdr"), Arrays.copyOf(whole, 10));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(header, 1)),
                header.toString(), "too short", "header");
    }

    @Test
    void rejectsBytesAfterTheLastRecord() throws IOException {
        byte[] longer = Arrays.copyOf(imageBytes(COUNT), 16 + COUNT * 784 + 1);
        Path plain = write(dir.resolve("img"), longer);
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(plain, COUNT)),
                plain.toString(), "1 bytes after the last image");
        Path gz = write(dir.resolve("img.gz"), gzip(longer));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(gz, COUNT)),
                gz.toString(), "goes on after the last of the 5 images");
        // header count smaller than the body: the same error, not silently fewer images
        Path fewer = write(dir.resolve("fewer"), imageBytes(IMAGE_MAGIC, 4, COUNT, 28, 28));
        assertThrows(DataException.class, () -> MnistIdxReader.readImages(fewer, 4));
    }

    @Test
    void rejectsLabelsOutsideZeroToNineAnywhereInTheFile() throws IOException {
        Path labels = write(dir.resolve("lab"), labelBytes(LABEL_MAGIC, 5, 1, 2, 3, 10, 4));
        DataException e = assertThrows(DataException.class, () -> MnistIdxReader.readLabels(labels, 2));
        assertMessage(e, labels.toString(), "label index 3 (0-based) is 10, expected 0-9");
        Path ok = write(dir.resolve("ok"), labelBytes(LABEL_MAGIC, 5, 1, 2, 3, 9, 0)); // control: 9 and 0 are fine
        assertArrayEquals(new int[]{1, 2, 3, 9, 0}, MnistIdxReader.readLabels(ok, 5));
    }

    @Test
    void rejectsBadLimitsAndMismatchedCounts() throws IOException {
        Path images = write(dir.resolve("img"), imageBytes(COUNT));
        Path labels = write(dir.resolve("lab"), labelBytes(COUNT));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readImages(images, COUNT + 1)),
                "asked for 6 images", images + " holds only 5");
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readLabels(labels, 0)),
                "at least 1, got 0");
        Path fourLabels = write(dir.resolve("lab4"), labelBytes(4));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.read(images, fourLabels, 2)),
                "holds 5 images", "holds 4 labels", "the same count");
    }

    @Test
    void missingFilesAndFoldersSayHowToInstall() throws IOException {
        Path none = dir.resolve("nothing-here");
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readTraining(none, 1)),
                "MNIST directory", "nothing-here", "./data-download.sh", "MNIST_MIRROR=");
        Files.createDirectories(none);
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readTraining(none, 1)),
                "images-idx3-ubyte", "train-images-idx3-ubyte.gz", "./data-download.sh");
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readTest(none, 1)),
                "t10k-images-idx3-ubyte.gz", "no test set");
        write(none.resolve(MnistIdxReader.TRAIN_IMAGES), gzip(imageBytes(COUNT)));
        assertMessage(assertThrows(DataException.class, () -> MnistIdxReader.readTraining(none, 1)),
                "train-labels-idx1-ubyte.gz", "not found");
    }

    @Test
    void trainingPrefersTheOfficialFilesOverTheMirrorLayout() throws IOException {
        write(dir.resolve(MnistIdxReader.MIRROR_IMAGES), imageBytes(2));
        write(dir.resolve(MnistIdxReader.MIRROR_LABELS), labelBytes(2));
        assertEquals(2, MnistIdxReader.readTraining(dir, 2).size());
        write(dir.resolve(MnistIdxReader.TRAIN_IMAGES), gzip(imageBytes(COUNT)));
        write(dir.resolve("train-labels-idx1-ubyte"), labelBytes(COUNT)); // decompressed name accepted too
        assertPixelsAndLabels(MnistIdxReader.readTraining(dir, COUNT), COUNT);
        write(dir.resolve(MnistIdxReader.TEST_IMAGES), gzip(imageBytes(3)));
        write(dir.resolve(MnistIdxReader.TEST_LABELS), gzip(labelBytes(3)));
        assertPixelsAndLabels(MnistIdxReader.readTest(dir, 3), 3);
    }
}
