package org.speedlimits.cli;

import org.speedlimits.config.ConfigLoader;
import org.speedlimits.config.ExperimentConfig;
import org.speedlimits.data.TrainingData;
import org.speedlimits.figures.TrainingFigure;
import org.speedlimits.model.ModelFactory;
import org.speedlimits.model.Network;
import org.speedlimits.run.Backend;
import org.speedlimits.run.EnvironmentInfo;
import org.speedlimits.run.RunDirectory;
import org.speedlimits.run.RunLogging;
import org.speedlimits.train.EpochListener;
import org.speedlimits.train.EpochRecord;
import org.speedlimits.train.GradientDescentTrainer;
import org.speedlimits.train.MetricsWriter;
import org.speedlimits.train.ProgressLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code train --config quickstart.yaml --set "train.epochs=50"}: one full-batch GD run into its run directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train one network by full-batch gradient descent and write outputs/<experiment>/<run-id>/.")
public final class TrainCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

    @Option(names = {"-c", "--config"}, required = true,
            description = "YAML config: a path, or a bare name looked up in configs/ (e.g. quickstart.yaml)")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "overrides, e.g. --set \"model.width=16 train.epochs=50\" (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--overwrite", description = "replace an existing run directory with the same run id")
    boolean overwrite;

    @Override
    public Integer call() {
        ConfigLoader.Resolved resolved = ConfigLoader.load(config, overrides);
        ExperimentConfig c = resolved.config();
        Map<String, Object> backend = Backend.initialise();
        // everything that can reject the input happens before the run directory exists
        TrainingData data = TrainingData.load(c.data(), c.train().dtype().dataType());
        Network network = ModelFactory.build(c.model(), c.seed(), c.train().dtype().dataType());
        RunDirectory run = RunDirectory.create(resolved, overwrite);
        try (RunLogging ignored = RunLogging.attach(run.file(RunDirectory.LOG))) {
            LOG.info("run directory {}", run.path());
            LOG.info("config {} with overrides {}, resolved (also in {}):\n{}", resolved.source(),
                    ConfigLoader.splitOverrides(overrides), RunDirectory.CONFIG, resolved.toYaml().strip());
            LOG.info("data: {} train / {} test images from {}; {}", data.train().size(), data.test().size(),
                    c.data().dir(), data.description());
            LOG.info("model: {}-{} width {} ({} DL4J layers), {} parameters, {} parameterisation, {}",
                    ExperimentConfig.yamlName(c.model().type()), c.model().depth(), c.model().width(),
                    network.net().getLayers().length, network.numParams(),
                    ExperimentConfig.yamlName(c.model().parameterization()), ExperimentConfig.yamlName(c.train().dtype()));
            EnvironmentInfo.write(run.file(RunDirectory.ENV), EnvironmentInfo.collect(backend));
            List<EpochListener> listeners = new ArrayList<>();
            listeners.add(new MetricsWriter(run.file(RunDirectory.METRICS)));
            listeners.add(new ProgressLogger(c.train().epochs(), c.train().progressEvery(), c.train().progressSeconds()));
            if (c.output().figure()) {
                listeners.add(new TrainingFigure(run.file(RunDirectory.FIGURE)));
            }
            EpochRecord last = new GradientDescentTrainer(network, data.train(), data.test(), c.train()).run(listeners);
            LOG.info("finished {} epochs in {}: train loss {} , train acc {}, run directory {}", last.epoch(),
                    ProgressLogger.duration(last.wallSeconds()), last.trainLoss(), last.trainAccuracy(), run.path());
            return 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
