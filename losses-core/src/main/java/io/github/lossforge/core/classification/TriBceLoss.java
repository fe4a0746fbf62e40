package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * The Tri-BCE loss of FCN (formerly DCNv3) for a CTR model with two sub-network logits: the
 * Exponential Cross Network's ŷ_D and the Linear Cross Network's ŷ_S. The prediction is the sigmoid of
 * the <em>mean of the logits</em>, and each sub-network gets an extra BCE term weighted by how much
 * worse it is than the fused prediction:
 *
 * <p>\( L = \mathrm{BCE}(\sigma(\tfrac{d + s}{2}), y),\; L_D = \mathrm{BCE}(\sigma(d), y),\; L_S =
 * \mathrm{BCE}(\sigma(s), y),\; w_D = \max(0, L_D - L),\; w_S = \max(0, L_S - L),\; L_{Tri} = L + w_D
 * L_D + w_S L_S \),
 *
 * <p>each BCE being the batch mean, so the loss is defined on the whole batch (reduction {@code mean}
 * only, which returns this scalar). As in the official code the
 * weights are <em>not</em> detached: when active, \( \partial(w_D L_D) = (2L_D - L)\nabla L_D - L_D
 * \nabla L \). {@code detachWeights = true} treats w_D, w_S as constants instead.
 *
 * <p>Slots: predictions[0] logit_D (N, 1) or (N); predictions[1] logit_S, same shape; labels[0] y, same
 * shape, 0/1 (soft targets in [0, 1] are accepted). Parameters: {@code detachWeights} (false), {@code
 * reduction} (mean). BCE is computed from logits (softplus form); the official code applies
 * {@code binary_cross_entropy} to sigmoid outputs with the log clamped at −100, identical for |logit| ≲ 15
 * and finite here beyond that.
 *
 * <p>Paper: Honghao Li et al., "FCN: Fusing
 * Exponential and Linear Cross Network for Click-Through Rate Prediction", 2024, arXiv 2407.13349.
 * Official code: salmon1802/FCN, {@code DCNv3.add_loss}.
 */
public final class TriBceLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "tri-bce";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, TriBceLoss.class)
                    .paper("Li et al.: FCN: Fusing Exponential and Linear Cross Network"
                            + " for Click-Through Rate Prediction, 2024, arXiv 2407.13349")
                    .prediction("P0 logit_D (N,1)")
                    .prediction("P1 logit_S (N,1)")
                    .label("L0 y (N,1) 0/1")
                    .batchLevel()
                    .example("a two-tower CTR model returning (logit_D, logit_S) with"
                            + " 0/1 click labels: examples/run-examples.sh classification.BinaryClassification --loss tri-bce")
                    .param(ParamSpec.bool("detachWeights", false,
                            "treat the adaptive weights w_D, w_S as constants (official: false)"))
                    .factory(p -> builder()
                            .optDetachWeights(p.bool("detachWeights"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final boolean detachWeights;

    private TriBceLoss(Builder b) {
        super(ID, b.reduction(), false);
        this.detachWeights = b.detachWeights;
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
        Slot logitD = in.prediction(0, "logit_D").requireRank("(N, 1) or (N)", 1, 2);
        if (logitD.shape().dimension() == 2 && logitD.size(1) != 1) {
            throw logitD.fail("has shape " + logitD.shape() + ", expected (N, 1) or (N)");
        }
        Slot logitS = in.prediction(1, "logit_S").requireShape(logitD.shape(), "like predictions[0] (logit_D)");
        Slot y = in.floatLabel(0, "y").requireShape(logitD.shape(), "like predictions[0] (logit_D)");
        y.requireWithin(0, 1, "0/1 labels");
        NDArray d = logitD.array();
        NDArray s = logitS.array();
        NDArray fused = Scalar.mul(d.add(s), 0.5);
        NDArray loss = ClassificationMath.bceWithLogits(fused, y.array()).mean();
        NDArray lossD = ClassificationMath.bceWithLogits(d, y.array()).mean();
        NDArray lossS = ClassificationMath.bceWithLogits(s, y.array()).mean();
        return loss.add(adaptiveWeight(lossD, loss).mul(lossD)).add(adaptiveWeight(lossS, loss).mul(lossS));
    }

    /** max(0, L_sub − L), kept in the graph unless weights are detached. */
    private NDArray adaptiveWeight(NDArray subLoss, NDArray loss) {
        NDArray w = Scalar.max(subLoss.sub(loss), 0);
        return detachWeights ? w.stopGradient() : w;
    }

    /** Builds a {@link TriBceLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private boolean detachWeights;

        private Builder() {}

        /**
         * Sets whether the adaptive weights are constants for backprop.
         *
         * @param detachWeights false (default, as the official code) or true
         * @return this
         */
        public Builder optDetachWeights(boolean detachWeights) {
            this.detachWeights = detachWeights;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public TriBceLoss build() {
            return new TriBceLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
