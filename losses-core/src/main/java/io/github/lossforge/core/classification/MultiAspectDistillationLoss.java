package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * Multi-aspect knowledge distillation (MaKD): the student's output layer is widened to C + A
 * logits; the first C are trained with cross-entropy on the class, the last A with
 * binary cross-entropy against the aspect probabilities an MLLM gave offline (p_yes of A yes/no
 * questions per image):
 *
 * <p>\( \ell_i = w_{ce} \cdot \big(-\log \mathrm{softmax}(z_{i,1..C})_{y_i}\big) + \alpha \cdot
 * \frac{1}{A} \sum_{a=1}^{A} \mathrm{BCE}\big(\sigma(z_{i,C+a}), p_{i,a}\big) \),
 *
 * <p>so the {@code mean} over the batch equals the official {@code w·CE + α·BCEWithLogits} with the
 * BCE averaged over B·A. The aspect targets are probabilities, not logits: they are not passed
 * through a sigmoid again. Inference uses only the first C logits.
 *
 * <p>Slots: predictions[0] logits (B, C + A); labels[0] class indices (B), int64; labels[1] aspect
 * probabilities (B, A) in [0, 1]. C is the width of predictions[0] minus A and must be ≥ 1.
 * Parameters: {@code alpha} (4.0, ≥ 0), {@code ceWeight} (1.0, ≥ 0), {@code reduction} (mean).
 * The official configs use A = 50 aspects; α scales with A only through the mean.
 *
 * <p>Paper: Taegyeong Lee, Jinsik Bang, Soyeong Kwon, Taehwan Kim, "Multi-aspect Knowledge
 * Distillation with Large Language Model", CVPRW 2025, arXiv 2501.13341. Official code:
 * taegyeong-lee/MaKD-Multi-aspect-knowledge-distillation-with-Large-Language-Model
 * ({@code mdistiller/distillers/MaKD.py}); the optional teacher KD term of its {@code makd_loss} is not
 * part of this loss (add a KD loss separately).
 */
public final class MultiAspectDistillationLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "makd";

    /** The default weight α of the aspect term. */
    public static final double DEFAULT_ALPHA = 4.0;

    /** The default weight of the cross-entropy term. */
    public static final double DEFAULT_CE_WEIGHT = 1.0;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, MultiAspectDistillationLoss.class)
                    .paper("Lee, Bang, Kwon, Kim: Multi-aspect Knowledge Distillation with Large Language"
                            + " Model, CVPRW 2025, arXiv 2501.13341")
                    .prediction("P0 logits (B,C+A)")
                    .label("L0 target (B) int64")
                    .label("L1 aspect probabilities (B,A)")
                    .example("a classifier head widened to C + A"
                            + " outputs, with labels (target, aspect probabilities):"
                            + " examples/run-examples.sh classification.MulticlassClassification --loss makd")
                    .param(ParamSpec.number("alpha", DEFAULT_ALPHA, "≥ 0: weight of the aspect BCE term"))
                    .param(ParamSpec.number("ceWeight", DEFAULT_CE_WEIGHT, "≥ 0: weight of the class CE term"))
                    .factory(p -> builder()
                            .optAlpha(p.number("alpha"))
                            .optCeWeight(p.number("ceWeight"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double alpha;
    private final double ceWeight;

    private MultiAspectDistillationLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.alpha >= 0) || Double.isInfinite(b.alpha)) {
            throw new IllegalArgumentException(ID + ": alpha must be a finite number ≥ 0, got " + b.alpha);
        }
        if (!(b.ceWeight >= 0) || Double.isInfinite(b.ceWeight)) {
            throw new IllegalArgumentException(ID + ": ceWeight must be a finite number ≥ 0, got " + b.ceWeight);
        }
        this.alpha = b.alpha;
        this.ceWeight = b.ceWeight;
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
        in.requireSlots(2, 2, 1, 1);
        Slot logits = in.prediction(0, "logits").requireRank("(B, C + A)", 2);
        Slot target = in.label(0, "target").requireRank("(B)", 1).requireSameBatch(logits);
        Slot aspects = in.floatLabel(1, "aspect probabilities").requireRank("(B, A)", 2).requireSameBatch(logits);
        long aspectCount = aspects.size(1);
        long classes = logits.size(1) - aspectCount;
        if (aspectCount < 1 || classes < 1) {
            throw aspects.fail("has shape " + aspects.shape() + ", expected (B, A) with 1 ≤ A < "
                    + logits.size(1) + " (the width of predictions[0] (logits) is C + A with C ≥ 1)");
        }
        NDArray p = aspects.array();
        aspects.requireWithin(0, 1, "probabilities (not logits)");
        target.requireClassIndices(classes);
        NDArray classLogits = logits.array().get(new NDIndex(":, :{}", classes));
        NDArray aspectLogits = logits.array().get(new NDIndex(":, {}:", classes));
        NDArray crossEntropy = Numerics.logProbabilityOf(classLogits, target.array()).neg();
        NDArray aspectTerm = ClassificationMath.bceWithLogits(aspectLogits, p).mean(new int[] {1});
        return Scalar.mul(crossEntropy, ceWeight).add(Scalar.mul(aspectTerm, alpha));
    }

    /** Builds a {@link MultiAspectDistillationLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double alpha = DEFAULT_ALPHA;
        private double ceWeight = DEFAULT_CE_WEIGHT;

        private Builder() {}

        /**
         * Sets α, the weight of the aspect BCE term.
         *
         * @param alpha ≥ 0 (default 4.0)
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Sets the weight of the class cross-entropy term.
         *
         * @param ceWeight ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optCeWeight(double ceWeight) {
            this.ceWeight = ceWeight;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public MultiAspectDistillationLoss build() {
            return new MultiAspectDistillationLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
