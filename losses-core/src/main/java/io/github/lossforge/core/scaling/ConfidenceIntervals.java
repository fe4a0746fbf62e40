package io.github.lossforge.core.scaling;

import java.util.List;
import java.util.Locale;

/**
 * Bootstrap percentile intervals of fitted parameters: the point estimate from all points and, per
 * parameter, the interval holding the central {@code level} of the estimates refitted on resampled
 * points.
 *
 * @param names the parameter names
 * @param estimate the fit on all points
 * @param lower the lower ends
 * @param upper the upper ends
 * @param level the coverage, e.g. 0.95
 */
public record ConfidenceIntervals(List<String> names, double[] estimate, double[] lower, double[] upper, double level) {

    /**
     * One line per parameter: {@code name = estimate [lower, upper]}.
     *
     * @return the table
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            out.append(String.format(Locale.ROOT, "%-6s = %.6g  %d%% CI [%.6g, %.6g]%n",
                    names.get(i), estimate[i], Math.round(level * 100), lower[i], upper[i]));
        }
        return out.toString();
    }
}
