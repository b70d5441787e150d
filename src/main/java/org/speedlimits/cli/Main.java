package org.speedlimits.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code mvn exec:java -Dconfig=quickstart.yaml} or {@code java -cp ... org.speedlimits.cli.Main train ...}. */
@Command(name = "speedlimits", mixinStandardHelpOptions = true,
        description = "Speed limits for deep learning: full-batch GD experiments and analysis.",
        subcommands = {org.speedlimits.linreg.LinregCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
