package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lossforge.core.Losses;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

class LossForgeCliTest {

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
    void listShowsEveryRegisteredLossWithItsPaperAndDefaults() {
        String[] r = run("list");
        assertThat(r[0]).isEqualTo("0");
        for (String id : Losses.ids()) {
            assertThat(r[1]).contains(id + "  " + Losses.info(id).lossClass().getName());
            assertThat(r[1]).contains(Losses.info(id).paper());
        }
        assertThat(r[1]).contains("tau=1.0").contains("lambda=1.0").contains("reduction=mean");
    }

    @Test
    void demoTrainsAnAccurateClassifierWithTheDefaultLoss() {
        String[] r = run("demo", "--epochs", "4");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("epoch  4 [##############################]");
        double accuracy = Double.parseDouble(r[1].substring(r[1].indexOf("test accuracy: ") + 15).trim());
        assertThat(accuracy).isGreaterThan(0.9);
    }

    @Test
    void demoTakesLossParameters() {
        String[] r = run("demo", "--loss", "ldr-kl", "--param", "lambda=2", "--param", "normalize=softplus-mean",
                "--epochs", "3");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("with ldr-kl").contains("test accuracy: ");
    }

    @Test
    void demoRejectsAnUnknownParameterListingTheValidOnes() {
        String[] r = run("demo", "--loss", "comp-sum", "--param", "gamma=2");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[2]).contains("gamma").contains("tau");
    }
}
