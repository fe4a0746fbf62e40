package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

class BenchSuitesCommandTest {

    @Test
    void benchNamesTheLossFamilySuitesBesideCce() {
        StringWriter err = new StringWriter();
        CommandLine cli = LossForgeCli.newCommandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("bench", "betti");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("'betti'")
                .contains("cce, contrastive-chunked, betti-matching, diffusion-fused");
        StringWriter help = new StringWriter();
        cli.getSubcommands().get("bench").usage(new PrintWriter(help));
        assertThat(help.toString()).contains("contrastive-chunked").contains("diffusion-fused");
    }
}
