package org.speedlimits.linreg;

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
 * {@code linreg --config linreg.yaml [--set "key=value ..."] [--out dir]}: exact theory vs GD/Langevin simulation of the linear-regression
 * speed limit (paper Sec. 3.1, App. C). Writes config.yaml, linreg_curves.csv and the figures into the run directory.
 */
@Command(name = "linreg", mixinStandardHelpOptions = true,
        description = "Linear-regression speed limit: exact theory (finite sample and Marchenko-Pastur limit) vs GD/Langevin simulation.")
public final class LinregCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "YAML config: a path, or a bare name looked up in configs/ (e.g. linreg.yaml)")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "overrides, e.g. --set \"d=80 replicas=400\" (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: outputs/linreg/<hash of the resolved config>).")
    Path out;

    /** Config problems throw {@link ConfigException}; {@code cli.Main} reports them and exits with code 2. */
    @Override
    public Integer call() throws Exception {
        LinregConfig cfg = LinregConfig.load(config, overrides);
        Path dir = out != null ? out : Path.of("outputs", "linreg", cfg.runId());
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException("--out " + dir + " exists and is not a directory");
        }
        System.setProperty("java.awt.headless", "true");
        long t0 = System.nanoTime();
        LinregExperiment e = new LinregExperiment(cfg).run();
        OutputFolder.write(dir, tmp -> {
            Files.writeString(tmp.resolve("config.yaml"), cfg.toYaml(), StandardCharsets.UTF_8);
            Files.writeString(tmp.resolve("linreg_curves.csv"), e.csv(), StandardCharsets.UTF_8);
            LinregFigure.write(e, tmp);
        });
        System.out.printf("linreg: wrote %s (%.1f s)%n", dir, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
