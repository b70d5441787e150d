package org.speedlimits.ness;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.speedlimits.config.ConfigException;
import org.speedlimits.io.OutputFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ness --config ness-regression.yaml [--set "key=value ..."] [--out dir]}: paper 003's experiments (SGD with
 * and without replacement, the earthquake model, SGLD/SGWORLD) with their theory; writes config.yaml, the theory and
 * simulation CSVs and figures/ into the output folder (all at once: nothing half-written).
 */
@Command(name = "ness", mixinStandardHelpOptions = true,
        description = "Paper 003: minibatch SGD's non-equilibrium steady state, fluctuation theorems, SGLD vs SGWORLD (theory + simulation, Figs. 1C-4, 6).")
public final class NessCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "YAML config: a path, or a bare name looked up in configs/ (e.g. ness-regression.yaml)")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "overrides, e.g. --set \"sgd.eta=1e-6 stationary.chains=2\" (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: outputs/ness/<hash of the resolved config>).")
    Path out;

    /** Config problems throw {@link ConfigException}; {@code cli.Main} reports them and exits with code 2. */
    @Override
    public Integer call() throws Exception {
        NessConfig cfg = NessConfig.load(config, overrides);
        Path dir = out != null ? out : Path.of("outputs", "ness", cfg.runId());
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new ConfigException("--out " + dir + " exists and is not a directory");
        System.setProperty("java.awt.headless", "true");
        long t0 = System.nanoTime();
        NessExperiment experiment = new NessExperiment(cfg, System.out); // builds the model: bad data fails before any work
        OutputFolder.write(dir, tmp -> {
            Files.writeString(tmp.resolve("config.yaml"), cfg.toYaml(), StandardCharsets.UTF_8);
            experiment.run(tmp);
        });
        System.out.printf("ness: wrote %s (%.1f s)%n", dir, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
