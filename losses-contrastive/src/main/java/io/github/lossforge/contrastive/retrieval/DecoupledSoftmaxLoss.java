package io.github.lossforge.contrastive.retrieval;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.contrastive.KeptRows;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * The decoupled softmax of DEXML: a multi-label InfoNCE in which every positive competes only with
 * the negatives, the other positives being removed from its denominator.
 *
 * <p>With \( x = s / \tau \), positives \( P_i \) and negatives \( \bar P_i \) of row i:
 *
 * <p>\( \ell_i = \frac{1}{|P_i|} \sum_{j \in P_i} -\log \frac{e^{x_{ij}}}{e^{x_{ij}} + \sum_{k \in
 * \bar P_i} e^{x_{ik}}} = \frac{1}{|P_i|} \sum_{j \in P_i} \mathrm{softplus}\big(\mathrm{lse}_{k
 * \in \bar P_i} x_{ik} - x_{ij}\big) \),
 *
 * <p>averaged over the rows with at least one positive (rows without one are dropped, {@code none}
 * gives them 0); a row without negatives gives 0. With one positive per row this is the softmax
 * cross-entropy.
 *
 * <p>Slots: predictions[0] similarities (B, L); labels[0] positive mask (B, L), 0/1 of any numeric
 * or boolean type. Parameters: {@code temperature} (1.0: the inputs are already logits; 0.05 for
 * cosines as in DEXML), {@code reduction} (mean). Differs from the official code in two deliberate
 * ways: negatives are excluded exactly instead of by a −100 fill, and all positives of a row are
 * averaged instead of sampling one per row ({@code loss_sample=True}); sample positives in the data
 * pipeline to reproduce the latter.
 *
 * <p>Paper: Nilesh Gupta, Devvrit Khatri, Ankit Singh Rawat, Srinadh Bhojanapalli, Prateek Jain,
 * Inderjit Dhillon, "Dual-encoders for Extreme Multi-label Classification", ICLR 2024, arXiv
 * 2310.10636.
 */
public final class DecoupledSoftmaxLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "decoupled-softmax";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, DecoupledSoftmaxLoss.class)
                    .paper("Gupta, Khatri, Rawat, Bhojanapalli, Jain, Dhillon: Dual-encoders for Extreme Multi-label"
                            + " Classification, ICLR 2024, arXiv 2310.10636")
                    .prediction("P0 similarities (B,L)")
                    .label("L0 positive mask (B,L)")
                    .example("query-label scores (B,L) with a positive mask:"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss decoupled-softmax")
                    .param(ParamSpec.number("temperature", 1.0, "> 0: logits are similarities / temperature"))
                    .factory(p -> builder()
                            .optTemperature(p.number("temperature"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double temperature;
    private final KeptRows kept = new KeptRows();

    private DecoupledSoftmaxLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.temperature > 0) || Double.isInfinite(b.temperature)) {
            throw new IllegalArgumentException(ID + ": temperature must be a finite number > 0, got " + b.temperature);
        }
        this.temperature = b.temperature;
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot scores = in.prediction(0, "similarities").requireRank("(B, L)", 2);
        NDArray positives = PositiveMasks.read(in.label(0, "positive mask"), scores);
        NDArray negatives = positives.logicalNot();
        NDArray x = Scalar.div(scores.array(), temperature);
        NDArray negativeLse = PairMath.maskedLogSumExp(x, negatives, false).reshape(-1, 1);
        NDArray terms = Numerics.softplus(negativeLse.sub(x));
        NDArray counted = positives.logicalAnd(PairMath.anyPerRow(negatives).reshape(-1, 1));
        NDArray rowSums = terms.mul(counted.toType(x.getDataType(), false)).sum(new int[] {1});
        NDArray count = positives.toType(x.getDataType(), false).sum(new int[] {1});
        kept.set(count.gt(0).toType(x.getDataType(), false));
        return Numerics.safeDivide(rowSums, count);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray reduce(NDArray values) {
        return reduceKept(values, kept.take());
    }

    /** Builds a {@link DecoupledSoftmaxLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double temperature = 1.0;

        private Builder() {}

        /**
         * Sets the temperature τ.
         *
         * @param temperature &gt; 0 (default 1: the similarities are logits already)
         * @return this
         */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public DecoupledSoftmaxLoss build() {
            return new DecoupledSoftmaxLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
