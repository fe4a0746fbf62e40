package io.github.lossforge.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the command line with captured output.
 *
 * @param code the exit code
 * @param out what went to stdout
 * @param err what went to stderr
 */
record Cli(int code, String out, String err) {

    /**
     * Runs {@code lossforge ARGS} in this JVM.
     *
     * @param args the arguments
     * @return what happened
     */
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LossForgeCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /**
     * The lines of stderr.
     *
     * @return them
     */
    String[] errLines() {
        return err.lines().toArray(String[]::new);
    }
}
