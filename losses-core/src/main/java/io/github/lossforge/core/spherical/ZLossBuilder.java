package io.github.lossforge.core.spherical;

import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossParams;
import io.github.lossforge.core.ParamSpec;

import java.util.List;

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

    /** The registry parameters both Z-losses take, with these defaults. */
    public static final List<ParamSpec> PARAMETERS = List.of(
            ParamSpec.number("a", DEFAULT_A, "> 0: softplus sharpness"),
            ParamSpec.number("b", DEFAULT_B, "z-score at which the loss saturates"),
            ParamSpec.number("eps", DEFAULT_EPS, "≥ 0: σ = sqrt(var + eps²)"));

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
     * Sets a, b, ε and the reduction from checked registry values.
     *
     * @param p the values of {@link #PARAMETERS} and {@code reduction}
     * @return this
     */
    public B fromParams(LossParams p) {
        return optA(p.number("a")).optB(p.number("b")).optEps(p.number("eps")).optReduction(p.reduction());
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
