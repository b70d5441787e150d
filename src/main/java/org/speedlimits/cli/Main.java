package org.speedlimits.cli;

import org.speedlimits.config.ExitCodes;
import org.speedlimits.analysis.AnalysisException;
import org.speedlimits.config.ConfigException;
import org.speedlimits.data.DataException;
import org.speedlimits.run.RunStateException;
import org.speedlimits.train.DivergenceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point: {@code mvn exec:java -Dconfig=quickstart.yaml} runs {@code train --config quickstart.yaml}.
 * Exit codes ({@link ExitCodes}): 0 done; 1 unexpected error; 2 bad command line, config, experiment file, data or run
 * directory; 3 training diverged; 75 stopped by SIGTERM/SIGINT after writing a checkpoint (rerun to resume).
 */
@Command(name = "speedlimits", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Speed limits for deep learning: full-batch GD experiments and analysis.",
        subcommands = {TrainCommand.class, SweepCommand.class, NtkCommand.class,
                AnalyzeCommand.class, FiguresCommand.class, CompareCommand.class, ServeCommand.class,
                org.speedlimits.linreg.LinregCommand.class, org.speedlimits.ness.NessCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (used by tests, which must not call System.exit). */
    public static int execute(String... args) {
        CommandLine cli = commandLine();
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            int code = e instanceof ConfigException || e instanceof DataException || e instanceof RunStateException
                    || e instanceof org.speedlimits.sweep.SweepException || e instanceof AnalysisException ? ExitCodes.BAD_INPUT
                    : e instanceof DivergenceException ? ExitCodes.DIVERGED : ExitCodes.FAILED;
            cmd.getErr().println("error: " + e.getMessage());
            if (code == ExitCodes.FAILED) {
                e.printStackTrace(cmd.getErr());
            }
            return code;
        });
        return cli.execute(args);
    }

    /** The command tree, with usage help that breaks lines only at spaces ({@link HelpLayout}). */
    public static CommandLine commandLine() {
        CommandLine root = new CommandLine(new Main());
        versions(root);
        return HelpLayout.install(root);
    }

    private static void versions(CommandLine cli) {
        cli.getCommandSpec().versionProvider(new Version());
        cli.getSubcommands().values().forEach(Main::versions);
    }

    @Override
    public void run() {
        commandLine().usage(System.out);
    }

    /** {@code --version}: the packaged jar's Implementation-Version, else that this runs from the build folders. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"speedlimits " + (v != null ? v : "(classes, not the packaged jar)"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
