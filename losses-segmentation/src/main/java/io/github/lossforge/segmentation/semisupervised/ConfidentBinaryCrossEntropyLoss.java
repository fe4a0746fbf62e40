package io.github.lossforge.segmentation.semisupervised;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.segmentation.DenseSlots;

/**
 * TraCoCo's cross-model confident binary cross-entropy (CBC; later called CRC), the unsupervised
 * term between two co-trained segmentation networks.
 *
 * <p>With the peer (teacher) probabilities q = softmax(teacher) per voxel v, pseudo-label
 * ŷ = argmax q, confidences w⁺ = max_c q and w⁻ = min_c q, and the student's p = softmax(student):
 * \[ L = \operatorname{mean}_{v:\, w^+_v \ge \tau^+} \big[-w^+_v \log p_v(\hat y_v)\big]
 *      + \operatorname{mean}_{v:\, w^-_v &lt; \tau^-} \Big[-w^-_v \tfrac{1}{K-1} \sum_{c \ne \hat y_v}
 *        \log \operatorname{clamp}(1 - p_v(c), 10^{-6}, 1)\Big]. \]
 * Each mean runs over the selected voxels of the whole batch only; an empty selection contributes 0
 * (so no confident voxel at all gives 0 with zero gradient). For K = 2 the negative term is the
 * official binary formula, \( -w^- \log(1 - p(1 - \hat y)) \), which equals a second cross-entropy
 * toward ŷ on the voxels where the teacher is very sure. The positive term uses the log-softmax.
 * The teacher takes no gradient (it is a label slot, as the official code runs it under no_grad).
 *
 * <p>Slots: predictions[0] student logits (N, K, S...) with K ≥ 2 and any number of spatial axes
 * (2-D or 3-D); labels[0] peer (teacher) logits, the same shape. Batch-level: reduction {@code mean}
 * only, which returns the value.
 *
 * <p>Parameters: {@code tauPositive} τ⁺ (0.65, the configs' threshold), {@code tauNegative} τ⁻ (0.1,
 * hard-coded at every official call site), {@code reduction} (mean).
 *
 * <p>Paper: Yuyuan Liu, Yu Tian, Chong Wang, Yuanhong Chen, Fengbei Liu, Vasileios Belagiannis,
 * Gustavo Carneiro, "Translation Consistent Semi-supervised Segmentation for 3D Medical Images"
 * (TraCoCo), 2022, arXiv 2203.14523.
 *
 * <p>Differs from the official code: for K &gt; 2 the negative term averages over the classes other
 * than ŷ (the official 4-class code applies a bitwise NOT to an int64 one-hot, which weighs the
 * classes by −1 and −2 and pushes p(ŷ) down); an empty selection gives a scalar 0 (the official
 * returns a tensor of shape [1]).
 */
public final class ConfidentBinaryCrossEntropyLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "cbc";

    /** The floor of 1 − p(c) inside the negative term's log, as in the official code. */
    private static final double ONE_MINUS_P_FLOOR = 1e-6;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, ConfidentBinaryCrossEntropyLoss.class)
                    .paper("Liu, Tian, Wang, Chen, Liu, Belagiannis, Carneiro: Translation Consistent"
                            + " Semi-supervised Segmentation for 3D Medical Images (TraCoCo), 2022, arXiv 2203.14523")
                    .prediction("P0 student logits (N,K,...)")
                    .label("L0 peer (teacher) logits (N,K,...)")
                    .example("two networks, each on the other's confident pixels: examples/run-examples.sh segmentation.RingSegmentation --unlabelled cbc")
                    .batchLevel()
                    .param(ParamSpec.number("tauPositive", 0.65,
                            "positive term on voxels with max teacher prob ≥ this"))
                    .param(ParamSpec.number("tauNegative", 0.1,
                            "negative term on voxels with min teacher prob < this"))
                    .factory(p -> builder()
                            .optTauPositive(p.number("tauPositive"))
                            .optTauNegative(p.number("tauNegative"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double tauPositive;
    private final double tauNegative;

    private ConfidentBinaryCrossEntropyLoss(Builder b) {
        super(ID, b.reduction(), false);
        requireFinite("tauPositive", b.tauPositive);
        requireFinite("tauNegative", b.tauNegative);
        this.tauPositive = b.tauPositive;
        this.tauNegative = b.tauNegative;
    }

    private static void requireFinite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(ID + ": " + name + " must be a finite number, got " + value);
        }
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
        Slot student = DenseSlots.requireMinRank(in.prediction(0, "student logits"), "(N, K, ...)", 2);
        if (student.size(1) < 2) {
            throw student.fail("has shape " + student.shape() + ", expected at least 2 classes on axis 1");
        }
        Slot teacher = DenseSlots.requireShapeOf(in.floatLabel(0, "teacher logits"), student);
        int classes = (int) student.size(1);
        // the (log-)softmaxes run over axis 1 of the (N, K, ...) layout before the class axis moves last:
        // libtorch's CPU softmax over a short innermost axis is several times slower (see DEVELOPING.md)
        NDArray q = DenseSlots.tokensByClass(teacher.array().stopGradient().softmax(1));
        NDArray pseudo = q.argMax(1);
        NDArray wPositive = q.max(new int[] {1});
        NDArray wNegative = q.min(new int[] {1});
        NDArray logProbabilities = DenseSlots.tokensByClass(student.array().logSoftmax(1));

        NDArray positive = Numerics.gatherRows(logProbabilities, pseudo).mul(wPositive).neg();
        NDArray selectPositive = wPositive.gte(tauPositive).toType(positive.getDataType(), false);

        NDArray others = pseudo.oneHot(classes, positive.getDataType()).neg().add(1);
        NDArray logRest = Scalar.clamp(logProbabilities.exp().neg().add(1), ONE_MINUS_P_FLOOR, 1).log();
        NDArray negative = Scalar.div(logRest.mul(others).sum(new int[] {1}), classes - 1).mul(wNegative).neg();
        NDArray selectNegative = wNegative.lt(tauNegative).toType(positive.getDataType(), false);

        return selectedMean(positive, selectPositive).add(selectedMean(negative, selectNegative));
    }

    /** The mean of the selected values, 0 (with zero gradient) when none is selected. */
    private static NDArray selectedMean(NDArray values, NDArray selected) {
        return Numerics.safeDivide(values.mul(selected).sum(), selected.sum());
    }

    /** Builds a {@link ConfidentBinaryCrossEntropyLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double tauPositive = 0.65;
        private double tauNegative = 0.1;

        private Builder() {}

        /**
         * Sets τ⁺: the positive term counts voxels whose largest teacher probability is at least τ⁺.
         *
         * @param tauPositive default 0.65
         * @return this
         */
        public Builder optTauPositive(double tauPositive) {
            this.tauPositive = tauPositive;
            return this;
        }

        /**
         * Sets τ⁻: the negative term counts voxels whose smallest teacher probability is below τ⁻.
         *
         * @param tauNegative default 0.1
         * @return this
         */
        public Builder optTauNegative(double tauNegative) {
            this.tauNegative = tauNegative;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public ConfidentBinaryCrossEntropyLoss build() {
            return new ConfidentBinaryCrossEntropyLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
