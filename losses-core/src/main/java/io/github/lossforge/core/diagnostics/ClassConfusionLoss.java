package io.github.lossforge.core.diagnostics;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * An unsupervised test-time objective that penalises pairwise class confusion over a batch: with
 * \( P = \mathrm{softmax}(\ell / T) \) (N, C), the class-correlation matrix \( R = P^\top P \) (C, C)
 * row-normalised, \( \tilde R_{ij} = R_{ij} / \sum_k R_{ik} \), and
 *
 * <p>\( L = \frac{1}{C}\sum_i \sum_{j \ne i} \tilde R_{ij} = 1 - \frac{1}{C}\sum_i \tilde R_{ii}. \)
 *
 * <p>L = 0 when every sample is confidently assigned and no two classes share samples; uniform
 * predictions give (C − 1)/C. It is meant for the test-time pairing with {@link AlphaBatchNorm}
 * (optimise the affine parameters of α-BN layers on unlabelled test batches).
 *
 * <p>What this is not: the "Core" loss of You, Li, Zhao (arXiv 2110.04065), whose formula we could not
 * retrieve. This is the documented stand-in, named for what it computes, of the MCC family
 * (Minimum Class Confusion, Jin et al. 2020, arXiv 1912.03699) without MCC's entropy-based sample
 * weights. A class whose softmax mass underflows to 0 over the batch contributes no confusion.
 *
 * <p>Slots: predictions[0] logits (N, C); labels are not read (DJL's {@code EasyTrain} needs one
 * label array). Parameters: {@code temperature} (1.0, &gt; 0), {@code reduction} ({@code mean}
 * only: the loss is defined on the whole batch).
 */
public final class ClassConfusionLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "class-confusion";

    /** The default softmax temperature. */
    public static final double DEFAULT_TEMPERATURE = 1.0;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, ClassConfusionLoss.class)
                    .paper("test-time objective beside α-BN of You, Li, Zhao: Test-time Batch Statistics"
                            + " Calibration for Covariate Shift, 2021, arXiv 2110.04065 (our form: their Core formula is"
                            + " not available; MCC-style stand-in, Jin et al. 2020, arXiv 1912.03699)")
                    .prediction("P0 logits (N,C)")
                    .batchLevel()
                    .example("test-time adaptation of AlphaBatchNorm layers: examples/run-examples.sh classification.TestTimeAdaptation")
                    .param(ParamSpec.number("temperature", DEFAULT_TEMPERATURE, "> 0: softmax temperature"))
                    .factory(p -> builder().optTemperature(p.number("temperature")).optReduction(p.reduction()).build())
                    .build();

    private final double temperature;

    private ClassConfusionLoss(Builder b) {
        super(ID, b.reduction(), false);
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
        in.requireSlots(0, 1, 1, 1);
        Slot logits = in.prediction(0, "logits").requireRank("(N, C)", 2);
        NDArray p = Scalar.div(logits.array(), temperature).softmax(1);
        NDArray correlation = p.transpose().matMul(p);
        NDArray rowMass = correlation.sum(new int[] {1});
        NDArray offDiagonal = rowMass.sub(correlation.diagonal());
        return Numerics.safeDivide(offDiagonal, rowMass).mean();
    }

    /** Builds a {@link ClassConfusionLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {}

        /**
         * Sets the softmax temperature.
         *
         * @param temperature &gt; 0 (default 1.0)
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
        public ClassConfusionLoss build() {
            return new ClassConfusionLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
