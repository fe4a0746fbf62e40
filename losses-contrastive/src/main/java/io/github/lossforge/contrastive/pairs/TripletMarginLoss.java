package io.github.lossforge.contrastive.pairs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import io.github.lossforge.contrastive.LabelledEmbeddings;
import io.github.lossforge.contrastive.Mining;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;

/**
 * The triplet margin loss in pytorch-metric-learning's form.
 *
 * <p>With normalised Euclidean distances \( d_{ij} = \lVert \hat x_i - \hat x_j \rVert \), every
 * triplet (a, p, n) with \( y_p = y_a \), p ≠ a and \( y_n \ne y_a \) has the loss \( [d_{ap} -
 * d_{an} + m]_+ \). {@code mining=all} uses every such triplet; {@code mining=hard} uses one per
 * anchor (batch-hard: the farthest positive and the nearest negative, via {@link Mining#hardest}),
 * for anchors with at least one of each. The loss is batch-level: {@code mean} averages over the
 * triplets whose loss is positive (pytorch-metric-learning's {@code AvgNonZeroReducer}; 0 when
 * none is); it is the only reduction ({@code sum} and {@code none} are refused).
 *
 * <p>Slots: predictions[0] embeddings (N, D) (L2-normalised by the loss); labels[0] classes (N),
 * integers. Parameters: {@code margin} (0.05, ≥ 0), {@code mining} ({@code all} | {@code hard},
 * default {@code all}), {@code reduction} (mean). A pair at distance 0 takes no gradient through
 * its distance (\( \sqrt{\cdot} \) has an infinite slope there). The {@code all} form holds
 * |P|·N triplet values for the |P| anchor–positive pairs (N³/C for C balanced classes), gathered
 * with libtorch's {@code nonzero} (on a GPU it waits for the device).
 *
 * <p>Papers: Schroff, Kalenichenko, Philbin, "FaceNet: A Unified Embedding for Face Recognition and
 * Clustering", CVPR 2015, arXiv 1503.03832; batch-hard mining: Hermans, Beyer, Leibe, "In Defense of
 * the Triplet Loss for Person Re-Identification", 2017, arXiv 1703.07737.
 */
public final class TripletMarginLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "triplet-margin";

    /** The values of {@code mining}, written as their words in the registry and {@code optMining(String)}. */
    public enum TripletMining implements Choice {
        /** Every valid triplet. */
        ALL,
        /** Batch-hard: the farthest positive and the nearest negative per anchor. */
        HARD
    }

    /** The default margin (pytorch-metric-learning). */
    public static final double DEFAULT_MARGIN = 0.05;

    /** Every valid triplet. */
    public static final String ALL = "all";

    /** One batch-hard triplet per anchor. */
    public static final String HARD = "hard";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, TripletMarginLoss.class)
                    .paper("Schroff, Kalenichenko, Philbin: FaceNet: A Unified Embedding for Face Recognition and"
                            + " Clustering, CVPR 2015, arXiv 1503.03832")
                    .prediction("P0 embeddings (N,D)")
                    .label("L0 classes (N) int64")
                    .batchLevel()
                    .example("labelled embeddings (N,D) with classes (N):"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss triplet-margin")
                    .param(ParamSpec.number("margin", DEFAULT_MARGIN, ">= 0: the distance margin"))
                    .param(ParamSpec.word("mining", TripletMining.ALL,
                            "all valid triplets, or the batch-hard one per anchor"))
                    .factory(p -> builder()
                            .optMargin(p.number("margin"))
                            .optMining(p.word("mining"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double margin;
    private final boolean hard;

    private TripletMarginLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.margin >= 0) || Double.isInfinite(b.margin)) {
            throw new IllegalArgumentException(ID + ": margin must be a finite number >= 0, got " + b.margin);
        }
        this.margin = b.margin;
        this.hard = b.mining == TripletMining.HARD;
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
        LabelledEmbeddings batch = LabelledEmbeddings.read(in);
        NDArray x = batch.normalized();
        NDArray d = PairMath.euclideanMatrix(x, x);
        long n = batch.embeddings().size(0);
        NDArray positives = PairMath.positivePairs(batch.classes(), 0, n);
        NDArray negatives = PairMath.negativePairs(batch.classes(), 0, n);
        NDArray losses;
        NDArray valid;
        if (hard) {
            NDArray farthestPositive = d.mul(toFloat(Mining.hardest(d, positives, true), d)).sum(new int[] {1});
            NDArray nearestNegative = d.mul(toFloat(Mining.hardest(d, negatives, false), d)).sum(new int[] {1});
            losses = Activation.relu(farthestPositive.sub(nearestNegative).add(margin));
            valid = PairMath.anyPerRow(positives).logicalAnd(PairMath.anyPerRow(negatives));
        } else {
            // (a, p, n) ↦ d_ap − d_an + m for the anchor–positive pairs (gathered: |P| rows, not N²)
            // against every n, masked to the anchor's negatives.
            NDArray pairs = positives.nonzero();
            NDArray anchors = pairs.get(":, 0");
            NDArray anchorPositive = d.reshape(-1).take(anchors.mul(n).add(pairs.get(":, 1")));
            NDIndex anchorRows = new NDIndex("{}", anchors);
            losses = Activation.relu(anchorPositive.expandDims(1).sub(d.get(anchorRows)).add(margin));
            valid = negatives.get(anchorRows);
        }
        NDArray kept = losses.mul(toFloat(valid, losses));
        return Numerics.safeDivide(kept.sum(), toFloat(kept.gt(0), kept).sum());
    }

    private static NDArray toFloat(NDArray mask, NDArray like) {
        return mask.toType(like.getDataType(), false);
    }

    /** Builds a {@link TripletMarginLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double margin = DEFAULT_MARGIN;
        private TripletMining mining = TripletMining.ALL;

        private Builder() {}

        /**
         * Sets the margin m.
         *
         * @param margin ≥ 0 (default 0.05)
         * @return this
         */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /**
         * Sets the triplet mining.
         *
         * @param mining the value (default {@link TripletMining#ALL})
         * @return this
         */
        public Builder optMining(TripletMining mining) {
            this.mining = Choice.require(mining, ID, "mining");
            return this;
        }

        /**
         * Sets the triplet mining by its word (case-insensitive).
         *
         * @param mining {@code all} (default) or {@code hard}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link TripletMining}'s words
         */
        public Builder optMining(String mining) {
            return optMining(Choice.parse(TripletMining.class, ID, "mining", mining));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public TripletMarginLoss build() {
            return new TripletMarginLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
