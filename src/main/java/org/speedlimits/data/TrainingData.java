package org.speedlimits.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.Split;

import java.nio.file.Path;

/** The data stage's product for the trainer: preprocessed train and test splits, described for run.log. */
public record TrainingData(Split train, Split test, Preprocessing.Dataset dataset, String description) {

    /** Reads data.n_train / data.n_test images from data.dir (both counts are checked before reading) and preprocesses. */
    public static TrainingData load(ExperimentConfig.Data config, DataType dtype) {
        Cifar10Data raw = new Cifar10BinaryReader(Path.of(config.dir())).load(config.nTrain(), config.nTest(), dtype);
        Preprocessing.Dataset d = Preprocessing.prepare(raw, config.standardize(), config.targets(), dtype);
        String inputs = config.standardize()
                ? "pixels/255 standardised per channel with training-subset " + new Preprocessing.ChannelStats(d.channelMean(), d.channelStd())
                : "pixels/255";
        return new TrainingData(new Split(d.trainX(), d.trainY()), new Split(d.testX(), d.testY()), d,
                inputs + ", " + ExperimentConfig.yamlName(config.targets()) + " targets");
    }
}
