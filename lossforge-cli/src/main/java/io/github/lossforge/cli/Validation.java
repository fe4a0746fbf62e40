package io.github.lossforge.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of option values, failing with a {@link ParameterException} that names the option and the value. */
final class Validation {

    private Validation() {}

    /**
     * Requires {@code value ≥ min}.
     *
     * @param spec the command
     * @param option the option's name, e.g. {@code --epochs}
     * @param value what was given
     * @param min the least allowed value
     */
    static void atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), option + " must be >= " + min + ", got " + value);
        }
    }

    /**
     * Requires {@code value ≤ max}.
     *
     * @param spec the command
     * @param option the option's name
     * @param value what was given
     * @param max the largest allowed value
     */
    static void atMost(CommandSpec spec, String option, long value, long max) {
        if (value > max) {
            throw new ParameterException(spec.commandLine(), option + " must be <= " + max + ", got " + value);
        }
    }

    /**
     * Requires {@code lo < value < hi}.
     *
     * @param spec the command
     * @param option the option's name
     * @param value what was given
     * @param lo the exclusive lower bound
     * @param hi the exclusive upper bound
     */
    static void between(CommandSpec spec, String option, double value, double lo, double hi) {
        if (!(value > lo && value < hi)) {
            throw new ParameterException(spec.commandLine(),
                    option + " must be in (" + lo + ", " + hi + "), got " + value);
        }
    }

    /**
     * Requires an existing, readable regular file.
     *
     * @param spec the command
     * @param label how the argument is called in the usage, e.g. {@code FILE.csv}
     * @param file what was given
     */
    static void readableFile(CommandSpec spec, String label, Path file) {
        String problem = !Files.exists(file) ? "no such file"
                : !Files.isRegularFile(file) ? "not a regular file"
                : !Files.isReadable(file) ? "not readable (permission denied)" : null;
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), "cannot read " + label + " '" + file + "': " + problem);
        }
    }
}
