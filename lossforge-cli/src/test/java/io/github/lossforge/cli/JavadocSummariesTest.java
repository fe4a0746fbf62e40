package io.github.lossforge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lossforge.core.Losses;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class JavadocSummariesTest {

    @Test
    void theFirstSentenceEndsAtAPeriodFollowedBySpaceAndKeepsTheTextOfInlineTags() {
        String comment = "\n * The {@code comp-sum} loss of {@link CompSumLoss#builder the builder}: \\( L = x^{0.5} \\)"
                + " with\n * {@link Foo#bar} and <b>bold</b> &lt;text&gt;. Second sentence.\n *\n * @see X\n ";
        assertThat(JavadocSummaries.firstSentence(comment))
                .isEqualTo("The comp-sum loss of the builder: L = x^{0.5} with Foo.bar and bold <text>.");
        assertThat(JavadocSummaries.firstSentence("\n * No period at all\n * @param x y\n "))
                .isEqualTo("No period at all");
        assertThat(JavadocSummaries.firstSentence("\n * Nested {@code Map<String, {a}>} braces. More."))
                .isEqualTo("Nested Map<String, {a}> braces.");
    }

    @Test
    void scanKeysThePublicTopLevelClassByItsNameSkippingNestedOnes(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("a/b/Demo.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package a.b;\n\nimport x.Y;\n\n/**\n * Demo loss. More.\n */\n"
                + "@SuppressWarnings(\"x\")\npublic final class Demo extends Y {\n"
                + "    /** Nested. */\n    public static final class Builder {}\n}\n");
        Files.writeString(dir.resolve("a/b/package-info.java"), "/** The package. */\npackage a.b;\n");
        assertThat(JavadocSummaries.scan(List.of(dir))).isEqualTo(Map.of("a.b.Demo", "Demo loss."));
    }

    @Test
    void everyRegisteredLossHasASummaryInTheBuiltResource() {
        for (String id : Losses.ids()) {
            assertThat(JavadocSummaries.of(Losses.info(id).lossClass())).as(id).isNotBlank().endsWith(".")
                    .doesNotContain("{@").doesNotContain("<p>").doesNotContain("\\(");
        }
    }
}
