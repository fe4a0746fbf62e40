package io.github.lossforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

class LossForgeCliTest {

    static List<String> subcommands() {
        return new ArrayList<>(LossForgeCli.newCommandLine().getSubcommands().keySet());
    }

    @ParameterizedTest
    @MethodSource("subcommands")
    void everySubcommandPrintsItsHelpAndTheVersion(String command) {
        Cli help = Cli.run(command, "--help");
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: lossforge " + command).contains("--version").contains("--debug");
        Cli version = Cli.run(command, "--version");
        assertThat(version.code()).as(version.err()).isZero();
        assertThat(version.out()).isEqualTo("lossforge " + CliVersion.version() + " (DJL 0.36.0)\n");
    }

    @Test
    void theVersionIsTheProjectVersion() {
        assertThat(CliVersion.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(Cli.run("--version").out()).startsWith("lossforge " + CliVersion.version());
    }

    @Test
    void noCommandPrintsTheUsageListingEveryCommand() {
        Cli r = Cli.run();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("list").contains("info").contains("demo").contains("fit-scaling")
                .contains("guide-demo").contains("bench").contains("example");
    }

    @Test
    void anUnknownOptionIsOneLineOnStderrWithExitCodeTwo() {
        Cli r = Cli.run("list", "--frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("lossforge list: Unknown option: '--frobnicate' (see 'lossforge list --help')");
        assertThat(r.out()).isEmpty();
        Cli command = Cli.run("tarin");
        assertThat(command.code()).isEqualTo(2);
        assertThat(command.errLines()).hasSize(1);
        assertThat(command.err()).contains("'tarin'");
    }

    @Test
    void listShowsEveryRegisteredLossWithItsPaperAndDefaults() {
        Cli r = Cli.run("list");
        assertThat(r.code()).isZero();
        for (String id : Losses.ids()) {
            assertThat(r.out()).contains(id + "  " + Losses.info(id).lossClass().getName());
            assertThat(r.out()).contains(Losses.info(id).paper());
        }
        assertThat(r.out()).contains("tau=1.0").contains("lambda=1.0").contains("reduction=mean")
                .contains("example:     lossforge demo --loss comp-sum");
    }

    @Test
    void infoPrintsTheSummarySlotsParametersAndExample() {
        Cli r = Cli.run("info", "ldr-kl");
        assertThat(r.code()).as(r.err()).isZero();
        LossInfo info = Losses.info("ldr-kl");
        assertThat(r.out()).startsWith("ldr-kl  " + info.lossClass().getName() + "\n  "
                + JavadocSummaries.of(info.lossClass()) + "\n")
                .contains("  paper:       " + info.paper())
                .contains("  predictions: " + String.join("; ", info.predictionSlots()))
                .containsPattern("\n    lambda +=")
                .containsPattern("\n    reduction += mean +one of mean, sum, none")
                .contains("  example:     lossforge demo --loss ldr-kl");
        assertThat(JavadocSummaries.of(info.lossClass())).isNotBlank();
    }

    @Test
    void infoOfALossThatIsNotAClassifierNamesItsExample() {
        LossInfo info = Losses.info("symface");
        Cli r = Cli.run("info", "symface");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("  example:     " + info.example());
    }

    @Test
    void infoOfAnUnknownIdIsOneLineListingTheValidIds() {
        Cli r = Cli.run("info", "arcfase");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("lossforge info: ").contains("arcfase").contains("arcface");
        assertThat(Cli.run("info").err()).contains("Missing required parameter: 'ID'");
    }

    @Test
    void debugAddsTheStackTrace() {
        Cli r = Cli.run("info", "arcfase", "--debug");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines().length).isGreaterThan(3);
        assertThat(r.err()).contains("java.lang.IllegalArgumentException").contains("\tat ");
        assertThat(Cli.run("--debug", "info", "arcfase").err()).contains("\tat ");
    }

    @Test
    void demoTrainsAnAccurateClassifierWithTheDefaultLossPrintingOneLinePerEpoch() {
        Cli r = Cli.run("demo", "--epochs", "4");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\r").contains("epoch 1/4  loss ").contains("epoch 4/4  loss ");
        double accuracy = Double.parseDouble(r.out().substring(r.out().indexOf("test accuracy: ") + 15).trim());
        assertThat(accuracy).isGreaterThan(0.9);
    }

    @Test
    void demoTakesLossParameters() {
        Cli r = Cli.run("demo", "--loss", "ldr-kl", "--param", "lambda=2", "--param", "normalize=softplus-mean",
                "--epochs", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("with ldr-kl").contains("test accuracy: ");
    }

    @Test
    void demoTrainsWithTwoClasses() {
        Cli r = Cli.run("demo", "--classes", "2", "--epochs", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("on 2 Gaussian blobs").contains("test accuracy: ");
    }

    @Test
    void demoRejectsBadInputOnOneLineWithExitCodeTwo() {
        String[][] cases = {
            {"--epochs", "0"}, {"--epochs", "-3"}, {"--classes", "1"}, {"--classes", "0"}, {"--classes", "5000"},
            {"--epochs", "many"}, {"--loss", "nope"}, {"--param", "tau"}, {"--param", "gamma=2"}, {"--param", "tau=x"}
        };
        String[] expected = {
            "--epochs must be >= 1, got 0", "--epochs must be >= 1, got -3", "--classes must be >= 2, got 1",
            "--classes must be >= 2, got 0", "--classes must be <= 1000, got 5000", "'many' is not an int",
            "nope", "--param expects k=v, got 'tau'", "gamma", "tau"
        };
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("demo"));
            args.addAll(List.of(cases[i]));
            Cli r = Cli.run(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("lossforge demo: ").contains(expected[i])
                    .doesNotContain("\tat ");
            assertThat(r.out()).as(String.join(" ", args)).doesNotContain("test accuracy");
        }
    }

    @Test
    void demoRefusesALossThatIsNotAClassifierSayingWhereToSeeIt() {
        Cli r = Cli.run("demo", "--loss", "arcface");
        LossInfo info = Losses.info("arcface");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("lossforge demo: arcface is not a drop-in classifier loss (predictions: "
                + String.join("; ", info.predictionSlots()) + "), so demo cannot train with it; its example: "
                + info.example());
        assertThat(r.err()).doesNotContain("see see");
    }
}
