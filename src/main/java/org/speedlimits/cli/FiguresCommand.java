package org.speedlimits.cli;

import org.speedlimits.config.ExitCodes;
import org.speedlimits.figures.PaperFigures;

import org.speedlimits.analysis.Analysis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code figures --runs ...}: the analysis (as {@code analyze}) plus every figure into {@code <out>/figures/}. */
@Command(name = "figures", mixinStandardHelpOptions = true,
        description = "Regenerates the analysis and the paper's figures (Fig. 1a-f, Fig. 2, overview.png) from run directories "
                + "into <out>/figures/ (PNG, SVG, PDF and the plotted numbers as CSV), or redraws them from an analysis folder (--analysis).")
public final class FiguresCommand extends AnalyzeCommand {
    @Option(names = "--panel-n", defaultValue = "2500", paramLabel = "N",
            description = "Single-ensemble panels (1a, 1b, 1c, 1f, Fig. 2) use the group with n closest to this (default: ${DEFAULT-VALUE}).")
    long panelN;

    /** Analysis + figures for explicit run directories (the entry point for a sweep's task list). */
    public int figures(List<Path> runDirs, Path outDir) {
        Analysis analysis = analyze(runDirs, outDir);
        Path dir = outDir.resolve("figures");
        List<String> notes = PaperFigures.write(analysis, dir, panelN);
        notes.forEach(n -> System.out.println("note: " + n));
        System.out.println("figures written to " + dir);
        return analysis.errors().isEmpty() ? 0 : ExitCodes.BAD_INPUT;
    }

    @Override
    public Integer call() {
        if (source.analysis != null) {
            List<String> notes = PaperFigures.redraw(source.analysis, panelN, warmThreshold);
            notes.forEach(n -> System.out.println("note: " + n));
            System.out.println("figures redrawn in " + source.analysis.resolve("figures"));
            return 0;
        }
        return figures(runDirectories(), outDir());
    }
}
