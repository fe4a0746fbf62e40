package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.DtypePolicy;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

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
public final class TwoHotLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "two-hot";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, TwoHotLoss.class)
                    .paper("Farebrother et al.: Stop Regressing: Training Value Functions via Classification"
                            + " for Scalable Deep RL, ICML 2024, arXiv 2403.03950")
                    .prediction("P0 logits (N,m)")
                    .label("L0 y (N)")
                    .example("regression head with m atoms; TwoHotLoss.decode maps logits to a scalar")
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

    private final double min;
    private final double max;
    private final int bins;
    private final double width;
    private final double[] atoms;

    private TwoHotLoss(Builder b) {
        super(ID, b.reduction(), true);
        RegressionMath.requireSupport(ID, b.min(), b.max(), b.bins(), 2);
        this.min = b.min();
        this.max = b.max();
        this.bins = Math.toIntExact(b.bins());
        this.width = (b.max() - b.min()) / (b.bins() - 1);
        this.atoms = RegressionMath.linspace(min, max, bins);
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
        return atoms.clone();
    }

    /**
     * Decodes logits to scalar predictions: \( \sum_i \mathrm{softmax}(\ell)_i z_i \).
     *
     * @param logits (N, m) logits
     * @return (N) predictions, differentiable in the logits
     */
    public NDArray decode(NDArray logits) {
        requireBins(logits);
        return RegressionMath.expectation(logits, atoms);
    }

    /**
     * The two-hot target for each y, computed in float64.
     *
     * @param y (N) targets, any floating dtype; clamped into [min, max]
     * @return (N, m) float64 probabilities
     */
    public NDArray targetDistribution(NDArray y) {
        NDArray y64 = Scalar.clamp(DtypePolicy.asLabel(y, DataType.FLOAT64), min, max).reshape(-1, 1);
        NDArray distance = Scalar.div(RegressionMath.row(y64, atoms).sub(y64).abs(), width);
        return Scalar.max(distance.neg().add(1), 0);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot logits = in.prediction(0, "logits").requireRank("(N, m)", 2);
        requireBins(logits);
        Slot y = in.floatLabel(0, "y").requireRank("(N)", 1).requireSameBatch(logits);
        NDArray target = targetDistribution(y.array()).toType(in.computeType(), false);
        return RegressionMath.softTargetCrossEntropy(logits.array(), target);
    }

    private void requireBins(Slot logits) {
        if (logits.size(1) != bins) {
            throw logits.fail("has shape " + logits.shape() + ", expected (N, " + bins + "): one logit per atom");
        }
    }

    private void requireBins(NDArray logits) {
        if (logits.getShape().dimension() != 2 || logits.getShape().get(1) != bins) {
            throw new IllegalArgumentException(
                    ID + ": logits have shape " + logits.getShape() + ", expected (N, " + bins + ")");
        }
    }

/** Builds an {@link TwoHotLoss}. */
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
