package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Slot;

/**
 * The correctness-aware (CA) calibration loss: a post-hoc calibrator's confidence is pushed up on
 * samples the original classifier gets right and down on those it gets wrong, by the squared error
 * between the calibrated max-softmax confidence and the correctness of the <em>original</em>
 * prediction, with class-balanced weights:
 *
 * <p>\( s_i = \max_k \mathrm{softmax}(z^{cal}_i)_k,\; c_i = 1[\arg\max_k z^{orig}_{i,k} = y_i],\;
 * \ell_i = (s_i - c_i)^2,\; w_i = \begin{cases} 1 - \mathrm{acc}_B & c_i = 1 \\ \mathrm{acc}_B &
 * c_i = 0 \end{cases},\; L = \frac{\sum_i w_i \ell_i}{\sum_i w_i}, \)
 *
 * <p>with acc_B the accuracy of the original prediction on the batch (no gradient), so the correct
 * and the wrong samples each carry half of the weight. The loss uses the max-softmax confidence, not
 * p_y: for a narrowly wrong sample cross-entropy would raise p_y and with it the wrong confidence.
 *
 * <p><b>Fallback</b>: on a batch that is all correct or all wrong, Σ w = 0 and the official code
 * returns NaN; here, whenever Σ w ≤ {@code eps}, the loss is the unweighted mean of ℓ_i (which the
 * balanced form equals in spirit: only one group is present). With {@code balanced = false} the loss
 * is always the unweighted mean. The loss is defined on the whole batch (reduction {@code mean}
 * only, which returns this scalar). The original logits only decide
 * c_i and receive a zero gradient.
 *
 * <p>Slots: predictions[0] calibrated logits (N, C), e.g. z / T(x) from a temperature head;
 * predictions[1] original logits (N, C); labels[0] class indices (N), int64. Parameters: {@code
 * balanced} (true), {@code eps} (1e-8, ≥ 0, the Σ w below which the fallback applies), {@code
 * reduction} (mean). How the paper's transformed views feed the calibrator is up to the model.
 *
 * <p>Paper: Liu, Wang, Zou, Zou, Zheng, "Optimizing Calibration by Gaining
 * Aware of Prediction Correctness", 2024, arXiv 2404.13016. Official code: liuyvchi/Correctness-aware-calibration
 * ({@code temperature_scaling_CA.py}); the balancing weights come from that code.
 */
public final class CorrectnessAwareLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "correctness-aware";

    /** The default Σ w below which the unweighted fallback applies. */
    public static final double DEFAULT_EPS = 1e-8;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, CorrectnessAwareLoss.class)
                    .paper("Liu, Wang, Zou, Zou, Zheng: Optimizing Calibration by Gaining Aware of Prediction"
                            + " Correctness, 2024, arXiv 2404.13016")
                    .prediction("P0 calibrated logits (N,C)")
                    .prediction("P1 original logits (N,C)")
                    .label("L0 target (N) int64")
                    .batchLevel()
                    .example("a calibrator (e.g. a per-sample temperature)"
                            + " trained on held-out logits, passing (calibrated logits, original logits):"
                            + " examples/run-examples.sh calibration.TemperatureCalibration")
                    .param(ParamSpec.bool("balanced", true, "class-balanced weights from the batch accuracy"))
                    .param(ParamSpec.number("eps", DEFAULT_EPS,
                            "≥ 0: below this Σ w (all-correct/all-wrong batch) use the unweighted mean"))
                    .factory(p -> builder()
                            .optBalanced(p.bool("balanced"))
                            .optEps(p.number("eps"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final boolean balanced;
    private final double eps;

    private CorrectnessAwareLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.eps >= 0) || Double.isInfinite(b.eps)) {
            throw new IllegalArgumentException(ID + ": eps must be a finite number ≥ 0, got " + b.eps);
        }
        this.balanced = b.balanced;
        this.eps = b.eps;
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
        in.requireSlots(1, 1, 2, 2);
        Slot calibrated = in.prediction(0, "calibrated logits").requireRank("(N, C)", 2);
        Slot original = in.prediction(1, "original logits")
                .requireShape(calibrated.shape(), "like predictions[0] (calibrated logits)");
        Slot target = in.label(0, "target").requireRank("(N)", 1).requireSameBatch(calibrated);
        target.requireClassIndices(calibrated.size(1));
        NDArray confidence = calibrated.array().logSoftmax(1).max(new int[] {1}).exp();
        NDArray correct = original.array().stopGradient().argMax(1)
                .eq(target.array().toType(DataType.INT64, false)).toType(in.computeType(), false);
        NDArray squaredError = confidence.sub(correct).square();
        if (!balanced) {
            return squaredError.mean();
        }
        NDArray accuracy = correct.mean();
        NDArray weights = correct.mul(accuracy.neg().add(1)).add(correct.neg().add(1).mul(accuracy));
        // all-correct or all-wrong batches give total weight 0: fall back to the plain mean, on the
        // device (the weights carry no gradient, so the unused branch's safe denominator is harmless)
        NDArray totalWeight = weights.sum().stopGradient();
        NDArray usable = totalWeight.gt(eps);
        NDArray safeTotal = NDArrays.where(usable, totalWeight, totalWeight.onesLike());
        return NDArrays.where(usable, squaredError.mul(weights).sum().div(safeTotal), squaredError.mean());
    }

    /** Builds a {@link CorrectnessAwareLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private boolean balanced = true;
        private double eps = DEFAULT_EPS;

        private Builder() {}

        /**
         * Sets whether the squared errors are class-balanced by the batch accuracy.
         *
         * @param balanced true (default, as the official code) or false (unweighted mean)
         * @return this
         */
        public Builder optBalanced(boolean balanced) {
            this.balanced = balanced;
            return this;
        }

        /**
         * Sets the Σ w below which the unweighted mean is used.
         *
         * @param eps ≥ 0 (default 1e-8)
         * @return this
         */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public CorrectnessAwareLoss build() {
            return new CorrectnessAwareLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
