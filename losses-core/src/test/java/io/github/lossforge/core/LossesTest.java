package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lossforge.core.classification.CompSumLoss;
import io.github.lossforge.core.classification.LdrKlLoss;

import org.junit.jupiter.api.Test;

import java.util.Map;

class LossesTest {

    @Test
    void serviceLoaderRegistersTheCoreLosses() {
        assertThat(Losses.ids()).contains("comp-sum", "ldr-kl", "z-loss-spherical");
        LossInfo info = Losses.info("ldr-kl");
        assertThat(info.lossClass()).isEqualTo(LdrKlLoss.class);
        assertThat(info.paper()).contains("2112.14869");
        assertThat(info.parameters()).extracting(ParamSpec::name)
                .containsExactly("lambda", "margin", "normalize", "reduction");
        assertThat(info.predictionSlots()).containsExactly("P0 logits (N,C)");
        assertThat(info.labelSlots()).containsExactly("L0 target (N) int64");
    }

    @Test
    void unknownIdListsTheValidOnes() {
        assertThatThrownBy(() -> Losses.create("no-such-loss"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-loss")
                .hasMessageContaining("comp-sum")
                .hasMessageContaining("ldr-kl");
    }

    @Test
    void anyNumberTypeIsAcceptedForANumericParameter() {
        for (Object tau : new Object[] {2, 2L, 2.0, 2.0f, (short) 2}) {
            assertThat(((CompSumLoss) Losses.create("comp-sum", Map.of("tau", tau))).tau()).isEqualTo(2.0);
        }
    }

    @Test
    void wronglyTypedValuesAreRejectedNamingTheExpectation() {
        assertThatThrownBy(() -> Losses.create("comp-sum", Map.of("tau", true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("comp-sum").hasMessageContaining("tau").hasMessageContaining("a number");
        assertThatThrownBy(() -> Losses.create("comp-sum", Map.of("tau", "0.5")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a number");
        assertThatThrownBy(() -> Losses.create("ldr-kl", Map.of("normalize", "l2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none").hasMessageContaining("softplus-mean");
        assertThatThrownBy(() -> Losses.create("ldr-kl", Map.of("reduction", "max")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean, sum, none");
    }

    @Test
    void parameterKindsCheckAndConvertValues() {
        ParamSpec whole = ParamSpec.integer("n", 16L, "count");
        assertThat(whole.accept("x", 16)).isEqualTo(16L);
        assertThat(whole.accept("x", 16.0)).isEqualTo(16L);
        assertThatThrownBy(() -> whole.accept("x", 16.5)).hasMessageContaining("whole number");
        ParamSpec wordOrNumber = ParamSpec.wordOrNumber("filterEps", "auto", java.util.List.of("auto", "none"), "filter");
        assertThat(wordOrNumber.accept("x", "auto")).isEqualTo("auto");
        assertThat(wordOrNumber.accept("x", "NONE")).isEqualTo("none");
        assertThat(wordOrNumber.accept("x", 1e-3)).isEqualTo(1e-3);
        assertThat(wordOrNumber.accept("x", "0.002")).isEqualTo(0.002);
        assertThatThrownBy(() -> wordOrNumber.accept("x", "sometimes")).hasMessageContaining("auto, none");
        assertThat(ParamSpec.bool("b", false, "flag").acceptText("x", "TRUE")).isEqualTo(true);
        assertThat(ParamSpec.number("t", 1.0, "t").acceptText("x", "0.25")).isEqualTo(0.25);
        assertThatThrownBy(() -> ParamSpec.number("t", 1.0, "t").acceptText("x", "abc")).hasMessageContaining("a number");
    }

    @Test
    void requiredParameterWithoutValueIsRejected() {
        LossInfo info = LossInfo.builder("needs-n", CompSumLoss.class)
                .paper("p")
                .param(ParamSpec.integer("numSamples", null, "dataset size"))
                .factory(p -> CompSumLoss.builder().build())
                .build();
        assertThatThrownBy(() -> info.create(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs-n").hasMessageContaining("numSamples").hasMessageContaining("required");
    }
}
