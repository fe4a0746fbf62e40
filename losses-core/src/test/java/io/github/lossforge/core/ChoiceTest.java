package io.github.lossforge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChoiceTest {

    enum Pairing implements Choice {
        GLOBAL,
        PER_QUERY
    }

    @Test
    void keyIsTheLowerCaseNameWithDashes() {
        assertThat(Pairing.PER_QUERY.key()).isEqualTo("per-query");
        assertThat(Choice.keys(Pairing.class)).containsExactly("global", "per-query");
    }

    @Test
    void parseIgnoresCase() {
        assertThat(Choice.parse(Pairing.class, "mw", "pairing", "Per-Query")).isEqualTo(Pairing.PER_QUERY);
        assertThat(Choice.parse(Pairing.class, "mw", "pairing", "GLOBAL")).isEqualTo(Pairing.GLOBAL);
    }

    @Test
    void parseRejectsAnUnknownWordNamingLossOptionWordAndTheAcceptedWords() {
        assertThatThrownBy(() -> Choice.parse(Pairing.class, "mw", "pairing", "pairwise"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mw: parameter 'pairing' got 'pairwise', expected one of global, per-query");
        assertThatThrownBy(() -> Choice.parse(Pairing.class, "mw", "pairing", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 'null'");
    }

    @Test
    void requireRejectsNullWithTheLossAndTheOption() {
        assertThat(Choice.require(Pairing.GLOBAL, "mw", "pairing")).isEqualTo(Pairing.GLOBAL);
        assertThatThrownBy(() -> Choice.require((Pairing) null, "mw", "pairing"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mw: parameter 'pairing' must not be null");
    }

    @Test
    void anEnumParamSpecTakesItsWordsFromTheEnum() {
        ParamSpec spec = ParamSpec.word("pairing", Pairing.GLOBAL, "pairs");
        assertThat(spec.words()).containsExactly("global", "per-query");
        assertThat(spec.defaultValue()).isEqualTo("global");
        assertThat(spec.accept("mw", "PER-QUERY")).isEqualTo("per-query");
    }
}
