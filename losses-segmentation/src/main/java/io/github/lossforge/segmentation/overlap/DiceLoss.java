package io.github.lossforge.segmentation.overlap;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;

/**
 * The Dice loss and its self-adjusting form (Li et al.), for binary and multi-class dense or token
 * predictions, with the region Dice of segmentation (MONAI) as an aggregation.
 *
 * <p>With \( \tilde p = (1 - p)^\alpha p \) (α = 0 gives p), smoothing s, 0/1 targets y, p = σ(x)
 * for C = 1 and the softmax over the class axis for C &gt; 1 (y one-hot), every aggregation is the
 * fraction \( 1 - \frac{2\sum \tilde p y + s}{\sum \tilde p + \sum y + s} \) (with
 * \( \sum \tilde p^2 + \sum y^2 \) when {@code squareDenominator}) over a different set of sums:
 * <ul>
 *   <li><b>{@code token}</b>: no sums, one fraction per token and class, summed over classes, then
 *       reduced over tokens ({@code mean} divides by the number of kept tokens, {@code none} returns
 *       the per-token values shaped (N, S...)): the NLP form of Li et al.
 *   <li><b>{@code image}</b>: per image n and class c over the kept spatial positions, then the mean
 *       over the included classes gives the value of image n, reduced over images ({@code mean}
 *       over the images with a kept position, {@code sum}, {@code none} = (N)): MONAI's
 *       {@code DiceLoss} with smooth_nr = smooth_dr = s. Pick this for image segmentation.
 *   <li><b>{@code batch}</b>: per class over every kept element of the batch, then the mean over
 *       the included classes; one value per batch, so {@code mean} is its only reduction (MONAI's
 *       {@code batch=True}).
 *   <li><b>{@code auto}</b> (default, the behaviour before the option existed): C = 1 takes
 *       {@code batch} (one set-level Dice; {@code setLevel = false} makes it {@code token}), C &gt; 1
 *       takes {@code token}.
 * </ul>
 * {@code includeBackground = false} drops class 0 when C &gt; 1 (ignored for C = 1). Every fraction
 * is computed as \( \frac{D - 2I}{D + s} \) with D the denominator sum and I the overlap, which is
 * the same value without the cancellation of 1 − (…). Denominators are floored at 1e-30 (float32) /
 * 1e-300 (float64) so that an underflowing denominator cannot make the gradient NaN; this matters only
 * for a smoothing below the floor, and a 0/0 (s = 0, p = y = 0) reads 0.
 *
 * <p>Slots: predictions[0] logits (N, C, S...) or (N, C) tokens, any number of spatial axes (2-D
 * images, 3-D volumes); C = 1 means binary. labels[0] class indices (N, S...) int64 (int32 accepted;
 * 0/1 for C = 1); labels[1] optional 0/1 mask (N, S...) of any numeric or boolean dtype: masked-out
 * positions are excluded from every sum and from the token (or image) count. With every position
 * masked out the loss is 0.
 *
 * <p>Parameters: {@code alpha} (0.0, ≥ 0: self-adjusting exponent), {@code smooth} (1.0, ≥ 0),
 * {@code squareDenominator} (false), {@code fromLogits} (true; false takes probabilities in [0, 1],
 * per class for C &gt; 1), {@code setLevel} (true; concerns C = 1 with {@code aggregation = auto}
 * only), {@code aggregation} ({@link Aggregation}, {@code auto}), {@code includeBackground} (true), {@code reduction}
 * (mean). 1 − p is clamped at 1e-7 (float32) / 1e-15 (float64) inside \( (1 - p)^\alpha \), whose
 * derivative is infinite at p = 1.
 *
 * <p>Paper: Xiaoya Li, Xiaofei Sun, Yuxian Meng, Junjun Liang, Fei Wu, Jiwei Li, "Dice Loss for
 * Data-imbalanced NLP Tasks", ACL 2020, arXiv 1911.02855; the region form: Milletari, Navab, Ahmadi,
 * "V-Net", 3DV 2016, arXiv 1606.04797, as MONAI's {@code DiceLoss} computes it.
 *
 * <p>Differs from the official code (ShannonAI/dice_loss_for_NLP): the mask is flattened with the
 * tokens (the official binary path multiplies (N) probabilities by an (N, 1) mask, which broadcasts to
 * (N, N) and scales the loss by the kept fraction); for C &gt; 1 without {@code squareDenominator} the
 * denominator is per token, as in the paper (the official code mixes a per-token numerator with a
 * per-class whole-batch denominator); inputs of any rank are accepted (the official code hard-codes
 * softmax over axis 1 of (N, C)); OHEM is not ported; the default smoothing is 1.0 (the released
 * training scripts) rather than the code's 1e-4. Differs from MONAI's {@code image} form in that an
 * image whose every position is masked out is left out of the mean (MONAI has no mask).
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
                    .param(ParamSpec.bool("setLevel", true,
                            "C=1 with aggregation auto: one set-level Dice over the batch (else per token)"))
                    .params(AGGREGATION_PARAMETERS)
                    .factory(p -> builder()
                            .optAlpha(p.number("alpha"))
                            .optSmooth(p.number("smooth"))
                            .optSquareDenominator(p.bool("squareDenominator"))
                            .optFromLogits(p.bool("fromLogits"))
                            .optSetLevel(p.bool("setLevel"))
                            .optAggregation(p.word("aggregation"))
                            .optIncludeBackground(p.bool("includeBackground"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double alpha;
    private final double smooth;
    private final boolean squareDenominator;
    private final boolean fromLogits;
    private final boolean setLevel;

    private DiceLoss(Builder b) {
        super(ID, b);
        if (!b.setLevel && aggregation() != Aggregation.AUTO) {
            throw new IllegalArgumentException(ID + ": setLevel = false concerns aggregation 'auto' only, got"
                    + " aggregation '" + aggregation().key() + "' (use aggregation 'token' for per-token values)");
        }
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
        NDArray total = (squareDenominator ? pt.square() : pt).add(y);
        NDArray overlap = pt.mul(y);
        return aggregate(d, total.sub(overlap.add(overlap)), total, smooth, !setLevel,
                "the set-level binary Dice (C = 1, setLevel = true, aggregation auto)");
    }

    /** Builds a {@link DiceLoss}. */
    public static final class Builder extends OverlapBuilder<Builder> {
        private double alpha;
        private double smooth = 1.0;
        private boolean squareDenominator;
        private boolean fromLogits = true;
        private boolean setLevel = true;

        private Builder() {
            super(ID);
        }

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
         * For C = 1 with {@code aggregation = auto}: one set-level Dice over the whole batch (true) or
         * one value per element (false).
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
