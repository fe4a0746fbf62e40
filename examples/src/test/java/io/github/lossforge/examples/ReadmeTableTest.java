package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The README's loss table lists exactly the registered losses, each with its class and paper. */
class ReadmeTableTest {

    private static final String START = "<!-- losses:start -->";
    private static final String END = "<!-- losses:end -->";

    static String expectedRow(LossInfo info) {
        return "| `" + info.id() + "` | `" + info.lossClass().getSimpleName() + "` | " + info.paper() + " |";
    }

    @Test
    void readmeTableMatchesTheRegistry() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README marker " + START).isNotNegative();
        assertThat(end).as("README marker " + END).isGreaterThan(start);
        List<String> rows = new ArrayList<>();
        for (String line : readme.substring(start + START.length(), end).split("\n")) {
            if (line.startsWith("| `")) {
                rows.add(line.strip());
            }
        }
        List<String> expected = new ArrayList<>();
        for (String id : Losses.ids()) {
            expected.add(expectedRow(Losses.info(id)));
        }
        assertThat(rows).as("README loss table rows (sorted by id); expected:%n%s", String.join("\n", expected))
                .containsExactlyElementsOf(expected);
    }
}
