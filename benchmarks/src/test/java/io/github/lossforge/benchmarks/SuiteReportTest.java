package io.github.lossforge.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class SuiteReportTest {

    private static SuiteReport report() {
        return new SuiteReport("demo", "Demo suite", "What is measured.")
                .setting("machine", "test")
                .add(new Comparison("info-nce N=4096 D=128", "chunk=256", "chunk=0 (whole matrix)",
                        "fwd+bwd peak RSS growth", "MiB", 50, 400))
                .add(new Comparison("info-nce D=128", "chunk=256 at N=16384", "chunk=0 at N=4096",
                        "fwd+bwd peak RSS growth", "MiB", 600, Double.NaN))
                .add(new Comparison("astar", "fused | kernel", "composition", "fwd+bwd time", "ms", 30, 12))
                .note("A note.");
    }

    @Test
    void ratioIsTheVariantOverTheBaselineAndMissingWhenEitherIsMissing() {
        assertThat(new Comparison("g", "v", "b", "m", "ms", 3, 12).ratio()).isEqualTo(0.25);
        assertThat(new Comparison("g", "v", "b", "m", "ms", 3, Double.NaN).ratio()).isNaN();
        assertThat(new Comparison("g", "v", "b", "m", "ms", Double.NaN, 2).ratio()).isNaN();
        assertThat(new Comparison("g", "v", "b", "m", "ms", 3, 0).ratio()).isNaN();
    }

    @Test
    void jsonHoldsValuesRatiosAndNullForWhatWasNotMeasured() {
        String json = report().json();
        assertThat(json).contains("\"benchmark\": \"demo\"")
                .contains("\"value\": 50.0000, \"baselineValue\": 400.000, \"ratio\": 0.125000")
                .contains("\"value\": 600.000, \"baselineValue\": null, \"ratio\": null")
                .contains("\"ratio\": 2.50000")
                .contains("\"notes\": [\n    \"A note.\"\n  ]");
    }

    @Test
    void markdownHasOneRowPerComparisonWithEscapedCellsAndLinksTheChart() {
        String md = report().markdown();
        assertThat(md).startsWith("# Demo suite\n\nWhat is measured.\n\n- machine: test\n")
                .contains("| info-nce N=4096 D=128 | chunk=256 | chunk=0 (whole matrix) | fwd+bwd peak RSS growth"
                        + " | 50.0 MiB | 400 MiB | 0.125× |")
                .contains("| chunk=256 at N=16384 | chunk=0 at N=4096 | fwd+bwd peak RSS growth | 600 MiB | – | – |")
                .contains("| astar | fused \\| kernel | composition | fwd+bwd time | 30.0 ms | 12.0 ms | 2.500× |")
                .contains("- A note.")
                .endsWith("![ratios](demo.svg)\n");
    }

    @Test
    void chartDrawsOneBarPerMeasuredRatioAndSaysWhatIsMissing() {
        String svg = report().svg();
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains("not measured").contains("0.125×")
                .contains("2.500×").contains("baseline = 1×").doesNotContain("log scale");
        assertThat(svg.split("<rect ", -1)).hasSize(1 + 1 + 2);
        assertThat(report().logScale().svg()).contains("(log scale)");
    }

    @Test
    void logScaleBarsOfRatiosBelowAndAboveOneStartAtTheBaselineLine() {
        String svg = new SvgBarChart("t").logScale().bar("a", 0.1).bar("b", 10).svg();
        // one decade below and one above 1×: equal widths, the first ending where the second starts
        String[] rects = svg.split("<rect x=\"");
        double x1 = Double.parseDouble(rects[1].substring(0, rects[1].indexOf('"')));
        double x2 = Double.parseDouble(rects[2].substring(0, rects[2].indexOf('"')));
        double w1 = Double.parseDouble(rects[1].replaceAll("(?s).*?width=\"([0-9.]+)\".*", "$1"));
        double w2 = Double.parseDouble(rects[2].replaceAll("(?s).*?width=\"([0-9.]+)\".*", "$1"));
        assertThat(w1).isEqualTo(w2, Offset.offset(0.11));
        assertThat(x1 + w1).isEqualTo(x2, Offset.offset(0.11));
    }

    @Test
    void writeCreatesTheThreeFilesNamedAfterTheSuite(@TempDir Path dir) throws Exception {
        String md = report().write(dir.resolve("results"));
        assertThat(Files.readString(dir.resolve("results/demo.md"))).isEqualTo(md);
        assertThat(Files.readString(dir.resolve("results/demo.json"))).startsWith("{");
        assertThat(Files.readString(dir.resolve("results/demo.svg"))).startsWith("<svg");
    }
}
