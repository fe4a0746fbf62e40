package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

class FitScalingCommandTest {

    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LossForgeCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    private static double estimate(String output, String name) {
        Matcher m = Pattern.compile(name + "\\s+= (\\S+)").matcher(output);
        assertThat(m.find()).as("line for %s in%n%s", name, output).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void fitsAndPrintsTheLawWithIntervalsFromSizeLossRows() throws IOException {
        Random rng = new Random(1);
        StringBuilder csv = new StringBuilder("size,loss\n# synthetic: 1.5 + (1e3/x)^0.3\n");
        for (int i = 0; i < 20; i++) {
            double x = Math.pow(10, 3 + 6.0 * i / 19);
            csv.append(String.format(Locale.ROOT, "%.6g,%.8f%n", x, 1.5 + Math.pow(1e3 / x, 0.3) + 0.002 * rng.nextGaussian()));
        }
        Path file = dir.resolve("runs.csv");
        Files.writeString(file, csv);
        String[] r = run("fit-scaling", file.toString(), "--bootstrap", "30");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("fitted 20 points").contains("95% CI");
        assertThat(estimate(r[1], "Linf")).isCloseTo(1.5, org.assertj.core.data.Offset.offset(0.02));
        assertThat(estimate(r[1], "alpha")).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void reportsUnreadableRowsAndMissingFilesClearly() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "size,loss\n1e3,2.1\n1e4,abc\n");
        String[] r = run("fit-scaling", bad.toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).contains("line 3").contains("not numeric");
        String[] missing = run("fit-scaling", dir.resolve("none.csv").toString());
        assertThat(missing[0]).isEqualTo("2");
        assertThat(missing[2]).contains("cannot read");
        Path few = dir.resolve("few.csv");
        Files.writeString(few, "1e3,2.1\n1e4,2.0\n");
        assertThat(run("fit-scaling", few.toString())[2]).contains("at least 3");
    }
}
