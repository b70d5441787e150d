package org.speedlimits.data;

import org.speedlimits.config.TargetEncoding;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns raw CIFAR-10 into network inputs and targets.
 *
 * <p>Inputs: x = pixel / 255, then (optionally, default on) per-channel standardisation (x - mu_c) / sigma_c, where
 * mu_c and sigma_c are the mean and population standard deviation of channel c of the scaled TRAINING subset,
 * computed in double precision; the test set is standardised with the same training statistics.
 * Targets: one-hot e_y, or centred one-hot e_y - 1/K (K = 10), whose rows sum to zero.
 */
public final class Preprocessing {


    /** Per-channel statistics of [0,1]-scaled pixels; {@link #IDENTITY} leaves the inputs unchanged. */
    public record ChannelStats(double[] mean, double[] std) {
        public static final ChannelStats IDENTITY = new ChannelStats(new double[]{0, 0, 0}, new double[]{1, 1, 1});

        @Override
        public String toString() {
            return "mean " + format(mean) + ", std " + format(std);
        }

        private static String format(double[] values) {
            return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v)).toList().toString();
        }
    }

    /** Preprocessed splits; {@code channelMean}/{@code channelStd} are the statistics applied (identity if not standardised). */
    public record Dataset(INDArray trainX, INDArray trainY, INDArray testX, INDArray testY,
                          int[] trainLabels, int[] testLabels, double[] channelMean, double[] channelStd,
                          List<String> classNames) {
        public int trainSize() {
            return trainLabels.length;
        }

        public int testSize() {
            return testLabels.length;
        }
    }

    private Preprocessing() {
    }

    public static Dataset prepare(Cifar10Data raw, boolean standardize, TargetEncoding targets, DataType dtype) {
        ChannelStats stats = standardize ? channelStats(raw.trainX()) : ChannelStats.IDENTITY;
        return new Dataset(
                inputs(raw.trainX(), stats, dtype), targets(raw.trainLabels(), targets, dtype),
                inputs(raw.testX(), stats, dtype), targets(raw.testLabels(), targets, dtype),
                raw.trainLabels(), raw.testLabels(), stats.mean(), stats.std(), raw.classNames());
    }

    /**
     * Mean and population std per channel of raw (0-255) pixels after scaling by 1/255, in double precision.
     * A constant channel (std 0) gets std 1 so that standardising only centres it instead of making NaNs.
     */
    public static ChannelStats channelStats(INDArray rawPixels) {
        int channels = (int) rawPixels.size(1);
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            // one channel at a time keeps the double copy at a third of the data
            INDArray channel = copyAs(channelView(rawPixels, c), DataType.DOUBLE).divi(255.0);
            mean[c] = channel.meanNumber().doubleValue();
            double sigma = channel.std(false, 0, 1, 2).getDouble(0);
            std[c] = sigma > 0 ? sigma : 1.0;
        }
        return new ChannelStats(mean, std);
    }

    /** (raw / 255 - mean_c) / std_c as a new array of the requested type; the raw array is left unchanged. */
    public static INDArray inputs(INDArray rawPixels, ChannelStats stats, DataType dtype) {
        INDArray x = copyAs(rawPixels, dtype);
        if (x.isEmpty()) {
            return x; // no images (e.g. data.n_test: 0): nothing to scale
        }
        x.divi(255.0);
        for (int c = 0; c < stats.mean().length; c++) {
            channelView(x, c).subi(stats.mean()[c]).divi(stats.std()[c]);
        }
        return x;
    }

    /** Targets as an [n, 10] matrix: one-hot rows, or one-hot minus 1/10 for {@link TargetEncoding#CENTERED}. */
    public static INDArray targets(int[] labels, TargetEncoding encoding, DataType dtype) {
        int classes = Cifar10BinaryReader.NUM_CLASSES;
        double off = encoding == TargetEncoding.CENTERED ? -1.0 / classes : 0.0;
        double on = 1.0 + off;
        double[] values = new double[labels.length * classes];
        Arrays.fill(values, off);
        for (int i = 0; i < labels.length; i++) {
            values[i * classes + labels[i]] = on;
        }
        return Nd4j.create(values, new long[]{labels.length, classes}, DataType.DOUBLE).castTo(dtype);
    }

    /** A new array of the given type: castTo returns the array itself when the type already matches. */
    private static INDArray copyAs(INDArray a, DataType dtype) {
        INDArray cast = a.castTo(dtype);
        return cast == a ? a.dup() : cast;
    }

    private static INDArray channelView(INDArray nchw, int channel) {
        return nchw.get(NDArrayIndex.all(), NDArrayIndex.point(channel), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
