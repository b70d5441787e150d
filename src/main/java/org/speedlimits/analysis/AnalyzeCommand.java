package org.speedlimits.analysis;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code analyze --runs DIR... [--out DIR] [--warm-threshold 0.12]}: summary.csv, curve CSVs and a markdown table. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Speed-limit analysis over run directories: inefficiency (cold/warm), l_gamma/l_geo, NTK theory, "
                + "power-law fits; writes <out>/summary.csv, <out>/curves/, <out>/spectra/ and prints a table.")
public class AnalyzeCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, split = ",", arity = "1..*",
            description = "Run directories and/or folders holding them (every subfolder with config.yaml + metrics.csv).")
    protected List<Path> runs;

    @Option(names = "--out", description = "Output folder (default: <first --runs path>/analysis).")
    protected Path out;

    @Option(names = "--warm-threshold", defaultValue = "0.12",
            description = "Seed-mean test accuracy that defines the warm start (default: ${DEFAULT-VALUE}).")
    protected double warmThreshold;

    /** Runs the analysis on explicit run directories (a sweep's tasks call this too) and writes the tables. */
    protected Analysis analyze(List<Path> runDirs, Path outDir) {
        Analysis analysis = Analysis.of(runDirs, warmThreshold);
        analysis.write(outDir);
        analysis.printReport(System.out);
        System.out.println("analysis written to " + outDir);
        return analysis;
    }

    protected Path outDir() {
        if (out != null) return out;
        Path first = runs.get(0).toAbsolutePath().normalize();
        return first.resolve("analysis");
    }

    /**
     * The run directories to analyse. TODO(lead, sweep merge): add {@code @Option --sweep FILE}, make --runs optional
     * (exactly one of the two), and return {@code Sweep.load(sweep).tasks()} mapped to {@code runDirectory()} here.
     */
    protected List<Path> runDirectories() {
        return RunSet.discover(runs);
    }

    @Override
    public Integer call() {
        Analysis a = analyze(runDirectories(), outDir());
        return a.errors().isEmpty() ? 0 : org.speedlimits.cli.Main.EXIT_BAD_INPUT;
    }
}
