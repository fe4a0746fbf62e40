package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * The smooth adversarial comp-sum loss of ADV-COMP-SUM: the comp-sum loss ℓ_τ on the clean logits plus
 * ν times the distance between the <em>margin vectors</em> of the adversarial and the clean logits,
 *
 * <p>\( \tilde\ell_\tau(h, x, y) = \ell_\tau(h(x), y) + \nu \, \big\| \bar\Delta_h(x', y) - \bar\Delta_h(x,
 * y) \big\|_2,\quad \bar\Delta_h(x, y) = \big(h(x)_k - h(x)_y\big)_{k=1..C} \),
 *
 * <p>with ℓ_τ exactly {@link CompSumLoss} and x′ the adversarial input (the sup over ‖x′ − x‖ ≤ γ is
 * approximated by PGD: {@link AdversarialPerturbation}). The regulariser compares margin vectors, not
 * raw logits (it is invariant to adding a constant to a row) and not probabilities, and it is not the KL
 * of TRADES. Both slots receive a gradient. The norm is exact; where the two margin vectors coincide its
 * gradient is taken as 0 (a subgradient) instead of NaN.
 *
 * <p>Slots: predictions[0] clean logits h(x) (N, C); predictions[1] adversarial logits h(x′) (N, C);
 * labels[0] class indices (N), int64. Parameters: {@code tau} (1.0, ≥ 0: the comp-sum member; the
 * secondary literature reports τ = 1 for the experiments), {@code nu} (1.0, ≥ 0: the trade-off, like
 * TRADES' β), {@code reduction} (mean).
 *
 * <p>Paper: Anqi Mao, Mehryar Mohri, Yutao Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis
 * and Applications", ICML 2023, arXiv 2304.07288 (section on adversarial robustness). No official code
 * exists and the full definition was not available to us beyond the abstract: the form above follows
 * the paper's description ("comp-sum loss plus a smooth term", margin-vector difference, PGD for the
 * sup); whether ρ also rescales the logits of the first term is unverified, so no ρ is applied.
 */
public final class SmoothAdversarialCompSumLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "adv-comp-sum";

    /** The default τ: cross-entropy. */
    public static final double DEFAULT_TAU = 1.0;

    /** The default ν. */
    public static final double DEFAULT_NU = 1.0;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, SmoothAdversarialCompSumLoss.class)
                    .paper("Mao, Mohri, Zhong: Cross-Entropy Loss Functions: Theoretical Analysis and"
                            + " Applications (smooth adversarial comp-sum), ICML 2023, arXiv 2304.07288")
                    .prediction("P0 clean logits (N,C)")
                    .prediction("P1 adversarial logits (N,C)")
                    .label("L0 target (N) int64")
                    .example("craft x' with AdversarialPerturbation"
                            + " (PGD on a DJL Block), then pass (h(x), h(x')):"
                            + " examples/run-examples.sh classification.MulticlassClassification --loss adv-comp-sum")
                    .param(ParamSpec.number("tau", DEFAULT_TAU, "≥ 0: the comp-sum member of the clean term"))
                    .param(ParamSpec.number("nu", DEFAULT_NU, "≥ 0: weight of the margin-vector smoothness term"))
                    .factory(p -> builder()
                            .optTau(p.number("tau"))
                            .optNu(p.number("nu"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double tau;
    private final double nu;

    private SmoothAdversarialCompSumLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.tau >= 0) || Double.isInfinite(b.tau)) {
            throw new IllegalArgumentException(ID + ": tau must be a finite number ≥ 0, got " + b.tau);
        }
        if (!(b.nu >= 0) || Double.isInfinite(b.nu)) {
            throw new IllegalArgumentException(ID + ": nu must be a finite number ≥ 0, got " + b.nu);
        }
        this.tau = b.tau;
        this.nu = b.nu;
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
        Slot clean = in.prediction(0, "clean logits").requireRank("(N, C)", 2);
        Slot adversarial = in.prediction(1, "adversarial logits")
                .requireShape(clean.shape(), "like predictions[0] (clean logits)");
        Slot target = in.label(0, "target").requireRank("(N)", 1).requireSameBatch(clean);
        target.requireClassIndices(clean.size(1));
        NDArray compSum = ClassificationMath.compSum(clean.array(), target.array(), tau);
        // Δ̄ is linear in the logits: Δ̄(adv) − Δ̄(clean) = Δ̄(adv − clean)
        NDArray marginDifference = ClassificationMath.marginVectors(
                adversarial.array().sub(clean.array()), target.array());
        return compSum.add(Scalar.mul(ClassificationMath.safeNorm(marginDifference), nu));
    }

    /** Builds a {@link SmoothAdversarialCompSumLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double tau = DEFAULT_TAU;
        private double nu = DEFAULT_NU;

        private Builder() {}

        /**
         * Sets τ of the clean comp-sum term.
         *
         * @param tau ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optTau(double tau) {
            this.tau = tau;
            return this;
        }

        /**
         * Sets ν, the weight of the smoothness term.
         *
         * @param nu ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optNu(double nu) {
            this.nu = nu;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public SmoothAdversarialCompSumLoss build() {
            return new SmoothAdversarialCompSumLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
