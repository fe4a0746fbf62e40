package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * Hyp-PC, the hyperbolic pairwise confusion loss of Hyp-OC: it pulls the two halves of a batch of
 * real-face embeddings on the Poincaré ball together.
 *
 * <p>With N = 2h embeddings \( z_i \) on the ball of curvature −c, pair i with i + h:
 * \[ L = \frac{1}{N} \sum_{i=0}^{h-1} \frac{2}{\sqrt c}\, f\!\left(\sqrt c\, \lVert (-z_i) \oplus
 * z_{i+h} \rVert\right) \]
 * with \( f = \operatorname{artanh} \) (default: the term is the Poincaré distance \( d_c(z_i,
 * z_{i+h}) \), see {@link PoincareBall#distance}) or \( f = \arctan \) ({@code distance=atan}),
 * which reproduces the official code. The artanh argument is clamped to \( 1 - 10^{-5} \).
 * The loss is batch-level: {@code mean}, its only reduction, is the paper's value above (the pair sum
 * divided by N).
 *
 * <p>Slots: predictions[0] ball embeddings (N, d), N even, every row of norm below \( 1/\sqrt c \)
 * (rejected otherwise); labels[0] optional and not read (DJL's trainer passes one). Parameters:
 * {@code curvature} c (0.1, &gt; 0), {@code distance} ({@code artanh} | {@code atan}, default
 * {@code artanh}), {@code reduction} (mean).
 *
 * <p>Paper: Narayan, Patel, "Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing",
 * FG 2024, arXiv 2404.14406; official code Kartik-3004/hyp-oc {@code loss.py::TPC_loss_hyp}. Differs
 * from the official code in its default distance (artanh, the Poincaré distance, where the code
 * has atan).
 */
public final class HyperbolicPairwiseConfusionLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "hyp-pc";

    /** The values of {@code distance}, written as their words in the registry and {@code optDistance(String)}. */
    public enum Distance implements Choice {
        /** The Poincaré distance (artanh). */
        ARTANH,
        /** The official code's atan form. */
        ATAN
    }

    /** The default curvature magnitude. */
    public static final double DEFAULT_CURVATURE = 0.1;

    /** The Poincaré distance. */
    public static final String ARTANH = "artanh";

    /** The official code's arctangent form. */
    public static final String ATAN = "atan";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, HyperbolicPairwiseConfusionLoss.class)
                    .paper("Narayan, Patel: Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing,"
                            + " FG 2024, arXiv 2404.14406")
                    .prediction("P0 ball embeddings (N,d), N even")
                    .label("L0? not read")
                    .batchLevel()
                    .example("ball embeddings from ToPoincare, next to hyp-ce: examples/run-examples.sh contrastive.MetricLearning --loss hyp-pc")
                    .param(ParamSpec.number("curvature", DEFAULT_CURVATURE, "> 0: the ball has curvature -c"))
                    .param(ParamSpec.word("distance", Distance.ARTANH,
                            "artanh (the Poincare distance) or atan (the official code)"))
                    .factory(p -> builder()
                            .optCurvature(p.number("curvature"))
                            .optDistance(p.word("distance"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final PoincareBall ball;
    private final boolean atan;

    private HyperbolicPairwiseConfusionLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.curvature > 0) || Double.isInfinite(b.curvature)) {
            throw new IllegalArgumentException(ID + ": curvature must be a finite number > 0, got " + b.curvature);
        }
        this.ball = new PoincareBall(b.curvature);
        this.atan = b.distance == Distance.ATAN;
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
        Slot slot = in.prediction(0, "ball embeddings").requireRank("(N, d)", 2);
        long n = slot.size(0);
        if (n % 2 != 0) {
            throw slot.fail("has shape " + slot.shape() + ", expected an even batch (row i pairs with row i + N/2)");
        }
        HyperbolicInputs.requireInsideBall(slot, ball);
        NDArray z = slot.array();
        NDArray first = z.get("0:" + n / 2);
        NDArray second = z.get(n / 2 + ":");
        double sqrtC = Math.sqrt(ball.curvature());
        NDArray scaled = Scalar.mul(ball.mobiusNorm(first, second), sqrtC);
        NDArray f = atan ? scaled.atan() : Numerics.clampedAtanh(scaled, PoincareBall.ATANH_EPS);
        NDArray total = Scalar.mul(f, 2 / sqrtC).sum();
        return Scalar.div(total, n);
    }

    /** Builds a {@link HyperbolicPairwiseConfusionLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double curvature = DEFAULT_CURVATURE;
        private Distance distance = Distance.ARTANH;

        private Builder() {}

        /**
         * Sets the curvature magnitude c.
         *
         * @param curvature &gt; 0 (default 0.1)
         * @return this
         */
        public Builder optCurvature(double curvature) {
            this.curvature = curvature;
            return this;
        }

        /**
         * Sets the distance form.
         *
         * @param distance the value (default {@link Distance#ARTANH})
         * @return this
         */
        public Builder optDistance(Distance distance) {
            this.distance = Choice.require(distance, ID, "distance");
            return this;
        }

        /**
         * Sets the distance form by its word (case-insensitive).
         *
         * @param distance {@code artanh} (default, the Poincaré distance) or {@code atan} (official code)
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Distance}'s words
         */
        public Builder optDistance(String distance) {
            return optDistance(Choice.parse(Distance.class, ID, "distance", distance));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public HyperbolicPairwiseConfusionLoss build() {
            return new HyperbolicPairwiseConfusionLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
