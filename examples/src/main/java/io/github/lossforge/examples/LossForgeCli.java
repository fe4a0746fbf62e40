package io.github.lossforge.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lossforge} command line: {@code list}, {@code demo}, {@code fit-scaling}, {@code
 * guide-demo}, {@code bench}.
 */
@Command(
        name = "lossforge",
        mixinStandardHelpOptions = true,
        version = "lossforge 0.1.0-SNAPSHOT",
        description = "Research loss functions for DJL: list them, or train a demo model with one.",
        subcommands = {ListCommand.class, DemoCommand.class, FitScalingCommand.class, GuideDemoCommand.class,
            BenchCommand.class})
public final class LossForgeCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /**
     * The command line, for tests and embedding.
     *
     * @return a picocli command line
     */
    public static CommandLine newCommandLine() {
        return new CommandLine(new LossForgeCli());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
