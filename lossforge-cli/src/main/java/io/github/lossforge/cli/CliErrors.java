package io.github.lossforge.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.util.function.BooleanSupplier;

/**
 * How the command line ends on an error: one line on stderr, {@code lossforge CMD: what went wrong},
 * and exit code 2 for bad input (a bad option, an unknown loss id or parameter, a missing file: picocli's
 * {@link ParameterException} and the library's {@link IllegalArgumentException}) or 1 for anything
 * else. The stack trace follows only with {@code --debug}.
 */
final class CliErrors implements CommandLine.IParameterExceptionHandler, CommandLine.IExecutionExceptionHandler {

    /** The exit code of bad input. */
    static final int BAD_INPUT = 2;

    /** The exit code of a failure that is not the input's fault. */
    static final int FAILURE = 1;

    private final BooleanSupplier debug;

    /**
     * The handlers.
     *
     * @param debug whether {@code --debug} was given
     */
    CliErrors(BooleanSupplier debug) {
        this.debug = debug;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        report(cmd.getErr(), name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')", ex,
                debug.getAsBoolean() || contains(args, "--debug"));
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        if (ex instanceof ParameterException) {
            return handleParseException((ParameterException) ex, parseResult.originalArgs().toArray(String[]::new));
        }
        String what = ex.getMessage() == null ? ex.getClass().getSimpleName() : oneLine(ex.getMessage());
        boolean badInput = ex instanceof IllegalArgumentException;
        report(cmd.getErr(), cmd.getCommandSpec().qualifiedName() + ": " + (badInput ? "" : "failed: ") + what, ex,
                debug.getAsBoolean());
        return badInput ? BAD_INPUT : FAILURE;
    }

    private static void report(PrintWriter err, String line, Exception ex, boolean withTrace) {
        err.println(line);
        if (withTrace) {
            ex.printStackTrace(err);
        }
        err.flush();
    }

    /** A message on one line: multi-line library messages are joined with "; ". */
    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static boolean contains(String[] args, String flag) {
        for (String a : args) {
            if (flag.equals(a)) {
                return true;
            }
        }
        return false;
    }
}
