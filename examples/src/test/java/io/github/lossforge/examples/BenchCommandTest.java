package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

class BenchCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LossForgeCli.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void benchRejectsAnUnknownSuiteListingTheKnownOnes() {
        String[] r = run("bench", "softmax");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[2]).contains("softmax").contains("cce");
    }

    @Test
    void benchCceProbesMemoryInSeparateJvmsAndWritesTheReport(@TempDir Path dir) throws Exception {
        String[] r = run("bench", "cce", "--shape", "64x8x512", "--no-large", "--no-timing", "--out", dir.toString());
        assertThat(r[0]).as(r[1] + r[2]).isEqualTo("0");
        String json = Files.readString(dir.resolve("cce.json"));
        assertThat(json).contains("\"shape\": \"64x8x512\"").contains("\"variant\": \"naive\"")
                .contains("\"variant\": \"cce_exact\"").contains("\"variant\": \"cce_filtered\"")
                .contains("\"memoryVsNaive\"");
        assertThat(Files.readString(dir.resolve("cce.md"))).contains("| 64x8x512 | cce exact");
        assertThat(Files.readString(dir.resolve("cce.svg"))).startsWith("<svg").contains("</svg>");
    }
}
