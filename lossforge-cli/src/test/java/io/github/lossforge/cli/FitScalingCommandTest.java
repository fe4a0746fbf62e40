package io.github.lossforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

class FitScalingCommandTest {

    @TempDir
    Path dir;


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
        Cli r = Cli.run("fit-scaling", file.toString(), "--bootstrap", "30");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fitted 20 points").contains("95% CI");
        assertThat(estimate(r.out(), "Linf")).isCloseTo(1.5, org.assertj.core.data.Offset.offset(0.02));
        assertThat(estimate(r.out(), "alpha")).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void reportsAnUnreadableRowOnOneLineNamingFileAndLine() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "size,loss\n1e3,2.1\n1e4,abc\n");
        Cli r = Cli.run("fit-scaling", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("lossforge fit-scaling: " + bad + " line 3 is not numeric: '1e4,abc'");
        Path few = dir.resolve("few.csv");
        Files.writeString(few, "1e3,2.1\n1e4,2.0\n");
        assertThat(Cli.run("fit-scaling", few.toString()).err()).contains("at least 3");
    }

    @Test
    void saysWhyAFileCannotBeRead() throws IOException {
        Path missing = dir.resolve("none.csv");
        Cli r = Cli.run("fit-scaling", missing.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("lossforge fit-scaling: cannot read FILE.csv '" + missing
                + "': no such file (see 'lossforge fit-scaling --help')");
        assertThat(Cli.run("fit-scaling", dir.toString()).err()).contains("not a regular file");
    }

    @Test
    void rejectsBadIntervalSettings() throws IOException {
        Path file = dir.resolve("ok.csv");
        Files.writeString(file, "1e3,2.1\n1e4,2.0\n1e5,1.9\n");
        assertThat(Cli.run("fit-scaling", file.toString(), "--level", "1.5").err())
                .contains("--level must be in (0.0, 1.0), got 1.5");
        assertThat(Cli.run("fit-scaling", file.toString(), "--bootstrap", "0").err())
                .contains("--bootstrap must be >= 1, got 0");
        Cli space = Cli.run("fit-scaling", file.toString(), "--space", "linear");
        assertThat(space.code()).isEqualTo(2);
        assertThat(space.err()).contains("--space must be loss or log, got 'linear'");
    }
}
