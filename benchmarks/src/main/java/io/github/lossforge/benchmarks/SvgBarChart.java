package io.github.lossforge.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal SVG bar chart of ratios to a baseline, with the baseline (1×) drawn as a dashed line.
 * Bars whose ratio is not finite are listed as "not measured". With {@link #logScale} the axis is
 * log₁₀, for ratios spanning decades (1× still at the dashed line).
 */
public final class SvgBarChart {

    private record Bar(String label, double ratio) {}

    private final String title;
    private final List<Bar> bars = new ArrayList<>();
    private boolean logScale;

    /**
     * Starts a chart.
     *
     * @param title the title
     */
    public SvgBarChart(String title) {
        this.title = title;
    }

    /**
     * Adds a bar.
     *
     * @param label its label
     * @param ratio the ratio to the baseline
     * @return this
     */
    public SvgBarChart bar(String label, double ratio) {
        bars.add(new Bar(label, ratio));
        return this;
    }

    /**
     * Uses a log₁₀ axis.
     *
     * @return this
     */
    public SvgBarChart logScale() {
        this.logScale = true;
        return this;
    }

    /**
     * The SVG text.
     *
     * @return the chart
     */
    public String svg() {
        int longest = 0;
        for (Bar b : bars) {
            longest = Math.max(longest, b.label().length());
        }
        // about 7 px per character at font size 12, so labels never run under the bars
        int left = 20 + 7 * longest;
        int width = left + 380;
        int rowHeight = 26;
        int top = 40;
        int height = top + rowHeight * Math.max(1, bars.size()) + 30;
        double lo = 0;
        double hi = 1.5;
        for (Bar b : bars) {
            if (Double.isFinite(b.ratio()) && b.ratio() > 0) {
                hi = Math.max(hi, b.ratio() * 1.1);
                lo = Math.min(lo, Math.log10(b.ratio()) - 0.2);
            }
        }
        double min = logScale ? Math.min(-0.5, lo) : 0;
        double max = logScale ? Math.max(0.5, Math.log10(hi)) : hi;
        double scale = (width - left - 70) / (max - min);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n", width, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s%s</text>\n",
                escape(title), logScale ? " (log scale)" : ""));
        int y = top;
        for (Bar b : bars) {
            s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>\n", y + 15, escape(b.label())));
            if (!Double.isFinite(b.ratio()) || b.ratio() <= 0) {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">not measured</text>\n", left + 4, y + 15));
            } else {
                double v = logScale ? Math.log10(b.ratio()) : b.ratio();
                double x0 = left + scale * (Math.min(0, v) - min);
                double w = Math.max(1, scale * Math.abs(logScale ? v : v - min));
                if (!logScale) {
                    x0 = left;
                }
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\""
                        + " fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n", x0, y + 2, w,
                        b.ratio() <= 1 ? "#4477aa" : "#ee7733", Math.max(x0 + w, left + scale * (0 - min)) + 4,
                        y + 15, ratio(b.ratio())));
            }
            y += rowHeight;
        }
        double one = left + scale * ((logScale ? 0 : 1) - min);
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\""
                + " stroke-dasharray=\"4 3\"/>\n<text x=\"%.1f\" y=\"%d\">baseline = 1×</text>\n", one, top - 4, one, y,
                one - 30, y + 16));
        return s.append("</svg>\n").toString();
    }

    static String ratio(double x) {
        if (!Double.isFinite(x)) {
            return "–";
        }
        return String.format(Locale.ROOT, x >= 100 ? "%.0f×" : x >= 10 ? "%.1f×" : "%.3f×", x);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
