package io.github.lossforge.segmentation.overlap;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.Scalar;

/**
 * The Dice loss and its self-adjusting form (Li et al.), for binary and multi-class dense or token
 * predictions.
 *
 * <p>With \( \tilde p = (1 - p)^\alpha p \) (α = 0 gives p), smoothing s and 0/1 targets y:
 * <ul>
 *   <li><b>C = 1, {@code setLevel = true}</b> (default for C = 1): p = σ(x), one set-level Dice over
 *       every kept element of the batch, \( 1 - \frac{2\sum \tilde p y + s}{\sum \tilde p + \sum y + s}
 *       \) (with \( \sum \tilde p^2 + \sum y^2 \) when {@code squareDenominator}). The value is a scalar
 *       for the whole batch: {@code mean} and {@code sum} both return it, {@code none} is rejected.
 *   <li><b>C = 1, {@code setLevel = false}</b>: the same fraction per element, reduced over tokens.
 *   <li><b>C &gt; 1</b>: p = softmax over the class axis, y one-hot; per token
 *       \( \sum_c \big[1 - \frac{2\tilde p_c y_c + s}{\tilde p_c + y_c + s}\big] \) (squares in the
 *       denominator when {@code squareDenominator}), reduced over tokens: {@code mean} divides by the
 *       number of kept tokens, {@code none} returns the per-token values shaped (N, S...).
 * </ul>
 * It is computed as \( \frac{D - 2I}{D + s} \) with D the denominator sum and I the overlap, which is
 * the same value without the cancellation of 1 − (…). Denominators are floored at 1e-30 (float32) /
 * 1e-300 (float64) so that an underflowing denominator cannot make the gradient NaN; this matters only
 * for a smoothing below the floor, and a 0/0 (s = 0, p = y = 0) reads 0.
 *
 * <p>Slots: predictions[0] logits (N, C, S...) or (N, C) tokens, any number of spatial axes (2-D
 * images, 3-D volumes); C = 1 means binary. labels[0] class indices (N, S...) int64 (int32 accepted;
 * 0/1 for C = 1); labels[1] optional 0/1 mask (N, S...) of any numeric or boolean dtype: masked-out
 * tokens are excluded from every sum and from the token count. With every token masked out the loss
 * is 0.
 *
 * <p>Parameters: {@code alpha} (0.0, ≥ 0: self-adjusting exponent), {@code smooth} (1.0, ≥ 0),
 * {@code squareDenominator} (false), {@code fromLogits} (true; false takes probabilities in [0, 1],
 * per class for C &gt; 1), {@code setLevel} (true; concerns C = 1 only), {@code reduction} (mean).
 * 1 − p is clamped at 1e-7 (float32) / 1e-15 (float64) inside \( (1 - p)^\alpha \), whose derivative
 * is infinite at p = 1.
 *
 * <p>Paper: Xiaoya Li, Xiaofei Sun, Yuxian Meng, Junjun Liang, Fei Wu, Jiwei Li, "Dice Loss for
 * Data-imbalanced NLP Tasks", ACL 2020, arXiv 1911.02855.
 *
 * <p>Differs from the official code (ShannonAI/dice_loss_for_NLP): the mask is flattened with the
 * tokens (the official binary path multiplies (N) probabilities by an (N, 1) mask, which broadcasts to
 * (N, N) and scales the loss by the kept fraction); for C &gt; 1 without {@code squareDenominator} the
 * denominator is per token, as in the paper (the official code mixes a per-token numerator with a
 * per-class whole-batch denominator); inputs of any rank are accepted (the official code hard-codes
 * softmax over axis 1 of (N, C)); OHEM is not ported; the default smoothing is 1.0 (the released
 * training scripts) rather than the code's 1e-4.
 */
public final class DiceLoss extends OverlapLoss {

    /** The registry id. */
    public static final String ID = "dice";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, DiceLoss.class)
                    .paper("Li, Sun, Meng, Liang, Wu, Li: Dice Loss for Data-imbalanced NLP Tasks, ACL 2020,"
                            + " arXiv 1911.02855")
                    .prediction("P0 logits (N,C,...) or (N,C) tokens; C=1 means binary sigmoid")
                    .label("L0 target (N,...) int64")
                    .label("L1 mask (N,...) 0/1, optional")
                    .example("segmentation logits: examples/run-examples.sh segmentation.RingSegmentation")
                    .param(ParamSpec.number("alpha", 0.0,
                            "≥ 0: self-adjusting weight (1−p)^alpha·p; 0 is plain Dice"))
                    .param(ParamSpec.number("smooth", 1.0, "≥ 0: smoothing added to numerator and denominator"))
                    .param(ParamSpec.bool("squareDenominator", false, "use p̃² + y² in the denominator"))
                    .param(ParamSpec.bool("fromLogits", true, "predictions are logits (else probabilities)"))
                    .param(ParamSpec.bool("setLevel", true, "C=1: one set-level Dice over the batch (else per token)"))
                    .factory(p -> builder()
                            .optAlpha(p.number("alpha"))
                            .optSmooth(p.number("smooth"))
                            .optSquareDenominator(p.bool("squareDenominator"))
                            .optFromLogits(p.bool("fromLogits"))
                            .optSetLevel(p.bool("setLevel"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double alpha;
    private final double smooth;
    private final boolean squareDenominator;
    private final boolean fromLogits;
    private final boolean setLevel;

    private DiceLoss(Builder b) {
        super(ID, b.reduction());
        requireNonNegative("alpha", b.alpha);
        requireNonNegative("smooth", b.smooth);
        this.alpha = b.alpha;
        this.smooth = b.smooth;
        this.squareDenominator = b.squareDenominator;
        this.fromLogits = b.fromLogits;
        this.setLevel = b.setLevel;
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
        NDArray pt = d.selfAdjusted(alpha);
        NDArray y = d.y();
        NDArray predicted = squareDenominator ? pt.square() : pt;
        if (d.binary() && setLevel) {
            if (reduction() == Reduction.NONE) {
                throw new IllegalArgumentException(ID + ": reduction 'none' is not available for the set-level"
                        + " binary Dice (C = 1, setLevel = true), which is one value for the whole batch;"
                        + " use setLevel = false for per-token values");
            }
            NDArray overlap = d.keptSum(pt.mul(y));
            NDArray total = d.keptSum(predicted).add(d.keptSum(y));
            // Both sums are 0-dimensional: a Java-number smoothing would promote them to float64.
            return OverlapInputs.fraction(total.sub(overlap.add(overlap)), total.add(Scalar.of(total, smooth)));
        }
        NDArray total = predicted.add(y);
        NDArray overlap = pt.mul(y);
        NDArray perToken = d.perToken(total.sub(overlap.add(overlap)), total.add(smooth));
        return overTokens(perToken, d);
    }

    /** Builds a {@link DiceLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double alpha;
        private double smooth = 1.0;
        private boolean squareDenominator;
        private boolean fromLogits = true;
        private boolean setLevel = true;

        private Builder() {}

        /**
         * Sets the self-adjusting exponent α of \( (1 - p)^\alpha p \).
         *
         * @param alpha ≥ 0 (default 0: plain Dice)
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
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
         * Uses squares in the denominator (Milletari's V-Net form).
         *
         * @param squareDenominator default false
         * @return this
         */
        public Builder optSquareDenominator(boolean squareDenominator) {
            this.squareDenominator = squareDenominator;
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
         * For C = 1: one set-level Dice over the whole batch (true) or one value per element (false).
         *
         * @param setLevel default true
         * @return this
         */
        public Builder optSetLevel(boolean setLevel) {
            this.setLevel = setLevel;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public DiceLoss build() {
            return new DiceLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
