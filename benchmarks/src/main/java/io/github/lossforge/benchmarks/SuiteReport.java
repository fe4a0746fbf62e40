package io.github.lossforge.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of one benchmark suite: its {@link Comparison}s (each a ratio against a baseline
 * measured in the same run), the run's settings and notes, written as {@code NAME.json}, a markdown
 * table {@code NAME.md} and a bar chart of the ratios ({@link RatioChart}) as {@code NAME.svg} and
 * {@code NAME.png}.
 */
public final class SuiteReport {

    private final String name;
    private final String title;
    private final String description;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<Comparison> comparisons = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private boolean logScale;
    private boolean compact;

    /**
     * Starts a report.
     *
     * @param name the file name stem (e.g. {@code contrastive-chunked})
     * @param title the heading
     * @param description what is measured and how, one paragraph of markdown
     */
    public SuiteReport(String name, String title, String description) {
        this.name = name;
        this.title = title;
        this.description = description;
    }

    /**
     * The file name stem.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Records a setting or a fact about the run (machine, load, iterations).
     *
     * @param key the name
     * @param value the value
     * @return this
     */
    public SuiteReport setting(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /**
     * Adds a comparison.
     *
     * @param c the comparison
     * @return this
     */
    public SuiteReport add(Comparison c) {
        comparisons.add(c);
        return this;
    }

    /**
     * Adds a note printed under the table.
     *
     * @param note one sentence or paragraph of markdown
     * @return this
     */
    public SuiteReport note(String note) {
        notes.add(note);
        return this;
    }

    /**
     * Draws the chart on a log₁₀ axis (ratios spanning decades).
     *
     * @return this
     */
    public SuiteReport logScale() {
        this.logScale = true;
        return this;
    }

    /**
     * Writes the chart as a compact SVG ({@link CompactBarSvg}: one horizontal bar per comparison, log
     * axis) and no PNG: for reports with many rows.
     *
     * @return this
     */
    public SuiteReport compactChart() {
        this.compact = true;
        return this;
    }

    /**
     * Writes {@code NAME.json}, {@code NAME.md}, {@code NAME.svg} and {@code NAME.png} (no PNG with
     * {@link #compactChart()}).
     *
     * @param dir the output folder (created if needed)
     * @return the markdown report
     * @throws IOException when writing fails
     */
    public String write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String markdown = markdown();
        Files.writeString(dir.resolve(name + ".json"), json(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(name + ".md"), markdown, StandardCharsets.UTF_8);
        if (compact) {
            Files.writeString(dir.resolve(name + ".svg"), svg(), StandardCharsets.UTF_8);
        } else {
            chart().write(dir, name);
        }
        return markdown;
    }

    /**
     * The JSON report.
     *
     * @return the JSON text
     */
    public String json() {
        StringBuilder b = new StringBuilder("{\n  \"benchmark\": ").append(quote(name)).append(",\n  \"settings\": {");
        int i = 0;
        for (Map.Entry<String, String> s : settings.entrySet()) {
            b.append(i++ == 0 ? "\n" : ",\n").append("    ").append(quote(s.getKey())).append(": ")
                    .append(quote(s.getValue()));
        }
        b.append("\n  },\n  \"results\": [");
        i = 0;
        for (Comparison c : comparisons) {
            b.append(i++ == 0 ? "\n" : ",\n").append("    {\"group\": ").append(quote(c.group()))
                    .append(", \"variant\": ").append(quote(c.variant()))
                    .append(", \"baseline\": ").append(quote(c.baseline()))
                    .append(", \"metric\": ").append(quote(c.metric()))
                    .append(", \"unit\": ").append(quote(c.unit()))
                    .append(", \"value\": ").append(num(c.value()))
                    .append(", \"baselineValue\": ").append(num(c.baselineValue()))
                    .append(", \"ratio\": ").append(num(c.ratio())).append('}');
        }
        b.append("\n  ],\n  \"notes\": [");
        i = 0;
        for (String n : notes) {
            b.append(i++ == 0 ? "\n" : ",\n").append("    ").append(quote(n));
        }
        return b.append(notes.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    /**
     * The markdown report: description, settings, one table row per comparison, notes.
     *
     * @return the markdown text
     */
    public String markdown() {
        StringBuilder b = new StringBuilder("# ").append(title).append("\n\n").append(description).append("\n\n");
        for (Map.Entry<String, String> s : settings.entrySet()) {
            b.append("- ").append(s.getKey()).append(": ").append(s.getValue()).append('\n');
        }
        b.append("\n| what | variant | baseline | metric | variant value | baseline value | ratio |\n"
                + "|---|---|---|---|---:|---:|---:|\n");
        for (Comparison c : comparisons) {
            b.append("| ").append(cell(c.group())).append(" | ").append(cell(c.variant())).append(" | ")
                    .append(cell(c.baseline())).append(" | ").append(cell(c.metric())).append(" | ")
                    .append(value(c.value(), c.unit())).append(" | ").append(value(c.baselineValue(), c.unit()))
                    .append(" | ").append(RatioChart.ratio(c.ratio())).append(" |\n");
        }
        if (!notes.isEmpty()) {
            b.append('\n');
            for (String n : notes) {
                b.append("- ").append(n).append('\n');
            }
        }
        b.append("\n![ratios](").append(name).append(".svg)\n");
        return b.toString();
    }

    /**
     * The chart: one bar per comparison, its ratio to the baseline.
     *
     * @return the chart
     */
    public RatioChart chart() {
        RatioChart chart = new RatioChart(title + ": variant / baseline");
        if (logScale) {
            chart.logScale();
        }
        for (Comparison c : comparisons) {
            chart.bar(c.group() + ", " + c.variant() + " (" + c.metric() + ")", c.ratio());
        }
        return chart;
    }

    /**
     * The chart as SVG.
     *
     * @return the SVG text
     */
    public String svg() {
        return compact ? CompactBarSvg.svg(title, comparisons) : chart().svg();
    }

    private static String value(double x, String unit) {
        if (!Double.isFinite(x)) {
            return "–";
        }
        return String.format(Locale.ROOT, x >= 100 ? "%.0f %s" : x >= 1 ? "%.1f %s" : "%.3f %s", x, unit);
    }

    private static String cell(String s) {
        return s.replace("|", "\\|");
    }

    private static String num(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.6g", x) : "null";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
