package io.github.lossforge.cli;

import io.github.lossforge.core.scaling.ConfidenceIntervals;
import io.github.lossforge.core.scaling.PowerLawPlusConstant;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lossforge fit-scaling FILE.csv}: fits \( L(x) = L_\infty + (x_0/x)^\alpha \) (Henighan et al.
 * 2020) to (size, loss) rows and prints the law with bootstrap confidence intervals.
 */
@Command(name = "fit-scaling", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Fit L(x) = Linf + (x0/x)^alpha to (size, loss) rows of a CSV file and print it with bootstrap CIs.")
final class FitScalingCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.csv",
            description = "rows of size,loss (a header row, blank lines and # comments are skipped)")
    private Path file;

    @Option(names = "--space", defaultValue = "loss",
            description = "residuals in 'loss' or 'log' space (default: ${DEFAULT-VALUE})")
    private String space;

    @Option(names = "--bootstrap", defaultValue = "200",
            description = "bootstrap resamples for the intervals (default: ${DEFAULT-VALUE})")
    private int resamples;

    @Option(names = "--level", defaultValue = "0.95", description = "interval coverage (default: ${DEFAULT-VALUE})")
    private double level;

    @Option(names = "--seed", defaultValue = "42", description = "resampling seed (default: ${DEFAULT-VALUE})")
    private long seed;

    @Override
    public Integer call() throws IOException {
        Validation.readableFile(spec, "FILE.csv", file);
        Validation.atLeast(spec, "--bootstrap", resamples, 1);
        Validation.between(spec, "--level", level, 0, 1);
        PowerLawPlusConstant.Space residualSpace = parseSpace(space);
        PrintWriter out = spec.commandLine().getOut();
        List<double[]> rows = readRows(file);
        double[] x = new double[rows.size()];
        double[] loss = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            x[i] = rows.get(i)[0];
            loss[i] = rows.get(i)[1];
        }
        PowerLawPlusConstant law = PowerLawPlusConstant.fit(x, loss, residualSpace);
        ConfidenceIntervals ci = PowerLawPlusConstant.bootstrap(x, loss, residualSpace, resamples, seed, level);
        out.println("fitted " + rows.size() + " points (" + residualSpace.name().toLowerCase(Locale.ROOT)
                + "-space least squares):");
        out.println("  " + law);
        out.print(ci.describe().indent(2));
        out.flush();
        return 0;
    }

    private PowerLawPlusConstant.Space parseSpace(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "loss":
                return PowerLawPlusConstant.Space.LOSS;
            case "log":
                return PowerLawPlusConstant.Space.LOG;
            default:
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--space must be loss or log, got '" + text + "'");
        }
    }

    /** (size, loss) rows; a first row that is not numeric is a header. */
    static List<double[]> readRows(Path csv) throws IOException {
        List<double[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("[,;\\t]");
            if (cells.length < 2) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + " has " + cells.length
                        + " column(s), expected size,loss");
            }
            try {
                rows.add(new double[] {Double.parseDouble(cells[0].strip()), Double.parseDouble(cells[1].strip())});
            } catch (NumberFormatException e) {
                if (!rows.isEmpty()) {
                    throw new IllegalArgumentException(csv + " line " + (n + 1) + " is not numeric: '" + line + "'");
                }
            }
        }
        return rows;
    }
}
