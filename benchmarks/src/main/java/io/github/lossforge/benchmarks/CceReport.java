package io.github.lossforge.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Cut Cross-Entropy benchmark report: every figure as a ratio to the naive composition measured
 * in the same run, written as {@code cce.json}, a markdown table {@code cce.md} and an SVG chart
 * {@code cce.svg}.
 */
public final class CceReport {

    /** Target: cce's peak extra memory at most this multiple of dE + dC. */
    public static final double MEMORY_TARGET = 1.5;

    /** Target: exact cce forward + backward at most this multiple of naive. */
    public static final double EXACT_TIME_TARGET = 1.25;

    /** Target: filtered cce forward + backward at most this multiple of naive. */
    public static final double FILTERED_TIME_TARGET = 1.0;

    private static final double MIB = 1024.0 * 1024.0;

    private final Map<CceShape, Map<CceVariant, CceMeasurement>> results = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();

    /**
     * Records a setting or a fact about the run (machine, load, iterations).
     *
     * @param key the name
     * @param value the value
     */
    public void setting(String key, String value) {
        settings.put(key, value);
    }

    /**
     * The measurement of a variant at a shape (NONE until recorded).
     *
     * @param shape the shape
     * @param variant the variant
     * @return the measurement
     */
    public CceMeasurement get(CceShape shape, CceVariant variant) {
        return results.computeIfAbsent(shape, s -> new EnumMap<>(CceVariant.class))
                .getOrDefault(variant, CceMeasurement.NONE);
    }

    /**
     * Records a measurement.
     *
     * @param shape the shape
     * @param variant the variant
     * @param m the measurement
     */
    public void put(CceShape shape, CceVariant variant, CceMeasurement m) {
        results.computeIfAbsent(shape, s -> new EnumMap<>(CceVariant.class)).put(variant, m);
    }

    /**
     * The naive peak memory per byte of logits at the first shape where it was measured: used to
     * estimate what naive would need at shapes where it is not run.
     *
     * @return the factor, or NaN
     */
    public double naiveBytesPerLogitByte() {
        for (Map.Entry<CceShape, Map<CceVariant, CceMeasurement>> e : results.entrySet()) {
            CceMeasurement naive = e.getValue().get(CceVariant.NAIVE);
            if (naive != null && naive.forwardBackwardBytes() > 0) {
                return naive.forwardBackwardBytes() / (double) e.getKey().logitBytes();
            }
        }
        return Double.NaN;
    }

    /** One row of the report. */
    private record Row(CceShape shape, CceVariant variant, CceMeasurement m, double forwardRatio,
            double forwardBackwardRatio, double memoryRatio, double memoryVsGradients) {}

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<CceShape, Map<CceVariant, CceMeasurement>> e : results.entrySet()) {
            CceShape shape = e.getKey();
            CceMeasurement naive = e.getValue().getOrDefault(CceVariant.NAIVE, CceMeasurement.NONE);
            for (Map.Entry<CceVariant, CceMeasurement> v : e.getValue().entrySet()) {
                CceMeasurement m = v.getValue();
                rows.add(new Row(shape, v.getKey(), m,
                        m.forwardMillis() / naive.forwardMillis(),
                        m.forwardBackwardMillis() / naive.forwardBackwardMillis(),
                        naive.forwardBackwardBytes() > 0 && m.forwardBackwardBytes() >= 0
                                ? m.forwardBackwardBytes() / (double) naive.forwardBackwardBytes() : Double.NaN,
                        m.forwardBackwardBytes() >= 0
                                ? m.forwardBackwardBytes() / (double) shape.gradientBytes() : Double.NaN));
            }
        }
        return rows;
    }

    /**
     * Writes {@code cce.json}, {@code cce.md}, {@code cce.svg} and {@code cce.png}.
     *
     * @param dir the output folder (created if needed)
     * @return the markdown report
     * @throws IOException when writing fails
     */
    public String write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cce.json"), json(), StandardCharsets.UTF_8);
        return writeRendered(dir);
    }

    /**
     * Writes {@code cce.md}, {@code cce.svg} and {@code cce.png} only (the measured {@code cce.json} stays as it is).
     *
     * @param dir the output folder (created if needed)
     * @return the markdown report
     * @throws IOException when writing fails
     */
    public String writeRendered(Path dir) throws IOException {
        Files.createDirectories(dir);
        String markdown = markdown();
        Files.writeString(dir.resolve("cce.md"), markdown, StandardCharsets.UTF_8);
        chart().write(dir, "cce");
        return markdown;
    }

    private static final Pattern SETTING = Pattern.compile("^    \"([^\"]+)\": \"(.*)\",?$");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (\"[^\"]*\"|[-0-9.eE+]+|null)");

    /**
     * Reads a report written by {@link #json()} back (to render it again without measuring).
     *
     * @param text the JSON text
     * @return the report
     */
    public static CceReport fromJson(String text) {
        CceReport report = new CceReport();
        boolean inSettings = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("  \"settings\"")) {
                inSettings = true;
                continue;
            }
            if (inSettings) {
                Matcher m = SETTING.matcher(line);
                if (m.matches()) {
                    report.setting(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
                    continue;
                }
                inSettings = false;
            }
            if (line.trim().startsWith("{\"shape\"")) {
                Map<String, String> f = new LinkedHashMap<>();
                Matcher m = FIELD.matcher(line);
                while (m.find()) {
                    f.put(m.group(1), m.group(2).replace("\"", ""));
                }
                report.put(CceShape.parse(f.get("shape")), CceVariant.valueOf(f.get("variant").toUpperCase(Locale.ROOT)),
                        new CceMeasurement(number(f.get("forwardMillis")), number(f.get("forwardBackwardMillis")),
                                count(f.get("forwardPeakBytes")), count(f.get("forwardBackwardPeakBytes"))));
            }
        }
        return report;
    }

    private static double number(String s) {
        return s == null || "null".equals(s) ? Double.NaN : Double.parseDouble(s);
    }

    private static long count(String s) {
        return s == null || "null".equals(s) ? -1 : Long.parseLong(s);
    }

    /**
     * The JSON report.
     *
     * @return the JSON text
     */
    public String json() {
        StringBuilder b = new StringBuilder("{\n  \"benchmark\": \"cce\",\n  \"settings\": {");
        int i = 0;
        for (Map.Entry<String, String> s : settings.entrySet()) {
            b.append(i++ == 0 ? "\n" : ",\n").append("    ").append(quote(s.getKey())).append(": ")
                    .append(quote(s.getValue()));
        }
        b.append("\n  },\n  \"targets\": {\"memoryVsGradients\": ").append(num(MEMORY_TARGET))
                .append(", \"exactForwardBackwardVsNaive\": ").append(num(EXACT_TIME_TARGET))
                .append(", \"filteredForwardBackwardVsNaive\": ").append(num(FILTERED_TIME_TARGET))
                .append("},\n  \"naiveBytesPerLogitByte\": ").append(num(naiveBytesPerLogitByte()))
                .append(",\n  \"results\": [");
        i = 0;
        for (Row r : rows()) {
            b.append(i++ == 0 ? "\n" : ",\n").append("    {\"shape\": ").append(quote(r.shape().toString()))
                    .append(", \"variant\": ").append(quote(r.variant().name().toLowerCase(Locale.ROOT)))
                    .append(", \"gradientBytes\": ").append(r.shape().gradientBytes())
                    .append(", \"logitBytes\": ").append(r.shape().logitBytes())
                    .append(", \"forwardMillis\": ").append(num(r.m().forwardMillis()))
                    .append(", \"forwardBackwardMillis\": ").append(num(r.m().forwardBackwardMillis()))
                    .append(", \"forwardPeakBytes\": ").append(bytes(r.m().forwardBytes()))
                    .append(", \"forwardBackwardPeakBytes\": ").append(bytes(r.m().forwardBackwardBytes()))
                    .append(", \"forwardTimeVsNaive\": ").append(num(r.forwardRatio()))
                    .append(", \"forwardBackwardTimeVsNaive\": ").append(num(r.forwardBackwardRatio()))
                    .append(", \"memoryVsNaive\": ").append(num(r.memoryRatio()))
                    .append(", \"memoryVsGradients\": ").append(num(r.memoryVsGradients())).append('}');
        }
        return b.append("\n  ]\n}\n").toString();
    }

    /**
     * The markdown report: one table row per shape and variant, then the targets.
     *
     * @return the markdown text
     */
    public String markdown() {
        StringBuilder b = new StringBuilder("# Cut Cross-Entropy benchmark\n\n");
        b.append("Every ratio is against the naive composition (logits materialised, DJL's"
                + " `SoftmaxCrossEntropyLoss`, backward through both) measured in the same run. Memory is the"
                + " peak RSS growth of one step in a JVM of its own, gradient buffers included; dE + dC is the"
                + " paper's lower bound. Workload: a synthetic trained-like head (see `CceWorkload`).\n\n");
        for (Map.Entry<String, String> s : settings.entrySet()) {
            b.append("- ").append(s.getKey()).append(": ").append(s.getValue()).append('\n');
        }
        b.append("\n| shape N×D×V | variant | forward ms | fwd+bwd ms | fwd+bwd vs naive | forward vs naive"
                + " | peak extra MiB | vs naive | vs dE+dC |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows()) {
            b.append("| ").append(r.shape()).append(" | ").append(r.variant().label()).append(" | ")
                    .append(fixed(r.m().forwardMillis(), 0)).append(" | ")
                    .append(fixed(r.m().forwardBackwardMillis(), 0)).append(" | ")
                    .append(ratio(r.forwardBackwardRatio())).append(" | ").append(ratio(r.forwardRatio()))
                    .append(" | ").append(r.m().forwardBackwardBytes() < 0 ? "–"
                            : fixed(r.m().forwardBackwardBytes() / MIB, 1))
                    .append(" | ").append(ratio(r.memoryRatio())).append(" | ").append(ratio(r.memoryVsGradients()))
                    .append(" |\n");
        }
        double perLogit = naiveBytesPerLogitByte();
        for (CceShape shape : results.keySet()) {
            if (!results.get(shape).containsKey(CceVariant.NAIVE) && !Double.isNaN(perLogit)) {
                b.append("\nAt ").append(shape).append(" naive is not run: its logits alone take ")
                        .append(fixed(shape.logitBytes() / MIB / 1024, 1)).append(" GiB, and at the measured ")
                        .append(fixed(perLogit, 2)).append(" bytes of peak growth per logit byte it would need about ")
                        .append(fixed(perLogit * shape.logitBytes() / MIB / 1024, 1)).append(" GiB")
                        .append(perLogit * shape.logitBytes() > 24.0 * 1024 * MIB ? ", more than 24 GiB" : "")
                        .append(".\n");
            }
        }
        b.append("\nTargets: peak extra memory ≤ ").append(MEMORY_TARGET).append("× dE + dC; forward + backward ≤ ")
                .append(EXACT_TIME_TARGET).append("× naive (exact) and ≤ ").append(FILTERED_TIME_TARGET)
                .append("× naive (filtered).\n\n");
        for (Row r : rows()) {
            if (r.variant() == CceVariant.NAIVE) {
                continue;
            }
            double timeTarget = r.variant() == CceVariant.CCE_EXACT ? EXACT_TIME_TARGET : FILTERED_TIME_TARGET;
            b.append("- ").append(r.shape()).append(", ").append(r.variant().label()).append(": memory ")
                    .append(verdict(r.memoryVsGradients(), MEMORY_TARGET)).append(", time ")
                    .append(verdict(r.forwardBackwardRatio(), timeTarget)).append('\n');
        }
        return b.toString();
    }

    /**
     * The chart: per shape and cce variant, forward + backward time and peak memory as ratios to naive
     * (naive = 1, drawn as a line).
     *
     * @return the chart
     */
    public RatioChart chart() {
        RatioChart chart = new RatioChart("Cut Cross-Entropy vs naive");
        for (Row r : rows()) {
            if (r.variant() != CceVariant.NAIVE
                    && !(Double.isNaN(r.forwardBackwardRatio()) && Double.isNaN(r.memoryRatio()))) {
                String category = r.shape() + " " + r.variant().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                chart.bar(category, "forward + backward time", r.forwardBackwardRatio());
                chart.bar(category, "peak extra memory", r.memoryRatio());
            }
        }
        return chart;
    }

    /**
     * The chart as SVG.
     *
     * @return the SVG text
     */
    public String svg() {
        return chart().svg();
    }

    private static String verdict(double value, double target) {
        if (Double.isNaN(value)) {
            return "no naive baseline at this shape";
        }
        return ratio(value) + (value <= target ? " (target ≤ " + target + "×: met)" : " (target ≤ " + target + "×: not met)");
    }

    private static String ratio(double x) {
        return Double.isNaN(x) ? "–" : String.format(Locale.ROOT, "%.3f×", x);
    }

    private static String fixed(double x, int digits) {
        return Double.isNaN(x) ? "–" : String.format(Locale.ROOT, "%." + digits + "f", x);
    }

    private static String num(double x) {
        return Double.isNaN(x) || Double.isInfinite(x) ? "null" : String.format(Locale.ROOT, "%.6g", x);
    }

    private static String bytes(long x) {
        return x < 0 ? "null" : Long.toString(x);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
