package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.DtypePolicy;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;

/**
 * Regression as classification with a two-hot target: the scalar target is split between its two
 * neighbouring atoms in proportion to its distance from each, and the logits are trained with
 * cross-entropy against that distribution,
 *
 * <p>\( z_i = v_{min} + i\varsigma,\ \varsigma = \frac{v_{max} - v_{min}}{m - 1},\ p_i(y) = \max(0,
 * 1 - |y - z_i| / \varsigma),\ L = -\sum_i p_i(y) \log \mathrm{softmax}(\ell)_i, \)
 *
 * <p>so that for \( z_i \le y \le z_{i+1} \): \( p_i = (z_{i+1} - y)/\varsigma \), \( p_{i+1} = (y -
 * z_i)/\varsigma \), and \( \sum_i p_i z_i = y \). {@link #decode} maps logits back to a scalar, \(
 * \hat y = \sum_i \mathrm{softmax}(\ell)_i z_i \). The gradient is {@code softmax(logits) − p}.
 *
 * <p>Slots: predictions[0] logits (N, m) with m = {@code bins}; labels[0] targets y (N), floating.
 * Parameters: {@code min}, {@code max} (required, min &lt; max), {@code bins} (required, m ≥ 2
 * atoms; note that "bins" counts atoms here but bins of m + 1 edges for {@link HlGaussLoss}), {@code
 * reduction} (mean).
 *
 * <p>Targets outside [min, max] are clamped into it, as in the paper. The target is computed in
 * float64 and takes no part in autograd.
 *
 * <p>Paper: Jesse Farebrother et al., "Stop Regressing: Training Value Functions via Classification
 * for Scalable Deep RL", ICML 2024, arXiv 2403.03950 (no official code for two-hot).
 */
public final class TwoHotLoss extends HistogramRegressionLoss {

    /** The registry id. */
    public static final String ID = "two-hot";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, TwoHotLoss.class)
                    .paper("Farebrother et al.: Stop Regressing: Training Value Functions via Classification"
                            + " for Scalable Deep RL, ICML 2024, arXiv 2403.03950")
                    .prediction("P0 logits (N,m)")
                    .label("L0 y (N)")
                    .example("regression head with m atoms, TwoHotLoss.decode maps logits to a scalar:"
                            + " examples/run-examples.sh regression.HistogramRegression --loss two-hot")
                    .param(ParamSpec.number("min", null, "first atom"))
                    .param(ParamSpec.number("max", null, "last atom"))
                    .param(ParamSpec.integer("bins", null, "≥ 2: number of atoms m"))
                    .factory(p -> builder()
                            .setMin(p.number("min"))
                            .setMax(p.number("max"))
                            .setBins(p.integer("bins"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double width;

    private TwoHotLoss(Builder b) {
        super(ID, b.reduction(), b.min(), b.max(), atomsOf(b), "atom");
        this.width = (b.max() - b.min()) / (b.bins() - 1);
    }

    private static double[] atomsOf(Builder b) {
        RegressionMath.requireSupport(ID, b.min(), b.max(), b.bins(), 2);
        return RegressionMath.linspace(b.min(), b.max(), Math.toIntExact(b.bins()));
    }

    /**
     * Starts a builder.
     *
     * @return a builder; min, max and bins must be set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The atoms \( z_i \).
     *
     * @return a copy of the m atoms
     */
    public double[] atoms() {
        return points().clone();
    }

    /**
     * The two-hot target for each y, computed in float64.
     *
     * @param y (N) targets, any floating dtype; clamped into [min, max]
     * @return (N, m) float64 probabilities
     */
    @Override
    public NDArray targetDistribution(NDArray y) {
        NDArray y64 = Scalar.clamp(DtypePolicy.asLabel(y, DataType.FLOAT64), min(), max()).reshape(-1, 1);
        NDArray distance = Scalar.div(RegressionMath.row(y64, points()).sub(y64).abs(), width);
        return Scalar.max(distance.neg().add(1), 0);
    }

    /** Builds a {@link TwoHotLoss}. */
    public static final class Builder extends SupportBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public TwoHotLoss build() {
            return new TwoHotLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
