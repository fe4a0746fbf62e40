package io.github.lossforge.contrastive.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;

import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.List;

/**
 * UNPG, unified negative pair generation: a margin-softmax head (ArcFace or CosFace) whose every
 * row also takes the batch's embedding-pair negatives as extra negative "classes", after a
 * box-and-whisker filter drops the outlying (noisy) ones.
 *
 * <p>With \( c_{ij} = \langle \hat x_i, \hat W_j\rangle \) and the head's margin cosine \( P \) on
 * the target (ArcFace \( \cos(\theta + m) \), without the fallback, as the official head; CosFace
 * \( \cos\theta - m \)), the metric negatives are \( s_n = \{ \langle \hat x_i, \hat x_j\rangle : i
 * &lt; j, y_i \ne y_j \} \) (M values, each unordered pair once). Sorted, \( Q_1 = s_{(\lfloor
 * M/4\rfloor)} \), \( Q_3 = s_{(\lfloor 3M/4\rfloor)} \) (by index, no interpolation), and \( s_n'
 * = \{ v \in s_n : Q_1 - w\,\mathrm{IQR} \le v \le Q_3 + w\,\mathrm{IQR} \} \). Then
 * \[ \ell_i = -\log \frac{e^{s P(c_{iy_i})}}{e^{s P(c_{iy_i})} + \sum_{j \ne y_i} e^{s c_{ij}} +
 * \sum_{v \in s_n'} e^{s v}} \]
 * — the same M' pair similarities join every row's denominator. Gradients flow through the kept
 * pair similarities into both embeddings of each pair; the filter itself is a selection. A batch
 * without a different-class pair (M = 0) gives the plain margin softmax.
 *
 * <p>Slots as {@code arcface}: predictions[0] embeddings (N, D), predictions[1] class weights (C, D);
 * labels[0] classes (N) in [0, C). Parameters: {@code head} ({@code arcface} | {@code cosface},
 * default {@code arcface}), {@code scale} s (64), {@code margin} m (0.5; radians for ArcFace),
 * {@code whisker} w (1.5, ≥ 0), {@code reduction} (mean). Returns the per-sample loss (N). Memory:
 * the N×N pair matrix is materialised.
 *
 * <p>Paper: Jung, Lee, Lee, Kim, Park, "Unified Negative Pair Generation toward Well-discriminative
 * Feature Space for Face Recognition", BMVC 2022, arXiv 2203.11593; official code Jung-Jun-Uk/UNPG.
 * Differs from the official ArcFace head in computing \( \cos(\theta + m) \) without {@code acos} (the
 * official {@code acos_} on unclamped cosines can give NaN) and in handling an empty negative set.
 */
public final class UnpgLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "unpg";

    /** The ArcFace head. */
    public static final String ARCFACE = "arcface";

    /** The CosFace head. */
    public static final String COSFACE = "cosface";

    /** The default whisker length (MS1MV2 models). */
    public static final double DEFAULT_WHISKER = 1.5;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, UnpgLoss.class)
                    .paper("Jung, Lee, Lee, Kim, Park: Unified Negative Pair Generation toward Well-discriminative"
                            + " Feature Space for Face Recognition, BMVC 2022, arXiv 2203.11593")
                    .prediction("P0 embeddings (N,D)")
                    .prediction("P1 class weights (C,D)")
                    .label("L0 classes (N) int64")
                    .example("embeddings (N,D) and learnable class weights (C,D) with classes (N):"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss unpg")
                    .param(ParamSpec.word("head", MarginSoftmaxLoss.Head.ARCFACE, "the margin head"))
                    .param(ParamSpec.number("scale", MarginSoftmaxLoss.DEFAULT_SCALE, "> 0: the logit scale s"))
                    .param(ParamSpec.number("margin", MarginSoftmaxLoss.DEFAULT_ARC_MARGIN,
                            ">= 0: the head's margin m (radians for arcface, at most pi/2)"))
                    .param(ParamSpec.number("whisker", DEFAULT_WHISKER,
                            ">= 0: keep pair negatives within [Q1 - w IQR, Q3 + w IQR]"))
                    .factory(p -> builder()
                            .optHead(p.word("head"))
                            .optScale(p.number("scale"))
                            .optMargin(p.number("margin"))
                            .optWhisker(p.number("whisker"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final MarginSoftmaxLoss.Head head;
    private final double scale;
    private final double margin;
    private final double whisker;

    private UnpgLoss(Builder b) {
        super(ID, b.reduction(), true);
        this.head = b.head;
        MarginSoftmaxLoss.requireScaleAndMargin(ID, head, b.scale, b.margin);
        if (!(b.whisker >= 0) || Double.isInfinite(b.whisker)) {
            throw new IllegalArgumentException(ID + ": whisker must be a finite number >= 0, got " + b.whisker);
        }
        this.scale = b.scale;
        this.margin = b.margin;
        this.whisker = b.whisker;
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
        ClassifiedEmbeddings batch = ClassifiedEmbeddings.read(in, 1);
        NDArray x = PairMath.l2Normalize(batch.embeddings());
        NDArray cosines = PairMath.dotMatrix(x, PairMath.l2Normalize(batch.weights()));
        NDArray logits = Scalar.mul(
                MarginSoftmaxLoss.withTargetMargin(cosines, batch.classes(), head, margin, false), scale);
        NDArray target = Numerics.gatherRows(logits, batch.classes());
        NDArray rowLse = Numerics.logSumExp(logits, 1);
        NDArray pairs = PairMath.dotMatrix(x, x);
        NDArray kept = keptNegatives(pairs, batch.classes());
        // a batch without different-class pairs keeps none: the masked LSE is −∞ and drops out below
        NDArray pairLogits = Scalar.mul(pairs, scale).reshape(1, -1);
        NDArray negativeLse = NDArrays.where(kept.any(),
                PairMath.maskedLogSumExp(pairLogits, kept.reshape(1, -1), false).reshape(new Shape()),
                Scalar.of(pairLogits, Double.NEGATIVE_INFINITY));
        NDArray both = rowLse.reshape(-1, 1).concat(negativeLse.reshape(1, 1).broadcast(rowLse.getShape().get(0), 1), 1);
        return Numerics.logSumExp(both, 1).sub(target);
    }

    /**
     * The metric negatives that pass the box-and-whisker filter, as a mask over the pair matrix
     * (all false when the batch has no different-class pair). The quartiles are taken on the device:
     * the negatives sorted (the rest pushed to +∞ at the end), the entries at ⌊0.25·count⌋ and
     * ⌊0.75·count⌋ gathered; nothing is read on the host.
     */
    private @Nullable NDArray keptNegatives(NDArray pairs, NDArray classes) {
        long n = pairs.getShape().get(0);
        NDArray ids = Numerics.range(pairs, 0, n);
        NDArray upper = ids.reshape(-1, 1).lt(ids.reshape(1, -1));
        NDArray negatives = upper.logicalAnd(PairMath.sameLabel(classes, classes).logicalNot());
        NDArray detached = pairs.stopGradient().toType(DataType.FLOAT64, false);
        NDArray sorted = NDArrays.where(negatives, detached, Scalar.of(detached, Double.POSITIVE_INFINITY))
                .reshape(-1).sort();
        NDArray count = negatives.toType(DataType.FLOAT64, false).sum();
        NDArray q1 = quantileAt(sorted, count, 0.25);
        NDArray q3 = quantileAt(sorted, count, 0.75);
        NDArray iqr = q3.sub(q1);
        NDArray lo = q1.sub(Scalar.mul(iqr, whisker));
        NDArray hi = q3.add(Scalar.mul(iqr, whisker));
        return negatives.logicalAnd(detached.gte(lo)).logicalAnd(detached.lte(hi));
    }

    /** sorted[⌊q·count⌋] (index clamped into the array), as a 0-d array. */
    private static NDArray quantileAt(NDArray sorted, NDArray count, double q) {
        NDArray at = Scalar.min(Scalar.mul(count, q).floor(), sorted.getShape().get(0) - 1)
                .toType(DataType.INT64, false).reshape(1);
        return sorted.get(new NDIndex("{}", at)).reshape(new Shape());
    }

    /** Builds an {@link UnpgLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private MarginSoftmaxLoss.Head head = MarginSoftmaxLoss.Head.ARCFACE;
        private double scale = MarginSoftmaxLoss.DEFAULT_SCALE;
        private double margin = MarginSoftmaxLoss.DEFAULT_ARC_MARGIN;
        private double whisker = DEFAULT_WHISKER;

        private Builder() {}

        /**
         * Sets the margin head.
         *
         * @param head the head (default {@link MarginSoftmaxLoss.Head#ARCFACE})
         * @return this
         */
        public Builder optHead(MarginSoftmaxLoss.Head head) {
            this.head = Choice.require(head, ID, "head");
            return this;
        }

        /**
         * Sets the margin head by its word (case-insensitive).
         *
         * @param head {@code arcface} (default) or {@code cosface}
         * @return this
         * @throws IllegalArgumentException when the word is neither
         */
        public Builder optHead(String head) {
            return optHead(Choice.parse(MarginSoftmaxLoss.Head.class, ID, "head", head));
        }

        /**
         * Sets the logit scale s.
         *
         * @param scale &gt; 0 (default 64)
         * @return this
         */
        public Builder optScale(double scale) {
            this.scale = scale;
            return this;
        }

        /**
         * Sets the margin m.
         *
         * @param margin ≥ 0 (default 0.5, as the official configuration for both heads; radians for ArcFace)
         * @return this
         */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /**
         * Sets the whisker length w of the box-and-whisker filter.
         *
         * @param whisker ≥ 0 (default 1.5)
         * @return this
         */
        public Builder optWhisker(double whisker) {
            this.whisker = whisker;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public UnpgLoss build() {
            return new UnpgLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
