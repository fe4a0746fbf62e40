package io.github.lossforge.benchmarks;

/**
 * One figure of a suite and the baseline it is compared with, both measured in the same run: the
 * ratio is {@code value / baselineValue} (NaN when either is missing).
 *
 * @param group what is compared, with its shape (e.g. {@code info-nce N=4096 D=128})
 * @param variant the measured variant (e.g. {@code chunk=512})
 * @param baseline the baseline variant (e.g. {@code chunk=0, whole matrix})
 * @param metric what is measured (e.g. {@code fwd+bwd peak RSS growth})
 * @param unit the unit of both values ({@code ms} or {@code MiB})
 * @param value the variant's value, NaN when not measured
 * @param baselineValue the baseline's value, NaN when not measured
 */
public record Comparison(String group, String variant, String baseline, String metric, String unit, double value,
        double baselineValue) {

    /**
     * The variant's value over the baseline's.
     *
     * @return the ratio, NaN when either value is missing or the baseline is 0
     */
    public double ratio() {
        return baselineValue > 0 ? value / baselineValue : Double.NaN;
    }
}
