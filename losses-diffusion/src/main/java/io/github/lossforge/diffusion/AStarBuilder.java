package io.github.lossforge.diffusion;

import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossParams;
import io.github.lossforge.core.ParamSpec;

/**
 * The options the three A-STAR losses share: ε of the segregation and retention ratios, and the
 * choice between the fused kernel and the plain autograd composition.
 *
 * @param <B> the concrete builder type
 */
public abstract class AStarBuilder<B extends AStarBuilder<B>> extends BaseLoss.Builder<B> {

    /** The registry parameter the A-STAR losses take. */
    public static final ParamSpec EPS = ParamSpec.number("eps", AttentionSegregationLoss.DEFAULT_EPS,
            "> 0, added to each denominator");

    private double eps = AttentionSegregationLoss.DEFAULT_EPS;
    private boolean fused = true;

    AStarBuilder() {}

    /**
     * Sets ε.
     *
     * @param eps &gt; 0 (default 1e-8)
     * @return this
     */
    public B optEps(double eps) {
        this.eps = eps;
        return self();
    }

    /**
     * Chooses between the fused kernel of the inputs' device (when there is one) and the plain
     * autograd composition.
     *
     * @param fused true (default) for the fused kernel, false for the composition
     * @return this
     */
    public B optFused(boolean fused) {
        this.fused = fused;
        return self();
    }

    /**
     * Sets ε and the reduction from checked registry values.
     *
     * @param p the values of {@link #EPS} and {@code reduction}
     * @return this
     */
    public B fromParams(LossParams p) {
        return optEps(p.number("eps")).optReduction(p.reduction());
    }

    double eps() {
        return eps;
    }

    boolean fused() {
        return fused;
    }
}
