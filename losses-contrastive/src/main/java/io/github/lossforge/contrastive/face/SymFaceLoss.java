package io.github.lossforge.contrastive.face;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.contrastive.KeptRows;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Slot;

/**
 * The SymFace facial-symmetry loss in our documented form: the embeddings of the left and right
 * halves of a face should coincide, on faces frontal enough for the symmetry prior to hold.
 *
 * <p>Per face i, \( \ell_i = 1 - \langle \hat e^L_i, \hat e^R_i\rangle \) ({@code distance=cosine},
 * default) or \( \ell_i = \lVert e^L_i - e^R_i\rVert_2 \) of the embeddings as given ({@code
 * distance=l2}; a coinciding pair takes no gradient, the square root having an infinite slope at
 * 0). With the optional frontality slot only faces with \( \rho_i \ge \rho_{min} \) count, and
 * {@code mean} divides by their number (0 when none counts; {@code none} reads 0 for the others);
 * without it every face counts. The paper trains with \( L = L_{ArcFace} + L_\rho \): add this loss
 * to {@code arcface} on the full-face embeddings (runnable: {@code
 * io.github.lossforge.examples.face.SymFaceWithArcFace} in the examples module).
 *
 * <p>Slots: predictions[0] left-half embeddings (N, D), predictions[1] right-half embeddings (N, D)
 * (the right half mirrored so that both look alike, through the same backbone); labels[0] optional
 * frontality ρ (N), floating (the 3PSS score of the paper, 1 = frontal). Parameters: {@code
 * distance} ({@code cosine} | {@code l2}, default {@code cosine}), {@code rhoThreshold} ρ_min (0.0),
 * {@code reduction} (mean).
 *
 * <p>Paper: Prakash, Sharma, Kasturi, "SymFace: Additional Facial Symmetry Loss for Deep Face
 * Recognition", 2024, arXiv 2409.11816. No official code; the distance and the gating by ρ are open
 * in the paper, this form is the library's choice (spec §6).
 */
public final class SymFaceLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "symface";

    /** The values of {@code distance}, written as their words in the registry and {@code optDistance(String)}. */
    public enum Distance implements Choice {
        /** 1 − cos of the two halves' normalised embeddings. */
        COSINE,
        /** The Euclidean distance of the raw embeddings. */
        L2
    }

    /** One minus the cosine similarity. */
    public static final String COSINE = "cosine";

    /** Euclidean distance of the raw embeddings. */
    public static final String L2 = "l2";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, SymFaceLoss.class)
                    .paper("Prakash, Sharma, Kasturi: SymFace: Additional Facial Symmetry Loss for Deep Face"
                            + " Recognition, 2024, arXiv 2409.11816")
                    .prediction("P0 left-half embeddings (N,D)")
                    .prediction("P1 right-half embeddings (N,D)")
                    .label("L0? frontality rho (N)")
                    .example("half-face embeddings beside arcface: examples/run-examples.sh face.SymFaceWithArcFace")
                    .param(ParamSpec.word("distance", Distance.COSINE, "1 - cos, or the L2 distance"))
                    .param(ParamSpec.number("rhoThreshold", 0.0, "faces with rho below it do not count"))
                    .factory(p -> builder()
                            .optDistance(p.word("distance"))
                            .optRhoThreshold(p.number("rhoThreshold"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final boolean cosine;
    private final double rhoThreshold;
    private final KeptRows kept = new KeptRows();

    private SymFaceLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (Double.isNaN(b.rhoThreshold) || Double.isInfinite(b.rhoThreshold)) {
            throw new IllegalArgumentException(ID + ": rhoThreshold must be a finite number, got " + b.rhoThreshold);
        }
        this.cosine = b.distance == Distance.COSINE;
        this.rhoThreshold = b.rhoThreshold;
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
        in.requireSlots(0, 1, 2, 2);
        Slot left = in.prediction(0, "left-half embeddings").requireRank("(N, D)", 2);
        Slot right = in.prediction(1, "right-half embeddings").requireRank("(N, D)", 2);
        if (!right.shape().equals(left.shape())) {
            throw right.fail("has shape " + right.shape() + ", expected " + left.shape() + " to match "
                    + left.describe());
        }
        NDArray l = left.array();
        NDArray r = right.array();
        NDArray values = cosine
                ? PairMath.l2Normalize(l).mul(PairMath.l2Normalize(r)).sum(new int[] {1}).neg().add(1)
                : PairMath.safeSqrt(l.sub(r).square().sum(new int[] {1}));
        NDArray keep;
        if (in.hasLabel(0)) {
            Slot rho = in.floatLabel(0, "frontality").requireRank("(N)", 1).requireSameBatch(left);
            keep = rho.array().gte(rhoThreshold).toType(values.getDataType(), false);
        } else {
            keep = values.onesLike();
        }
        kept.set(keep);
        return values;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray reduce(NDArray values) {
        return reduceKept(values, kept.take());
    }

    /** Builds a {@link SymFaceLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private Distance distance = Distance.COSINE;
        private double rhoThreshold;

        private Builder() {}

        /**
         * Sets the distance.
         *
         * @param distance the value (default {@link Distance#COSINE})
         * @return this
         */
        public Builder optDistance(Distance distance) {
            this.distance = Choice.require(distance, ID, "distance");
            return this;
        }

        /**
         * Sets the distance by its word (case-insensitive).
         *
         * @param distance {@code cosine} (default: 1 − cos) or {@code l2}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Distance}'s words
         */
        public Builder optDistance(String distance) {
            return optDistance(Choice.parse(Distance.class, ID, "distance", distance));
        }

        /**
         * Sets the frontality threshold ρ_min.
         *
         * @param rhoThreshold faces with ρ below it do not count (default 0.0)
         * @return this
         */
        public Builder optRhoThreshold(double rhoThreshold) {
            this.rhoThreshold = rhoThreshold;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public SymFaceLoss build() {
            return new SymFaceLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
