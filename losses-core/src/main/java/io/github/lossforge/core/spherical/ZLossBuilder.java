package io.github.lossforge.core.spherical;

import io.github.lossforge.core.BaseLoss;

/**
 * The parameters both Z-losses take (see {@link SphericalZ}): the sharpness a, the saturation
 * z-score b and the variance floor ε.
 *
 * @param <B> the concrete builder type
 */
public abstract class ZLossBuilder<B extends ZLossBuilder<B>> extends BaseLoss.Builder<B> {

    /** The default sharpness a. */
    public static final double DEFAULT_A = 1.0;

    /** The default saturation z-score b. */
    public static final double DEFAULT_B = 0.0;

    /** The default ε added (squared) to the variance. */
    public static final double DEFAULT_EPS = 1e-6;

    private double a = DEFAULT_A;
    private double b = DEFAULT_B;
    private double eps = DEFAULT_EPS;

    /** Creates a builder with the defaults. */
    protected ZLossBuilder() {}

    /**
     * Sets the sharpness a.
     *
     * @param a &gt; 0 (default 1.0)
     * @return this
     */
    public B optA(double a) {
        this.a = a;
        return self();
    }

    /**
     * Sets the saturation z-score b.
     *
     * @param b the z-score (default 0.0)
     * @return this
     */
    public B optB(double b) {
        this.b = b;
        return self();
    }

    /**
     * Sets ε.
     *
     * @param eps ≥ 0 (default 1e-6)
     * @return this
     */
    public B optEps(double eps) {
        this.eps = eps;
        return self();
    }

    /**
     * The sharpness a set so far.
     *
     * @return a
     */
    public double a() {
        return a;
    }

    /**
     * The saturation z-score b set so far.
     *
     * @return b
     */
    public double b() {
        return b;
    }

    /**
     * The ε set so far.
     *
     * @return ε
     */
    public double eps() {
        return eps;
    }
}
