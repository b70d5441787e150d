package org.speedlimits.cli;

import org.speedlimits.config.ConfigLoader;
import org.speedlimits.run.StopSignal;
import org.speedlimits.run.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code train --config quickstart.yaml --set "train.epochs=50"}: one full-batch GD run into its run directory.
 * Rerunning the same command resumes an interrupted run (or does nothing if it is complete).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train one network by full-batch gradient descent into outputs/<experiment>/<run-id>/; "
                + "rerunning the same command resumes from the newest checkpoint.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML config: a path, or a bare name looked up in configs/ (e.g. quickstart.yaml)")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "overrides, e.g. --set \"model.width=16 train.epochs=50\" (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "resume the run in this directory (uses its config.yaml; no --config or --set)")
    Path resume;

    @Option(names = "--overwrite", description = "delete an existing run directory with the same run id and start over")
    boolean overwrite;

    @Override
    public Integer call() {
        ConfigLoader.Resolved resolved = resolve();
        return new TrainingJob(resolved, resume).run(overwrite, StopSignal.install());
    }

    private ConfigLoader.Resolved resolve() {
        if (resume == null) {
            if (config == null) {
                throw new org.speedlimits.config.ConfigException("give --config <file> (or --resume <run dir>)");
            }
            return ConfigLoader.load(config, overrides);
        }
        if (config != null || !ConfigLoader.splitOverrides(overrides).isEmpty() || overwrite) {
            throw new org.speedlimits.config.ConfigException("--resume takes the run's own config.yaml: "
                    + "don't combine it with --config, --set or --overwrite");
        }
        Path stored = resume.resolve(org.speedlimits.run.RunDirectory.CONFIG);
        if (!java.nio.file.Files.isRegularFile(stored)) {
            throw new org.speedlimits.config.ConfigException("--resume " + resume + ": no run directory there (no "
                    + org.speedlimits.run.RunDirectory.CONFIG + ")");
        }
        return ConfigLoader.fromRunConfig(stored);
    }
}
