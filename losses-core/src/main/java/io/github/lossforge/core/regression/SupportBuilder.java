package io.github.lossforge.core.regression;

import io.github.lossforge.core.BaseLoss;

/**
 * The required support of the histogram regression losses: [min, max] cut into m bins (HL-Gauss) or
 * m atoms (two-hot).
 *
 * @param <B> the concrete builder type
 */
public abstract class SupportBuilder<B extends SupportBuilder<B>> extends BaseLoss.Builder<B> {

    private double min = Double.NaN;
    private double max = Double.NaN;
    private long bins = Long.MIN_VALUE;

    SupportBuilder() {}

    /**
     * Sets the lower end of the support.
     *
     * @param min required
     * @return this
     */
    public B setMin(double min) {
        this.min = min;
        return self();
    }

    /**
     * Sets the upper end of the support.
     *
     * @param max required, &gt; min
     * @return this
     */
    public B setMax(double max) {
        this.max = max;
        return self();
    }

    /**
     * Sets m, the number of bins (HL-Gauss, ≥ 1) or atoms (two-hot, ≥ 2).
     *
     * @param bins required
     * @return this
     */
    public B setBins(long bins) {
        this.bins = bins;
        return self();
    }

    double min() {
        return min;
    }

    double max() {
        return max;
    }

    long bins() {
        return bins;
    }
}
