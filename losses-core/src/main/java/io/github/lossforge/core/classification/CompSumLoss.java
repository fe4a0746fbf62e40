package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Slot;

/**
 * The comp-sum family Φ^τ of Mao, Mohri and Zhong:
 *
 * <p>\( \ell_\tau = \Phi^\tau\big(\sum_{y' \ne y} e^{h_{y'} - h_y}\big) \) with \( \Phi^\tau(u) =
 * \frac{(1+u)^{1-\tau} - 1}{1-\tau} \) (τ ≠ 1) and \( \Phi^1(u) = \log(1+u) \). Since \( 1 +
 * \sum_{y' \ne y} e^{h_{y'} - h_y} = 1/p_y \), this is \( \ell_\tau = \frac{p_y^{\tau-1} - 1}{1 -
 * \tau} \), \( \ell_1 = -\log p_y \). Members: τ = 0 sum-exponential (1/p_y − 1), τ = 1 softmax
 * cross-entropy, 1 &lt; τ &lt; 2 generalized cross-entropy with q = τ − 1, τ = 2 MAE (1 − p_y). The
 * gradient is the cross-entropy gradient scaled by \( p_y^{\tau - 1} \).
 *
 * <p>Computed as \( \mathrm{expm1}((\tau - 1) \log p_y) / (1 - \tau) \) from the native log-softmax,
 * which keeps full precision as p_y → 1. For τ &lt; 1 the exponent grows without bound as p_y → 0;
 * beyond {@link Numerics#EXP_CAP} the loss continues along its tangent (finite value and gradient),
 * a deliberate difference from the unbounded formula, reached only when p_y &lt; e^{−50/(1−τ)}.
 *
 * <p>Slots: predictions[0] logits (N, C); labels[0] class indices (N), int64 (int32 accepted).
 * Parameters: {@code tau} (1.0, ≥ 0), {@code reduction} (mean).
 *
 * <p>Paper: Anqi Mao, Mehryar Mohri, Yutao Zhong, "Cross-Entropy Loss Functions: Theoretical
 * Analysis and Applications", ICML 2023, arXiv 2304.07288.
 */
public final class CompSumLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "comp-sum";

    /** The default τ: softmax cross-entropy. */
    public static final double DEFAULT_TAU = 1.0;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, CompSumLoss.class)
                    .paper("Mao, Mohri, Zhong: Cross-Entropy Loss Functions: Theoretical Analysis and"
                            + " Applications, ICML 2023, arXiv 2304.07288")
                    .prediction("P0 logits (N,C)")
                    .label("L0 target (N) int64")
                    .classifierLoss()
                    .param(ParamSpec.number("tau", DEFAULT_TAU,
                            "≥ 0: 0 sum-exp, 1 cross-entropy, (1,2) generalized CE, 2 MAE"))
                    .factory(p -> builder().optTau(p.number("tau")).optReduction(p.reduction()).build())
                    .build();

    private final double tau;

    private CompSumLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.tau >= 0) || Double.isInfinite(b.tau)) {
            throw new IllegalArgumentException(ID + ": tau must be a finite number ≥ 0, got " + b.tau);
        }
        this.tau = b.tau;
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The τ of this family member.
     *
     * @return τ
     */
    public double tau() {
        return tau;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot logits = in.prediction(0, "logits").requireRank("(N, C)", 2);
        Slot target = in.label(0, "target").requireRank("(N)", 1).requireSameBatch(logits);
        target.requireClassIndices(logits.size(1));
        return ClassificationMath.compSum(logits.array(), target.array(), tau);
    }

    /** Builds a {@link CompSumLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double tau = DEFAULT_TAU;

        private Builder() {}

        /**
         * Sets τ.
         *
         * @param tau ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optTau(double tau) {
            this.tau = tau;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public CompSumLoss build() {
            return new CompSumLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
