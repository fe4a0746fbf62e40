package io.github.lossforge.contrastive.selfsupervised;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.BlockedSimilarity;
import io.github.lossforge.contrastive.LogitSurrogate;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.Surrogate;

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR, with the pseudo-label option
 * of G-SimCLR.
 *
 * <p>The 2N views \( z = [\hat z^{(1)}; \hat z^{(2)}] \) (L2-normalised) give \( L_{ij} = \langle
 * z_i, z_j \rangle / \tau \); the positive of view i is its partner \( i \pm N \) and \( \ell_i =
 * -\log\big( e^{L_{i,i\pm N}} / \sum_{j \in V_i} e^{L_{ij}} \big) \) over \( V_i = \{ j \ne i \}
 * \). The per-sample value of pair k is \( \tfrac12(\ell_k + \ell_{k+N}) \), so the mean is \(
 * \frac{1}{2N}\sum_i \ell_i \) as in SimCLR (and pytorch-metric-learning's {@code NTXentLoss} with
 * instance labels).
 *
 * <p>With pseudo-labels (G-SimCLR), {@code pseudoLabels=exclude} drops every view that shares the
 * anchor's pseudo-label from \( V_i \) except the partner (false-negative elimination);
 * {@code positive} treats them as extra positives, averaged SupCon style: \( \ell_i = \log
 * \sum_{j \ne i} e^{L_{ij}} - \frac{1}{|P_i|} \sum_{p \in P_i} L_{ip} \).
 *
 * <p>Slots: predictions[0] view-1 embeddings (N, D); predictions[1] view-2 embeddings (N, D);
 * optional labels[0] pseudo-labels (N), integers (one per image, shared by both views).
 * Parameters: {@code temperature} (0.1, &gt; 0), {@code pseudoLabels} ({@code exclude} | {@code
 * positive}, default {@code exclude}; used only when labels[0] is given), {@code chunk} (0 = the
 * whole 2N×2N matrix; k &gt; 0 = {@link BlockedSimilarity} k rows at a time, mean and sum
 * reductions only), {@code reduction} (mean).
 *
 * <p>Without pseudo-labels and with {@code chunk} 0 the value and its gradient with respect to the
 * logits are computed in closed form and attached by {@code core.Surrogate}: only first-order
 * derivatives are carried (no gradient of the gradient).
 *
 * <p>Papers: Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
 * Representations", ICML 2020, arXiv 2002.05709; Chakraborty, Gosthipaty, Paul, "G-SimCLR:
 * Self-Supervised Contrastive Learning with Guided Projection via Pseudo Labelling", 2020, arXiv
 * 2009.12007. The k-means batch ordering of G-SimCLR belongs in a sampler, not in this loss.
 */
public final class NtXentLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "nt-xent";

    /** The values of {@code pseudoLabels}, written as their words in the registry and {@code optPseudoLabels(String)}. */
    public enum PseudoLabels implements Choice {
        /** Same-pseudo-label views are excluded from the negatives. */
        EXCLUDE,
        /** Same-pseudo-label views are extra positives. */
        POSITIVE
    }

    /** The default temperature τ (SimCLR at large batch, G-SimCLR). */
    public static final double DEFAULT_TEMPERATURE = 0.1;

    /** Same-pseudo-label views leave the denominator (the partner stays). */
    public static final String EXCLUDE = "exclude";

    /** Same-pseudo-label views become extra positives (averaged). */
    public static final String POSITIVE = "positive";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, NtXentLoss.class)
                    .paper("Chen, Kornblith, Norouzi, Hinton: A Simple Framework for Contrastive Learning of"
                            + " Visual Representations, ICML 2020, arXiv 2002.05709; G-SimCLR, arXiv 2009.12007")
                    .prediction("P0 view-1 (N,D)")
                    .prediction("P1 view-2 (N,D)")
                    .label("L0? pseudo-labels (N) int64")
                    .example("two-view embeddings: examples/run-examples.sh contrastive.ContrastivePretraining")
                    .param(ParamSpec.number("temperature", DEFAULT_TEMPERATURE, "> 0: logits are cosines / temperature"))
                    .param(ParamSpec.word("pseudoLabels", PseudoLabels.EXCLUDE,
                            "what same-pseudo-label views are: excluded negatives or extra positives"))
                    .param(ParamSpec.integer("chunk", 0L, "0 = whole matrix; k > 0 = k rows at a time (mean/sum only)"))
                    .factory(p -> builder()
                            .optTemperature(p.number("temperature"))
                            .optPseudoLabels(p.word("pseudoLabels"))
                            .optChunk(p.integer("chunk"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double temperature;
    private final boolean pseudoPositive;
    private final long chunk;

    private NtXentLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.temperature > 0) || Double.isInfinite(b.temperature)) {
            throw new IllegalArgumentException(ID + ": temperature must be a finite number > 0, got " + b.temperature);
        }
        BlockedSimilarity.requireChunk(ID, b.chunk, b.reduction());
        this.temperature = b.temperature;
        this.pseudoPositive = b.pseudoLabels == PseudoLabels.POSITIVE;
        this.chunk = b.chunk;
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
        Slot view1 = in.prediction(0, "view-1").requireRank("(N, D)", 2);
        Slot view2 = in.prediction(1, "view-2").requireShape(view1.shape(), "(N, D) like predictions[0]");
        long n = view1.size(0);
        NDArray labels = null;
        if (in.hasLabel(0)) {
            Slot pseudo = in.label(0, "pseudo-labels").requireIntegers().requireRank("(N)", 1).requireSameBatch(view1);
            NDArray l = pseudo.array().toType(DataType.INT64, false);
            labels = l.concat(l);
        }
        NDArray z = PairMath.l2Normalize(view1.array()).concat(PairMath.l2Normalize(view2.array()));
        if (labels == null && chunk == 0) {
            return partnerTargets(z, n);
        }
        NDArray scale = Scalar.of(z, 1 / temperature);
        NDArray perView;
        NDArray views = labels;
        if (chunk == 0) {
            NDArray logits = PairMath.dotMatrix(z, z).mul(scale);
            perView = PairMath.softTargetCrossEntropy(logits, valid(logits, views, 0, 2 * n),
                    targets(logits, views, 0, 2 * n));
        } else {
            perView = BlockedSimilarity.rowValues(z, z, scale, chunk, (from, to, logits) -> {
                NDArray v = valid(logits, views, from, to - from);
                NDArray t = targets(logits, views, from, to - from);
                return new BlockedSimilarity.RowBlock(
                        PairMath.softTargetCrossEntropy(logits, v, t),
                        () -> PairMath.softTargetCrossEntropyGradient(logits, v, t));
            });
        }
        NDArray first = perView.get(new NDIndex("0:" + n));
        NDArray second = perView.get(new NDIndex(n + ":"));
        return Scalar.mul(first.add(second), 0.5);
    }

    /**
     * The unlabelled loss on the whole 2N×2N matrix, value and gradient in closed form on detached
     * arrays: one {@code logSoftmax} over the rows with the self-similarities at −∞ (set in place
     * through a strided view of the diagonal and restored after), the partners' log-probabilities
     * read through two strided views, ∂/∂L = softmax − (partner one-hot), attached to the rows of L
     * by {@link Surrogate} (sample n owns rows n and n + N).
     */
    private NDArray partnerTargets(NDArray z, long n) {
        long views = 2 * n;
        boolean gram = LogitSurrogate.gramAttachable(reduction());
        NDArray zd = z.stopGradient();
        NDArray logits = gram ? PairMath.dotMatrix(Scalar.div(zd, temperature), zd)
                : PairMath.dotMatrix(Scalar.div(z, temperature), z);
        NDArray detached = logits.stopGradient();
        NDArray flat = detached.reshape(-1);
        NDIndex self = new NDIndex("::" + (views + 1));
        // (r, r + N) and (N + r, r) for r < N
        NDIndex upper = new NDIndex(n + ":" + (n + n * (views + 1)) + ":" + (views + 1));
        NDIndex lower = new NDIndex(views * n + ":" + (views * n + n * (views + 1)) + ":" + (views + 1));
        NDArray selfLogits = flat.get(self).duplicate();
        flat.set(self, Double.NEGATIVE_INFINITY);
        NDArray rowLog = detached.logSoftmax(1);
        NDArray logFlat = rowLog.reshape(-1);
        NDArray upperLog = logFlat.get(upper);
        NDArray lowerLog = logFlat.get(lower);
        NDArray half = Scalar.of(z, 0.5);
        NDArray values = upperLog.add(lowerLog).mul(half).neg();
        boolean withGradient = Surrogate.isNeeded(z);
        if (withGradient && gram) {
            // L is symmetric and so is the partner relation: G + Gᵀ = ½(P + P') − T with P the
            // row softmax and P'_ij = P_ji = e^(L_ij − lse_j), lse_i = L_i,p(i) − log P_i,p(i); no
            // transposed 2N×2N read
            NDArray lse = flat.get(upper).sub(upperLog).concat(flat.get(lower).sub(lowerLog)).reshape(1, -1);
            NDArray gradient = PairMath.expClosing(detached.sub(lse)).addi(PairMath.expClosing(rowLog)).muli(half);
            NDArray gradientFlat = gradient.reshape(-1);
            gradientFlat.set(upper, gradientFlat.get(upper).sub(1));
            gradientFlat.set(lower, gradientFlat.get(lower).sub(1));
            NDArray gradientZ = gradient.matMul(zd).muli(Scalar.of(zd, 1 / temperature));
            gradient.close();
            return Surrogate.attach(values, z, gradientZ);
        }
        flat.set(self, selfLogits);
        if (!withGradient) {
            return values;
        }
        NDArray gradient = PairMath.expClosing(rowLog);
        NDArray gradientFlat = gradient.reshape(-1);
        gradientFlat.set(upper, upperLog.exp().sub(1));
        gradientFlat.set(lower, lowerLog.exp().sub(1));
        gradient.muli(half);
        NDIndex first = new NDIndex("0:" + n);
        NDIndex second = new NDIndex(n + ":");
        return Surrogate.attach(values, new NDArray[] {logits.get(first), logits.get(second)},
                new NDArray[] {gradient.get(first), gradient.get(second)});
    }

    /** The denominator entries V_i of rows [from, from + rows): not the view itself, and per mode. */
    private NDArray valid(NDArray like, NDArray labels, long from, long rows) {
        long views = like.getShape().get(1);
        NDArray notSelf = PairMath.diagonal(like, from, rows, views).logicalNot();
        if (labels == null || pseudoPositive) {
            return notSelf;
        }
        NDArray differentLabel = PairMath.sameLabel(labels.get(from + ":" + (from + rows)), labels).logicalNot();
        return notSelf.logicalAnd(differentLabel.logicalOr(partners(like, from, rows)));
    }

    /** The target weights of rows [from, from + rows): the partner, or all same-label views averaged. */
    private NDArray targets(NDArray like, NDArray labels, long from, long rows) {
        long views = like.getShape().get(1);
        if (labels == null || !pseudoPositive) {
            return partners(like, from, rows).toType(like.getDataType(), false);
        }
        NDArray positives = PairMath.sameLabel(labels.get(from + ":" + (from + rows)), labels)
                .logicalAnd(PairMath.diagonal(like, from, rows, views).logicalNot())
                .toType(like.getDataType(), false);
        return positives.div(positives.sum(new int[] {1}, true));
    }

    /** True at (i, partner of view from + i), the partner of view r being (r + N) mod 2N. */
    private static NDArray partners(NDArray like, long from, long rows) {
        long views = like.getShape().get(1);
        NDArray r = Numerics.range(like, from, from + rows);
        NDArray partner = r.add(views / 2).toType(DataType.INT64, false);
        partner = NDArrays.where(partner.gte(views), partner.sub(views), partner);
        NDArray columns = Numerics.range(like, 0, views).reshape(1, -1);
        return partner.reshape(-1, 1).eq(columns);
    }

    /** Builds an {@link NtXentLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double temperature = DEFAULT_TEMPERATURE;
        private PseudoLabels pseudoLabels = PseudoLabels.EXCLUDE;
        private long chunk;

        private Builder() {}

        /**
         * Sets the temperature τ.
         *
         * @param temperature &gt; 0 (default 0.1)
         * @return this
         */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Sets how same-pseudo-label views are treated when labels[0] is given.
         *
         * @param pseudoLabels the value (default {@link PseudoLabels#EXCLUDE})
         * @return this
         */
        public Builder optPseudoLabels(PseudoLabels pseudoLabels) {
            this.pseudoLabels = Choice.require(pseudoLabels, ID, "pseudoLabels");
            return this;
        }

        /**
         * Sets how same-pseudo-label views are treated when labels[0] is given by its word (case-insensitive).
         *
         * @param pseudoLabels {@code exclude} (default) or {@code positive}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link PseudoLabels}'s words
         */
        public Builder optPseudoLabels(String pseudoLabels) {
            return optPseudoLabels(Choice.parse(PseudoLabels.class, ID, "pseudoLabels", pseudoLabels));
        }

        /**
         * Sets the blocked evaluation.
         *
         * @param chunk 0 (default) for the whole matrix, k &gt; 0 for k rows at a time
         * @return this
         */
        public Builder optChunk(long chunk) {
            this.chunk = chunk;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public NtXentLoss build() {
            return new NtXentLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
