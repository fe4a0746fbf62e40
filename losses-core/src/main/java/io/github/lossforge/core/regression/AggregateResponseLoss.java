package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * Learning from aggregate responses: instances come in bags and only each bag's mean response is
 * observed. The loss interpolates between the bag-level and the instance-level loss,
 *
 * <p>\( L_{bag} = \frac{1}{m}\sum_a \ell\big(\bar y_a, \tfrac{1}{|B_a|}\sum_{i \in B_a} f_i\big),\quad
 * L_{ins} = \frac{1}{n}\sum_a \sum_{i \in B_a} \ell(\bar y_a, f_i),\quad L_\rho = (1 - \rho) L_{bag} +
 * \rho L_{ins}. \)
 *
 * <p>ρ = 0 is the bag-level loss (unbiased, higher variance), ρ = 1 the instance-level loss. For the
 * squared base and equal bag sizes \( L_{ins} = L_{bag} + \frac{1}{n}\sum_a\sum_{i \in B_a} (f_i -
 * \bar f_a)^2 \): the instance level adds a within-bag variance penalty. Each bag's mean uses its own
 * size, so bags may differ in size.
 *
 * <p>Bases: {@code squared} \( \ell(\bar y, f) = (\bar y - f)^2 \) on any real predictions; {@code bce}
 * \( \ell(\bar y, f) = -\bar y \log f - (1 - \bar y)\log(1 - f) \) on probabilities f ∈ [0, 1] and label
 * proportions ȳ ∈ [0, 1]. With {@code bce} the bag average is taken over probabilities, never
 * logits, and the probability is clamped to [1e-7, 1 − 1e-7] inside the logarithms.
 *
 * <p>Slots: predictions[0] predictions f (n); labels[0] bag index of each instance (n), int64 in [0,
 * m), every bag non-empty; labels[1] bag responses ȳ (m). Parameters: {@code rho} (0.5, in [0, 1]),
 * {@code base} ({@code squared} | {@code bce}), {@code reduction} ({@code mean} only: the loss is
 * defined on the whole batch).
 *
 * <p>Paper: Adel Javanmard, Lin Chen, Vahab Mirrokni, Ashwinkumar Badanidiyuru, Gang Fu, "Learning
 * from Aggregate responses: Instance Level versus Bag Level Loss Functions", ICLR 2024, arXiv
 * 2401.11081. The paper gives no default for ρ (tune it on validation data); 0.5 is ours.
 */
public final class AggregateResponseLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "aggregate";

    /** The values of {@code base}, written as their words in the registry and {@code optBase(String)}. */
    public enum Base implements Choice {
        /** Squared error. */
        SQUARED,
        /** Cross-entropy on probabilities. */
        BCE
    }

    /** The default interpolation weight. */
    public static final double DEFAULT_RHO = 0.5;

    /** The default base loss. */
    public static final String DEFAULT_BASE = "squared";

    /** Probabilities are kept this far from 0 and 1 inside the logarithms of {@code bce}. */
    private static final double PROBABILITY_EPS = 1e-7;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AggregateResponseLoss.class)
                    .paper("Javanmard, Chen, Mirrokni, Badanidiyuru, Fu: Learning from Aggregate responses:"
                            + " Instance Level versus Bag Level Loss Functions, ICLR 2024, arXiv 2401.11081")
                    .prediction("P0 predictions (n)")
                    .label("L0 bag index (n) int64")
                    .label("L1 bag responses (m)")
                    .batchLevel()
                    .example("bagged regression or label-proportion learning, one prediction per instance:"
                            + " examples/run-examples.sh regression.ScalarRegression --loss aggregate")
                    .param(ParamSpec.number("rho", DEFAULT_RHO, "in [0, 1]: 0 bag-level, 1 instance-level"))
                    .param(ParamSpec.word("base", Base.SQUARED,
                            "squared error, or cross-entropy on probabilities"))
                    .factory(p -> builder()
                            .optRho(p.number("rho"))
                            .optBase(p.word("base"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double rho;
    private final boolean bce;

    private AggregateResponseLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.rho >= 0 && b.rho <= 1)) {
            throw new IllegalArgumentException(ID + ": rho must be in [0, 1], got " + b.rho);
        }
        this.rho = b.rho;
        this.bce = b.base == Base.BCE;
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
        Slot f = in.prediction(0, "predictions").requireRank("(n)", 1);
        Slot bag = in.label(0, "bag index").requireRank("(n)", 1).requireSameBatch(f).requireIntegers();
        Slot responses = in.floatLabel(1, "bag responses").requireRank("(m)", 1).requireNonEmpty();
        long bags = responses.size(0);
        bag.requireClassIndices(bags);
        if (bce) {
            requireProbabilities(f);
            requireProbabilities(responses);
        }
        NDArray members = bag.array().toType(DataType.INT64, false).oneHot((int) bags, in.computeType());
        NDArray sizes = members.sum(new int[] {0});
        bag.requireValues(a -> new NDArray[] {sizes.min(), sizes.argMin()},
                v -> v[0] == 0 ? "leaves bag " + (long) v[1] + " without instances, expected every bag in [0, " + bags
                        + ") to hold at least one" : null);
        NDArray predictions = f.array();
        NDArray bagMeans = predictions.reshape(1, -1).matMul(members).reshape(-1).div(sizes);
        NDArray instanceTargets = members.matMul(responses.array().reshape(-1, 1)).reshape(-1);
        NDArray bagLevel = base(responses.array(), bagMeans).mean();
        NDArray instanceLevel = base(instanceTargets, predictions).mean();
        return Scalar.mul(bagLevel, 1 - rho).add(Scalar.mul(instanceLevel, rho));
    }

    private NDArray base(NDArray target, NDArray prediction) {
        if (!bce) {
            return prediction.sub(target).square();
        }
        NDArray p = Scalar.clamp(prediction, PROBABILITY_EPS, 1 - PROBABILITY_EPS);
        NDArray logP = p.log();
        NDArray logNotP = Numerics.log1p(p.neg());
        return target.mul(logP).add(target.neg().add(1).mul(logNotP)).neg();
    }

    private static void requireProbabilities(Slot s) {
        s.requireWithin(0, 1, "probabilities with base=bce"
                + " (apply a sigmoid to logits first; bag averages are taken over probabilities)");
    }

    /** Builds an {@link AggregateResponseLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double rho = DEFAULT_RHO;
        private Base base = Base.SQUARED;

        private Builder() {}

        /**
         * Sets the interpolation weight ρ.
         *
         * @param rho in [0, 1] (default 0.5): 0 bag-level, 1 instance-level
         * @return this
         */
        public Builder optRho(double rho) {
            this.rho = rho;
            return this;
        }

        /**
         * Sets the base loss.
         *
         * @param base the value (default {@link Base#SQUARED})
         * @return this
         */
        public Builder optBase(Base base) {
            this.base = Choice.require(base, ID, "base");
            return this;
        }

        /**
         * Sets the base loss by its word (case-insensitive).
         *
         * @param base {@code squared} (default) or {@code bce}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Base}'s words
         */
        public Builder optBase(String base) {
            return optBase(Choice.parse(Base.class, ID, "base", base));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public AggregateResponseLoss build() {
            return new AggregateResponseLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
