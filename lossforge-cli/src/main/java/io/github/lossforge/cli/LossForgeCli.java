package io.github.lossforge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code lossforge} command line: {@code list}, {@code info}, {@code demo}, {@code fit-scaling},
 * {@code guide-demo}, {@code bench}, {@code example}. Bad input ends with one line on stderr and exit
 * code 2 (see {@link CliErrors}); {@code --debug} adds the stack trace.
 */
@Command(
        name = "lossforge",
        mixinStandardHelpOptions = true,
        versionProvider = CliVersion.class,
        description = "Research loss functions for DJL: list them, describe one, or train a demo model with one.",
        subcommands = {ListCommand.class, InfoCommand.class, DemoCommand.class, FitScalingCommand.class,
            GuideDemoCommand.class, BenchCommand.class, ExampleCommand.class})
public final class LossForgeCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "print the stack trace of an error (default: one line on stderr)")
    private boolean debug;

    /**
     * Runs the command line. The libtorch of the executable jar is the CPU build inside it, so DJL is
     * told not to download one unless the caller says otherwise ({@code -Dai.djl.offline=false}).
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.exit(newCommandLine().execute(args));
    }

    /**
     * The command line, for tests and embedding, with the error handling of {@link CliErrors}.
     *
     * @return a picocli command line
     */
    public static CommandLine newCommandLine() {
        LossForgeCli root = new LossForgeCli();
        CliErrors errors = new CliErrors(() -> root.debug);
        CommandLine cli = new CommandLine(root)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
        // everything after the example's name is the example's own arguments
        cli.getSubcommands().get("example").setStopAtPositional(true);
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
