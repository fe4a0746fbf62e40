package io.github.lossforge.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG of a report's ratios: one horizontal bar per comparison on a log₁₀ axis
 * around the baseline (1×), labelled with its group and metric and coloured by metric (the legend
 * names each metric's first variant and baseline), for reports with many rows (XChart's SVG of a
 * hundred bars is megabytes of glyph outlines; this is a few tens of kilobytes).
 */
final class CompactBarSvg {

    private static final String[] COLOURS = {"#4477aa", "#ee7733", "#228833", "#aa3377"};
    private static final int LABEL_WIDTH = 260;
    private static final int BAR_WIDTH = 440;
    private static final int ROW = 16;
    private static final int TOP = 58;

    private CompactBarSvg() {}

    /**
     * The chart.
     *
     * @param title the heading
     * @param comparisons one bar each, in order
     * @return the SVG text
     */
    static String svg(String title, List<Comparison> comparisons) {
        List<String> metrics = new ArrayList<>();
        List<String> legend = new ArrayList<>();
        double lo = 1;
        double hi = 1;
        for (Comparison c : comparisons) {
            if (!metrics.contains(c.metric())) {
                metrics.add(c.metric());
                legend.add(c.metric() + ": " + c.variant() + " / " + c.baseline());
            }
            if (drawable(c.ratio())) {
                lo = Math.min(lo, c.ratio());
                hi = Math.max(hi, c.ratio());
            }
        }
        double min = Math.floor(Math.log10(lo));
        double max = Math.ceil(Math.log10(hi));
        int width = LABEL_WIDTH + BAR_WIDTH + 80;
        int height = TOP + ROW * comparisons.size() + 10;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                + "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s: variant / baseline (log scale)</text>\n",
                width, height, escape(title)));
        for (int i = 0; i < metrics.size(); i++) {
            String colour = COLOURS[i % COLOURS.length];
            int x = 10 + 380 * i;
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"30\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"39\">%s</text>\n", x, colour, x + 14, escape(legend.get(i))));
        }
        for (double e = min; e <= max; e++) {
            double x = x(Math.pow(10, e), min, max);
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\""
                    + "%s/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n", x, TOP - 6, x,
                    height - 10, e == 0 ? "black" : "#ddd", e == 0 ? " stroke-dasharray=\"4 3\"" : "", x, TOP - 8,
                    RatioChart.ratio(Math.pow(10, e))));
        }
        double one = x(1, min, max);
        for (int i = 0; i < comparisons.size(); i++) {
            Comparison c = comparisons.get(i);
            int y = TOP + ROW * i;
            b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>", y + 12,
                    escape(c.group() + ", " + c.metric())));
            if (drawable(c.ratio())) {
                double end = x(c.ratio(), min, max);
                b.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                        Math.min(one, end), y + 2, Math.max(1, Math.abs(end - one)), ROW - 4,
                        COLOURS[metrics.indexOf(c.metric()) % COLOURS.length]));
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", LABEL_WIDTH + BAR_WIDTH + 10,
                    y + 12, RatioChart.ratio(c.ratio())));
        }
        return b.append("</svg>\n").toString();
    }

    private static double x(double ratio, double min, double max) {
        return LABEL_WIDTH + BAR_WIDTH * (Math.log10(ratio) - min) / Math.max(1, max - min);
    }

    private static boolean drawable(double ratio) {
        return Double.isFinite(ratio) && ratio > 0;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
