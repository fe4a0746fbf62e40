package io.github.lossforge.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

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
    void chartHasOneBarPerComparisonAndSaysWhatIsMissing() {
        CategoryChart chart = report().chart().chart();
        assertThat(chart.getSeriesMap()).hasSize(1);
        CategorySeries bars = chart.getSeriesMap().values().iterator().next();
        List<Object> categories = new ArrayList<>();
        bars.getXData().forEach(categories::add);
        List<Number> values = new ArrayList<>();
        bars.getYData().forEach(values::add);
        assertThat(categories).containsExactly("info-nce N=4096 D=128, chunk=256 (fwd+bwd peak RSS growth)",
                "info-nce D=128, chunk=256 at N=16384 (fwd+bwd peak RSS growth): not measured",
                "astar, fused | kernel (fwd+bwd time)");
        assertThat(values).containsExactly(0.125, null, 2.5);
        
        List<Number> logValues = new ArrayList<>();
        new RatioChart("t").logScale().bar("a", 0.1).bar("b", 100).chart().getSeriesMap().values().iterator().next()
                .getYData().forEach(logValues::add);
        // log10 of the ratios on a linear axis: bars start at the baseline (1x = 0)
        assertThat(logValues).containsExactly(-1.0, 2.0);
        assertThat(report().logScale().chart().chart().getTitle()).endsWith("(log scale)");
    }

    @Test
    void chartRendersAsSvgAndPngWithTheRatiosWritten() throws Exception {
        String svg = report().svg();
        assertThat(svg).contains("<svg").contains("</svg>").contains("stroke-dasharray"); // XChart draws text as paths
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(report().chart().png()));
        assertThat(png.getWidth()).isGreaterThanOrEqualTo(640);
        String log = new RatioChart("t").logScale().bar("a", 0.1).bar("b", 10).svg();
        assertThat(log).contains("<svg").contains("</svg>");
    }

    @Test
    void aChartWithNothingMeasuredStillRenders() throws Exception {
        RatioChart none = new RatioChart("t").bar("a", "time", Double.NaN).bar("a", "memory", Double.NaN);
        assertThat(none.chart().getSeriesMap()).containsOnlyKeys("nothing measured");
        assertThat(ImageIO.read(new ByteArrayInputStream(none.png()))).isNotNull();
        RatioChart half = new RatioChart("t").bar("a", "time", Double.NaN).bar("a", "memory", 0.5);
        assertThat(half.chart().getSeriesMap()).containsOnlyKeys("memory");
        assertThat(half.svg()).contains("</svg>");
    }

    @Test
    void ratiosArePrintedWithPrecisionByMagnitude() {
        assertThat(RatioChart.ratio(0.125)).isEqualTo("0.125×");
        assertThat(RatioChart.ratio(12.5)).isEqualTo("12.5×");
        assertThat(RatioChart.ratio(115.2)).isEqualTo("115×");
        assertThat(RatioChart.ratio(Double.NaN)).isEqualTo("–");
    }

    @Test
    void writeCreatesTheFilesNamedAfterTheSuite(@TempDir Path dir) throws Exception {
        String md = report().write(dir.resolve("results"));
        assertThat(Files.readString(dir.resolve("results/demo.md"))).isEqualTo(md);
        assertThat(Files.readString(dir.resolve("results/demo.json"))).startsWith("{");
        assertThat(Files.readString(dir.resolve("results/demo.svg"))).contains("<svg");
        assertThat(ImageIO.read(dir.resolve("results/demo.png").toFile())).isNotNull();
    }

    @Test
    void compactChartWritesOneBarPerComparisonAsASmallSvgAndNoPng(@TempDir Path dir) throws Exception {
        report().compactChart().write(dir);
        String svg = Files.readString(dir.resolve("demo.svg"));
        // a bar per drawable ratio (two of three; the NaN one only prints a dash), the legend's two swatches
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains("astar, fwd+bwd time")
                .contains("fwd+bwd time: fused | kernel / composition")
                .contains("0.125×").contains("2.500×").contains("–").contains("stroke-dasharray");
        assertThat(svg.split("<rect ", -1)).hasSize(1 + 1 + 2 + 2);
        assertThat(svg.length()).isLessThan(10_000);
        assertThat(dir.resolve("demo.png")).doesNotExist();
    }
}
