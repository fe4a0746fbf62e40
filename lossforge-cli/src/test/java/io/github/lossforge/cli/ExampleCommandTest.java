package io.github.lossforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.List;

class ExampleCommandTest {

    @Test
    void withoutANameItListsTheExamplesOfTheExamplesModule() {
        List<String> examples = ExampleCommand.available();
        assertThat(examples).isNotEmpty().allSatisfy(name -> assertThat(name).doesNotContain("$").doesNotContain("/"));
        Cli r = Cli.run("example");
        assertThat(r.code()).isZero();
        for (String name : examples) {
            assertThat(r.out()).contains("\n  " + name + "\n");
        }
    }

    @Test
    void anUnknownExampleIsOneLineListingTheKnownOnes() {
        Cli r = Cli.run("example", "face.NoSuchDemo", "--quick");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("lossforge example: no example 'face.NoSuchDemo'")
                .contains(ExampleCommand.available().get(0));
    }

    @Test
    void argumentsAfterTheNameGoToTheExampleNotToTheCommandLine() {
        // --frobnicate is the example's business: the error is about the missing class, not an unknown option
        Cli r = Cli.run("example", "NoSuchDemo", "--frobnicate", "--help");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no example 'NoSuchDemo'").doesNotContain("Unknown option");
    }
}
