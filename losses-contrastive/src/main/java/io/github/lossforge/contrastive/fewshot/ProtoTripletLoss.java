package io.github.lossforge.contrastive.fewshot;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;

/**
 * The Proto-Triplet loss of "SuSana Distancia is all you need": a triplet loss between each query,
 * its class prototype and the nearest other prototype.
 *
 * <p>Prototypes \( c_k \) are the mean support embeddings of each class; with \( d(x, y) =
 * \sqrt{\lVert x - y\rVert^2 + 10^{-6}} \),
 * \[ \ell_q = \left[ d(q, c_{y_q}) - \min_{k \ne y_q} d(q, c_k) + m \right]_+ \]
 * (the hardest negative prototype), averaged over the queries by {@code mean}.
 *
 * <p>Slots: predictions[0] support embeddings (W·S, D), predictions[1] query embeddings (W·Q, D);
 * labels[0] support classes (W·S), labels[1] query classes (W·Q), integers in [0, W), every class
 * with at least one support sample, W ≥ 2 (any order; shots may differ between classes).
 * Parameters: {@code margin} m (0.5, ≥ 0), {@code reduction} (mean). Returns one value per query.
 *
 * <p>Paper: Mendez-Ruiz, Gonzalez-Zapata, Ochoa-Ruiz, Alfaro, Toledo, Gonzalez-Mendoza, "SuSana
 * Distancia is all you need: Enforcing class separability in metric learning via two novel distance-based
 * loss functions for few-shot image classification", 2023, arXiv 2305.09062; official code
 * maumruiz/FSL-Loss.
 */
public final class ProtoTripletLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "proto-triplet";

    /** The default margin. */
    public static final double DEFAULT_MARGIN = 0.5;

    /** The citation shared with {@code icnn}. */
    static final String PAPER = "Mendez-Ruiz, Gonzalez-Zapata, Ochoa-Ruiz, Alfaro, Toledo, Gonzalez-Mendoza: SuSana"
            + " Distancia is all you need: Enforcing class separability in metric learning via two novel"
            + " distance-based loss functions for few-shot image classification, 2023, arXiv 2305.09062";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, ProtoTripletLoss.class)
                    .paper(PAPER)
                    .prediction("P0 support (W*S,D)")
                    .prediction("P1 query (W*Q,D)")
                    .label("L0 support classes (W*S) int64")
                    .label("L1 query classes (W*Q) int64")
                    .example("few-shot episodes (support and query embeddings with their classes):"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss proto-triplet")
                    .param(ParamSpec.number("margin", DEFAULT_MARGIN, ">= 0: the triplet margin"))
                    .factory(p -> builder().optMargin(p.number("margin")).optReduction(p.reduction()).build())
                    .build();

    private final double margin;

    private ProtoTripletLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.margin >= 0) || Double.isInfinite(b.margin)) {
            throw new IllegalArgumentException(ID + ": margin must be a finite number >= 0, got " + b.margin);
        }
        this.margin = b.margin;
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
        Episode episode = Episode.read(in);
        NDArray d = Episode.distances(episode.query(), episode.prototypes());
        NDArray own = PairMath.sameLabel(episode.queryClasses(), Numerics.range(d, 0, episode.way()));
        NDArray positive = Numerics.gatherRows(d, episode.queryClasses());
        NDArray nearestNegative = PairMath.maskedMin(d, own.logicalNot(), 0);
        return Activation.relu(positive.sub(nearestNegative).add(margin));
    }

    /** Builds a {@link ProtoTripletLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double margin = DEFAULT_MARGIN;

        private Builder() {}

        /**
         * Sets the margin m.
         *
         * @param margin ≥ 0 (default 0.5)
         * @return this
         */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public ProtoTripletLoss build() {
            return new ProtoTripletLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
