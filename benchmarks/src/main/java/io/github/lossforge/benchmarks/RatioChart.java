package io.github.lossforge.benchmarks;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A bar chart of ratios to a baseline measured in the same run (drawn with XChart), the baseline (1×)
 * as a dashed line. Bars are grouped by category, one colour per series ({@code forward + backward
 * time}, {@code peak extra memory}, …); a category none of whose ratios was measured says so in its
 * label. With {@link #logScale} the axis is log₁₀, for ratios spanning decades.
 */
public final class RatioChart {

    private static final Color[] COLOURS = {new Color(0x4477aa), new Color(0xee7733), new Color(0x228833),
        new Color(0xaa3377)};

    private static final double LN_10 = Math.log(10);

    private final String title;
    private final Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
    private final Set<String> series = new LinkedHashSet<>();
    private boolean logScale;

    /**
     * Starts a chart.
     *
     * @param title the title
     */
    public RatioChart(String title) {
        this.title = title;
    }

    /**
     * Adds a bar of the one series a single-series chart has.
     *
     * @param category its label
     * @param ratio the ratio to the baseline (not finite: not measured)
     * @return this
     */
    public RatioChart bar(String category, double ratio) {
        return bar(category, "variant / baseline", ratio);
    }

    /**
     * Adds a bar.
     *
     * @param category the group it is drawn in
     * @param seriesName what it measures (its colour and legend entry)
     * @param ratio the ratio to the baseline (not finite: not measured)
     * @return this
     */
    public RatioChart bar(String category, String seriesName, double ratio) {
        series.add(seriesName);
        ratios.computeIfAbsent(category, c -> new LinkedHashMap<>()).put(seriesName, ratio);
        return this;
    }

    /**
     * Uses a log₁₀ axis.
     *
     * @return this
     */
    public RatioChart logScale() {
        this.logScale = true;
        return this;
    }

    /**
     * The XChart chart.
     *
     * @return the chart
     */
    public CategoryChart chart() {
        int longest = ratios.keySet().stream().mapToInt(String::length).max().orElse(10);
        int width = Math.max(640, 90 * ratios.size() * Math.max(1, series.size()) / 2 + 160);
        CategoryChart chart = new CategoryChartBuilder().width(width).height(420 + 6 * Math.min(longest + 16, 90))
                .title(title + (logScale ? " (log scale)" : "")).yAxisTitle("ratio to the baseline (dashed line = 1×)")
                .build();
        chart.getStyler().setLegendVisible(series.size() > 1).setLegendPosition(Styler.LegendPosition.InsideNW)
                .setChartBackgroundColor(Color.WHITE).setSeriesColors(COLOURS);
        // the log axis plots log10(ratio) on a linear axis labelled with the ratios, so that bars start at
        // the baseline (1× = 0) and go up or down from it, and the bar labels and the baseline line agree
        chart.getStyler().setXAxisLabelRotation(60).setyAxisTickLabelsFormattingFunction(
                logScale ? v -> ratio(Math.exp(v * LN_10)) : RatioChart::ratio);
        chart.getStyler().setLabelsVisible(true).setLabelsRotation(0).setLabelsPosition(1.0);
        chart.getStyler().setAnnotationLineColor(Color.BLACK).setAnnotationLineStroke(
                new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
        double lo = extreme(true);
        double hi = extreme(false);
        chart.getStyler().setYAxisMin(logScale ? Math.min(-0.5, Math.log10(lo) - 0.2) : 0.0)
                .setYAxisMax(logScale ? Math.max(0.5, Math.log10(hi) + 0.2) : Math.max(1.5, 1.1 * hi));
        List<String> categories = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> c : ratios.entrySet()) {
            boolean measured = c.getValue().values().stream().anyMatch(RatioChart::drawable);
            categories.add(measured ? c.getKey() : c.getKey() + ": not measured");
        }
        for (String s : series) {
            List<Double> values = new ArrayList<>();
            for (Map<String, Double> c : ratios.values()) {
                Double r = c.get(s);
                values.add(r != null && drawable(r) ? (logScale ? Math.log10(r) : r) : null);
            }
            // XChart cannot draw a series without a single value
            if (values.stream().anyMatch(v -> v != null)) {
                chart.addSeries(s, categories, values);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("nothing measured", List.of("nothing measured"), List.of(logScale ? 0.0 : 1.0));
        }
        chart.addAnnotation(new AnnotationLine(logScale ? 0.0 : 1.0, false, false));
        return chart;
    }
    private double extreme(boolean smallest) {
        double e = 1;
        for (Map<String, Double> c : ratios.values()) {
            for (double r : c.values()) {
                if (drawable(r)) {
                    e = smallest ? Math.min(e, r) : Math.max(e, r);
                }
            }
        }
        return e;
    }

    private static boolean drawable(double ratio) {
        return Double.isFinite(ratio) && ratio > 0;
    }

    /**
     * The chart as SVG.
     *
     * @return the SVG text
     */
    public String svg() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart(), bytes, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The chart as PNG.
     *
     * @return the PNG bytes
     */
    public byte[] png() {
        try {
            return BitmapEncoder.getBitmapBytes(chart(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code STEM.svg} and {@code STEM.png}.
     *
     * @param dir the folder (created if needed)
     * @param stem the file name stem
     * @throws IOException when writing fails
     */
    public void write(Path dir, String stem) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(stem + ".svg"), svg(), StandardCharsets.UTF_8);
        Files.write(dir.resolve(stem + ".png"), png());
    }

    /**
     * A ratio as the reports print it.
     *
     * @param x the ratio
     * @return e.g. {@code 0.125×}, {@code 12.5×}, {@code 115×}, or a dash when not finite
     */
    public static String ratio(double x) {
        if (!Double.isFinite(x)) {
            return "–";
        }
        return String.format(Locale.ROOT, x >= 100 ? "%.0f×" : x >= 10 ? "%.1f×" : "%.3f×", x);
    }
}
