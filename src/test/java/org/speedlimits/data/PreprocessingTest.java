package org.speedlimits.data;

import org.speedlimits.config.TargetEncoding;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.speedlimits.data.Preprocessing.Dataset;
import org.speedlimits.config.TargetEncoding;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PreprocessingTest {
    private static final int[] TRAIN_COUNTS = {5, 4, 3, 2, 2};
    private static final int N_TRAIN = 12; // a subset: statistics must come from these 12 images only
    private static final int N_TEST = 3;

    @TempDir
    Path dir;

    @Test
    void standardisedTrainingChannelsHaveMeanZeroAndStdOneAndTestUsesTrainingStatistics() throws IOException {
        SyntheticCifar.writeDataset(dir, TRAIN_COUNTS, N_TEST);
        Cifar10Data raw = new Cifar10BinaryReader(dir).load(N_TRAIN, N_TEST, DataType.FLOAT);
        checkStandardisation(raw, trainingFiles(dir), dir.resolve(Cifar10BinaryReader.TEST_FILE), 1e-5);
    }

    /** Regression: in float64 the statistics pass used to divide the raw pixels by 255 in place (castTo is a no-op). */
    @Test
    void float32AndFloat64GiveTheSameInputsAndLeaveTheRawPixelsAlone() throws IOException {
        SyntheticCifar.writeDataset(dir, TRAIN_COUNTS, N_TEST);
        Dataset[] prepared = new Dataset[2];
        DataType[] types = {DataType.FLOAT, DataType.DOUBLE};
        for (int i = 0; i < 2; i++) {
            Cifar10Data raw = new Cifar10BinaryReader(dir).load(N_TRAIN, N_TEST, types[i]);
            INDArray before = raw.trainX().dup();
            prepared[i] = Preprocessing.prepare(raw, true, TargetEncoding.ONEHOT, types[i]);
            assertEquals(before, raw.trainX(), types[i] + ": raw pixels unchanged");
        }
        assertArrayEquals(prepared[1].channelMean(), prepared[0].channelMean(), 1e-12);
        assertArrayEquals(prepared[1].channelStd(), prepared[0].channelStd(), 1e-12);
        double[] x32 = prepared[0].trainX().castTo(DataType.DOUBLE).ravel().toDoubleVector();
        double[] x64 = prepared[1].trainX().ravel().toDoubleVector();
        assertArrayEquals(x64, x32, 1e-5);
    }

    @Test
    void standardisationOnTheRealMirror() throws IOException {
        Path real = TestData.requireCifar();
        Cifar10Data raw = new Cifar10BinaryReader(real).load(500, 200, DataType.FLOAT);
        checkStandardisation(raw, trainingFiles(real), real.resolve(Cifar10BinaryReader.TEST_FILE), 1e-4);
    }

    @Test
    void withoutStandardisationPixelsAreOnlyScaled() throws IOException {
        SyntheticCifar.writeDataset(dir, TRAIN_COUNTS, N_TEST);
        Cifar10Data raw = new Cifar10BinaryReader(dir).load(N_TRAIN, N_TEST, DataType.DOUBLE);
        Dataset data = Preprocessing.prepare(raw, false, TargetEncoding.ONEHOT, DataType.DOUBLE);
        assertEquals(SyntheticCifar.pixel(7, 2, 9, 4) / 255.0, data.trainX().getDouble(7, 2, 9, 4), 1e-15);
        assertArrayEquals(new double[]{0, 0, 0}, data.channelMean());
        assertArrayEquals(new double[]{1, 1, 1}, data.channelStd());
        assertEquals(SyntheticCifar.pixel(7, 2, 9, 4), raw.trainX().getDouble(7, 2, 9, 4), 0.0, "raw data unchanged");
    }

    @Test
    void oneHotRowsSumToOneAndCentredRowsToZero() throws IOException {
        SyntheticCifar.writeDataset(dir, TRAIN_COUNTS, N_TEST);
        Cifar10Data raw = new Cifar10BinaryReader(dir).load(N_TRAIN, N_TEST, DataType.FLOAT);
        Dataset oneHot = Preprocessing.prepare(raw, true, TargetEncoding.ONEHOT, DataType.FLOAT);
        Dataset centred = Preprocessing.prepare(raw, true, TargetEncoding.CENTERED, DataType.DOUBLE);
        assertArrayEquals(new long[]{N_TRAIN, 10}, oneHot.trainY().shape());
        assertArrayEquals(new long[]{N_TEST, 10}, oneHot.testY().shape());
        assertEquals(DataType.FLOAT, oneHot.trainY().dataType());
        assertEquals(DataType.DOUBLE, centred.trainY().dataType());
        for (int i = 0; i < N_TRAIN; i++) {
            int label = raw.trainLabels()[i];
            assertEquals(1.0, oneHot.trainY().getRow(i).sumNumber().doubleValue(), 1e-6);
            assertEquals(0.0, centred.trainY().getRow(i).sumNumber().doubleValue(), 1e-12);
            for (int k = 0; k < 10; k++) {
                assertEquals(k == label ? 1.0 : 0.0, oneHot.trainY().getDouble(i, k), 0.0);
                assertEquals((k == label ? 1.0 : 0.0) - 0.1, centred.trainY().getDouble(i, k), 1e-15);
            }
        }
        assertArrayEquals(raw.testLabels(), oneHot.testLabels());
        assertEquals(1.0, oneHot.testY().getDouble(0, raw.testLabels()[0]), 0.0);
    }

    /**
     * Checks prepare() against statistics computed independently, in double, from the raw bytes of the files:
     * the reported channel statistics, mean 0 / std 1 on the training subset, and test = (x/255 - mu_train)/sigma_train.
     */
    private static void checkStandardisation(Cifar10Data raw, Path[] trainFiles, Path testFile, double tolerance)
            throws IOException {
        int nTrain = raw.trainSize();
        int nTest = raw.testSize();
        double[][] trainPixels = scaledPixelsPerChannel(trainFiles, nTrain);
        double[] mean = new double[3];
        double[] std = new double[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = mean(trainPixels[c]);
            std[c] = Math.sqrt(variance(trainPixels[c], mean[c]));
        }

        Dataset data = Preprocessing.prepare(raw, true, TargetEncoding.ONEHOT, DataType.FLOAT);
        assertArrayEquals(mean, data.channelMean(), 1e-12);
        assertArrayEquals(std, data.channelStd(), 1e-12);
        assertEquals(DataType.FLOAT, data.trainX().dataType());
        assertArrayEquals(new long[]{nTrain, 3, 32, 32}, data.trainX().shape());

        double[][] standardised = valuesPerChannel(data.trainX());
        double[][] testPixels = scaledPixelsPerChannel(new Path[]{testFile}, nTest);
        double[][] standardisedTest = valuesPerChannel(data.testX());
        for (int c = 0; c < 3; c++) {
            double m = mean(standardised[c]);
            assertEquals(0.0, m, tolerance, "channel " + c + " mean");
            assertEquals(1.0, Math.sqrt(variance(standardised[c], m)), tolerance, "channel " + c + " std");
            for (int p = 0; p < testPixels[c].length; p++) {
                assertEquals((testPixels[c][p] - mean[c]) / std[c], standardisedTest[c][p], tolerance,
                        "test channel " + c + " value " + p);
            }
        }
    }

    private static Path[] trainingFiles(Path dir) {
        return Cifar10BinaryReader.TRAIN_FILES.stream().map(dir::resolve).toArray(Path[]::new);
    }

    /** The first n records of the files (in order), pixel bytes / 255 grouped by channel; a plain loop over bytes. */
    private static double[][] scaledPixelsPerChannel(Path[] files, int n) throws IOException {
        double[][] channels = new double[3][n * 1024];
        byte[] record = new byte[Cifar10BinaryReader.RECORD_BYTES];
        int image = 0;
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                while (image < n && in.readNBytes(record, 0, record.length) == record.length) {
                    for (int c = 0; c < 3; c++) {
                        for (int p = 0; p < 1024; p++) {
                            channels[c][image * 1024 + p] = (record[1 + c * 1024 + p] & 0xFF) / 255.0;
                        }
                    }
                    image++;
                }
            }
        }
        assertEquals(n, image, "files hold fewer records than the test needs");
        return channels;
    }

    /** An [n, 3, 32, 32] array's values grouped by channel, in the same order as scaledPixelsPerChannel. */
    private static double[][] valuesPerChannel(INDArray nchw) {
        double[] all = nchw.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int n = (int) nchw.size(0);
        double[][] channels = new double[3][n * 1024];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(all, (i * 3 + c) * 1024, channels[c], i * 1024, 1024);
            }
        }
        return channels;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Population variance (divides by n), as in the preprocessing definition. */
    private static double variance(double[] values, double mean) {
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return sum / values.length;
    }
}
