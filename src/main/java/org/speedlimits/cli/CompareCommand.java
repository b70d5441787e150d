package org.speedlimits.cli;

import org.speedlimits.analysis.RunComparison;
import org.speedlimits.analysis.RunData;
import org.speedlimits.figures.ComparisonFigure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code compare --runs REF OTHER... --out DIR [--horizon T]}: runs of one θ₀ under different dynamics on one time axis. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compares runs that start from the same theta_0 under different dynamics (e.g. GD at a learning rate "
                + "and gradient flow) at the times they all recorded: writes <out>/comparison.csv and "
                + "<out>/figures/comparison.{png,svg,pdf,csv} (loss, cold inefficiency, l_gamma/l_geo, loss drop against the first run) "
                + "and prints a table with GD's first-order expectation eta*lambda_max/2.")
public final class CompareCommand implements Callable<Integer> {
    @Option(names = "--runs", split = ",", arity = "2..*", required = true, paramLabel = "DIR",
            description = "Run directories; the first is the reference (e.g. the flow run).")
    List<Path> runs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--horizon", paramLabel = "T", description = "Compare up to time T (default: the end of the shortest run).")
    Double horizon;

    /** Bad runs throw AnalysisException, which {@link Main} reports as bad input (exit 2), as for analyze. */
    @Override
    public Integer call() {
        RunComparison c = RunComparison.of(runs.stream().map(RunData::load).toList(),
                horizon == null ? Double.POSITIVE_INFINITY : horizon);
        c.write(out);
        ComparisonFigure.write(c, out.resolve("figures"));
        c.printReport(System.out);
        System.out.println("comparison written to " + out);
        return 0;
    }
}
