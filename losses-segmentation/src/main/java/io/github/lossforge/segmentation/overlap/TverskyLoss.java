package io.github.lossforge.segmentation.overlap;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;

/**
 * The Tversky loss, a Dice loss with separate weights for false positives and false negatives.
 *
 * <p>With TP = p·y, FP = p(1 − y), FN = (1 − p)y, weights α (FP) and β (FN) and smoothing s:
 * \( 1 - \frac{TP + s}{TP + \alpha FP + \beta FN + s} \), computed as
 * \( \frac{\alpha FP + \beta FN}{TP + \alpha FP + \beta FN + s} \) (the same value without
 * cancellation; denominators are floored at 1e-30 (float32) / 1e-300 (float64) as in {@link
 * DiceLoss}, so 0/0 reads 0), with
 p = σ(x) for C = 1 and the softmax over the class axis for
 * C &gt; 1 (y one-hot). The sums are taken as {@link DiceLoss}'s {@code aggregation} says:
 * <ul>
 *   <li><b>{@code token}</b>: one fraction per token and class (no sums), summed over classes, then
 *       reduced over tokens ({@code mean} divides by the number of kept tokens, {@code none} returns
 *       per-token values shaped (N, S...)).
 *   <li><b>{@code image}</b>: TP, FP, FN summed per image n and class c over the kept spatial
 *       positions, \( 1 - \frac{\sum TP + s}{\sum TP + \alpha \sum FP + \beta \sum FN + s} \), the
 *       mean over the included classes per image, reduced over images ({@code none} = (N)). Pick this
 *       for image segmentation (MONAI's {@code TverskyLoss}).
 *   <li><b>{@code batch}</b>: the sums per class over every kept element of the batch, then the mean
 *       over the included classes; one value per batch ({@code mean} only).
 *   <li><b>{@code auto}</b> (default, the behaviour before the option existed): C = 1 takes
 *       {@code batch}, C &gt; 1 takes {@code token}.
 * </ul>
 * {@code includeBackground = false} drops class 0 when C &gt; 1. α = β = 0.5 gives the Dice loss with
 * smoothing 2s.
 *
 * <p>Slots: as {@link DiceLoss}: predictions[0] logits (N, C, S...) or (N, C); labels[0] class
 * indices (N, S...) int64; labels[1] optional 0/1 mask (N, S...) (masked-out tokens excluded; all
 * masked out gives 0).
 *
 * <p>Parameters: {@code alpha} (0.5, ≥ 0: false-positive weight), {@code beta} (0.5, ≥ 0:
 * false-negative weight), {@code smooth} (1.0, ≥ 0), {@code fromLogits} (true), {@code aggregation}
 * ({@link Aggregation}, {@code auto}), {@code includeBackground} (true), {@code reduction} (mean).
 *
 * <p>Paper: Xiaoya Li, Xiaofei Sun, Yuxian Meng, Junjun Liang, Fei Wu, Jiwei Li, "Dice Loss for
 * Data-imbalanced NLP Tasks", ACL 2020, arXiv 1911.02855 (after Salehi et al. 2017). The official
 * code has no Tversky loss; this follows the paper's formula with the Dice loss's conventions.
 */
public final class TverskyLoss extends OverlapLoss {

    /** The registry id. */
    public static final String ID = "tversky";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, TverskyLoss.class)
                    .paper("Li, Sun, Meng, Liang, Wu, Li: Dice Loss for Data-imbalanced NLP Tasks, ACL 2020,"
                            + " arXiv 1911.02855")
                    .prediction("P0 logits (N,C,...) or (N,C) tokens; C=1 means binary sigmoid")
                    .label("L0 target (N,...) int64")
                    .label("L1 mask (N,...) 0/1, optional")
                    .example("segmentation logits: examples/run-examples.sh segmentation.RingSegmentation --overlap tversky")
                    .param(ParamSpec.number("alpha", 0.5, "≥ 0: false-positive weight"))
                    .param(ParamSpec.number("beta", 0.5, "≥ 0: false-negative weight"))
                    .param(ParamSpec.number("smooth", 1.0, "≥ 0: smoothing added to numerator and denominator"))
                    .param(ParamSpec.bool("fromLogits", true, "predictions are logits (else probabilities)"))
                    .params(AGGREGATION_PARAMETERS)
                    .factory(p -> builder()
                            .optAlpha(p.number("alpha"))
                            .optBeta(p.number("beta"))
                            .optSmooth(p.number("smooth"))
                            .optFromLogits(p.bool("fromLogits"))
                            .optAggregation(p.word("aggregation"))
                            .optIncludeBackground(p.bool("includeBackground"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double alpha;
    private final double beta;
    private final double smooth;
    private final boolean fromLogits;

    private TverskyLoss(Builder b) {
        super(ID, b);
        requireNonNegative("alpha", b.alpha);
        requireNonNegative("beta", b.beta);
        requireNonNegative("smooth", b.smooth);
        this.alpha = b.alpha;
        this.beta = b.beta;
        this.smooth = b.smooth;
        this.fromLogits = b.fromLogits;
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
        OverlapInputs d = OverlapInputs.read(in, fromLogits);
        NDArray p = d.p();
        NDArray y = d.y();
        NDArray truePositive = p.mul(y);
        NDArray falsePositive = p.sub(truePositive);
        // (1 − p)·y; on the one-hot path y − p·y is the same number (y ∈ {0, 1}) without forming 1 − p
        NDArray falseNegative = d.binary() ? d.oneMinusP().mul(y) : y.sub(truePositive);
        NDArray errors = weighted(falsePositive, falseNegative);
        return aggregate(d, errors, errors.add(truePositive), smooth, false,
                "the set-level binary Tversky loss (C = 1, aggregation auto)");
    }

    private NDArray weighted(NDArray falsePositive, NDArray falseNegative) {
        return Scalar.mul(falsePositive, alpha)
                .add(Scalar.mul(falseNegative, beta));
    }

    /** Builds a {@link TverskyLoss}. */
    public static final class Builder extends OverlapBuilder<Builder> {
        private double alpha = 0.5;
        private double beta = 0.5;
        private double smooth = 1.0;
        private boolean fromLogits = true;

        private Builder() {
            super(ID);
        }

        /**
         * Sets the false-positive weight α.
         *
         * @param alpha ≥ 0 (default 0.5)
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Sets the false-negative weight β.
         *
         * @param beta ≥ 0 (default 0.5)
         * @return this
         */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Sets the smoothing s.
         *
         * @param smooth ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optSmooth(double smooth) {
            this.smooth = smooth;
            return this;
        }

        /**
         * Whether predictions[0] holds logits (sigmoid for C = 1, softmax for C &gt; 1) or probabilities.
         *
         * @param fromLogits default true
         * @return this
         */
        public Builder optFromLogits(boolean fromLogits) {
            this.fromLogits = fromLogits;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public TverskyLoss build() {
            return new TverskyLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
