package io.github.lossforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lossforge.benchmarks.SuiteBench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

class BenchCommandTest {

    @Test
    void benchRejectsAnUnknownSuiteOnOneLineListingTheKnownOnes() {
        Cli r = Cli.run("bench", "betti");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("'betti'").contains("cce, " + String.join(", ", SuiteBench.SUITES));
    }

    @Test
    void benchHelpNamesTheSuites() {
        StringWriter help = new StringWriter();
        LossForgeCli.newCommandLine().getSubcommands().get("bench").usage(new PrintWriter(help));
        assertThat(help.toString()).contains("contrastive-chunked").contains("diffusion-fused");
    }

    @Test
    void benchRejectsNonsensicalIterationCounts() {
        Cli r = Cli.run("bench", "cce", "--iterations", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--iterations must be >= 1, got 0");
        assertThat(Cli.run("bench", "cce", "--threads", "-1").err()).contains("--threads must be >= 0, got -1");
    }

    @Test
    void benchCceProbesMemoryInSeparateJvmsAndWritesTheReport(@TempDir Path dir) throws Exception {
        Cli r = Cli.run("bench", "cce", "--shape", "64x8x512", "--no-large", "--no-timing", "--out", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        String json = Files.readString(dir.resolve("cce.json"));
        assertThat(json).contains("\"shape\": \"64x8x512\"").contains("\"variant\": \"naive\"")
                .contains("\"variant\": \"cce_exact\"").contains("\"variant\": \"cce_filtered\"")
                .contains("\"memoryVsNaive\"");
        assertThat(Files.readString(dir.resolve("cce.md"))).contains("| 64x8x512 | cce exact");
        assertThat(Files.readString(dir.resolve("cce.svg"))).contains("<svg").contains("</svg>");
        assertThat(dir.resolve("cce.png")).isNotEmptyFile();
    }
}
