package org.speedlimits.cli;

import org.speedlimits.config.ExitCodes;
import org.speedlimits.analysis.RunSet;

import org.speedlimits.analysis.Analysis;

import org.speedlimits.sweep.Sweep;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code analyze (--sweep FILE | --runs DIR...) [--out DIR] [--warm-threshold 0.12]}: summary.csv, curve CSVs and a
 * markdown table.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Speed-limit analysis over run directories: inefficiency (cold/warm), l_gamma/l_geo, NTK theory, "
                + "power-law fits; writes <out>/summary.csv, <out>/curves/, <out>/spectra/ and prints a table.")
public class AnalyzeCommand implements Callable<Integer> {
    /** Where the runs come from: an experiment file's grid points, or explicit folders. */
    static final class Source {
        @Option(names = "--sweep", paramLabel = "FILE", description = "Experiment file (sweep): analyse the run directories of its grid points.")
        Path sweep;

        @Option(names = "--runs", split = ",", arity = "1..*", paramLabel = "DIR",
                description = "Run directories and/or folders holding them (every subfolder with config.yaml + metrics.csv); "
                        + "space- or comma-separated, repeatable.")
        List<Path> runs;

        @Option(names = "--analysis", paramLabel = "DIR",
                description = "figures only: redraw the figures of a written analysis folder (summary.csv, curves/, spectra/) "
                        + "into DIR/figures/, without the runs (e.g. a committed experiments/results/ folder).")
        Path analysis;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    protected Source source;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: <sweep folder>/analysis, or <first --runs path>/analysis).")
    protected Path out;

    @Option(names = "--warm-threshold", defaultValue = "0.12", paramLabel = "ACC",
            description = "Seed-mean test accuracy that defines the warm start (default: ${DEFAULT-VALUE}).")
    protected double warmThreshold;

    @Option(names = "--warm-time", paramLabel = "T",
            description = "Fixed warm start: the first row at physical time >= T, instead of the accuracy rule (e.g. the paper's epoch 2000; docs/physics.md).")
    protected Double warmTime;

    @Option(names = "--horizon", paramLabel = "T",
            description = "Analyse the runs up to physical time T only: final values are those at T (default: the whole run).")
    protected Double horizon;

    /** Runs the analysis on explicit run directories (a sweep's tasks call this too) and writes the tables. */
    protected Analysis analyze(List<Path> runDirs, Path outDir) {
        Analysis analysis = Analysis.of(runDirs, new Analysis.Options(warmThreshold,
                warmTime == null ? Double.NaN : warmTime, horizon == null ? Double.POSITIVE_INFINITY : horizon));
        analysis.write(outDir);
        analysis.printReport(System.out);
        System.out.println("analysis written to " + outDir);
        return analysis;
    }

    protected Path outDir() {
        if (out != null) {
            return out;
        }
        Path root = source.sweep != null ? Sweep.load(source.sweep).folder() : source.runs.get(0);
        return root.toAbsolutePath().normalize().resolve("analysis");
    }

    /** The run directories to analyse: every grid point of the sweep (missing ones are reported), or --runs. */
    protected List<Path> runDirectories() {
        if (source.sweep != null) {
            return Sweep.load(source.sweep).tasks().stream().map(Sweep.Task::runDirectory).toList();
        }
        return RunSet.discover(source.runs);
    }

    @Override
    public Integer call() {
        if (source.analysis != null) {
            System.err.println("analyze: --analysis is for `figures` (it redraws an analysis folder); give --sweep or --runs");
            return ExitCodes.BAD_INPUT;
        }
        Analysis a = analyze(runDirectories(), outDir());
        return a.errors().isEmpty() ? 0 : ExitCodes.BAD_INPUT;
    }
}
