package io.github.lossforge.contrastive.pairs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.BlockedSimilarity;
import io.github.lossforge.contrastive.LabelledEmbeddings;
import io.github.lossforge.contrastive.LogitSurrogate;
import io.github.lossforge.contrastive.Mining;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Surrogate;

/**
 * The multi-similarity loss with its miner, in pytorch-metric-learning's form.
 *
 * <p>With cosine similarities \( S = \hat X \hat X^\top \) and, per anchor i, positives \( P_i \)
 * (same class, not i) and negatives \( N_i \) (other classes), both after mining:
 *
 * <p>\( \ell_i = \frac{1}{\alpha} \log\big(1 + \sum_{p \in P_i} e^{-\alpha (S_{ip} - \lambda)}\big)
 * + \frac{1}{\beta} \log\big(1 + \sum_{n \in N_i} e^{\beta (S_{in} - \lambda)}\big) \),
 * averaged over all N anchors (an anchor with empty sets contributes 0).
 *
 * <p>Mining ({@link Mining#multiSimilarity}, a separate step inside): keep n when \( S_{in} +
 * \epsilon &gt; \min_p S_{ip} \), keep p when \( S_{ip} - \epsilon &lt; \max_n S_{in} \); {@code
 * epsilon ≤ 0} disables mining (all pairs). The two terms are computed independently with the
 * diagonal removed (pytorch-metric-learning semantics): unlike the official code, an anchor with
 * mined positives but no mined negatives still gets its positive term, positives are not dropped
 * for S ≥ 1 − 1e-5, and an anchor without positives does not fail.
 *
 * <p>Slots: predictions[0] embeddings (N, D) (L2-normalised by the loss); labels[0] classes (N),
 * integers. Parameters: {@code alpha} (2.0, &gt; 0), {@code beta} (50.0, &gt; 0), {@code base} λ
 * (0.5), {@code epsilon} (0.1; ≤ 0 disables mining), {@code chunk} (0 = the whole N×N matrix; k
 * &gt; 0 = {@link BlockedSimilarity} k anchors at a time, mean and sum reductions only), {@code
 * reduction} (mean).
 *
 * <p>With {@code chunk} 0 the value and its gradient with respect to S are computed in closed form and
 * attached by {@code core.Surrogate}: only first-order derivatives are carried (no gradient of the
 * gradient).
 *
 * <p>Paper: Xun Wang, Xintong Han, Weilin Huang, Dengke Dong, Matthew R. Scott, "Multi-Similarity
 * Loss with General Pair Weighting for Deep Metric Learning", CVPR 2019, arXiv 1904.06627.
 */
public final class MultiSimilarityLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "multi-similarity";

    /** Default α, the positive scale. */
    public static final double DEFAULT_ALPHA = 2.0;

    /** Default β, the negative scale. */
    public static final double DEFAULT_BETA = 50.0;

    /** Default λ, the similarity base. */
    public static final double DEFAULT_BASE = 0.5;

    /** Default mining margin ε. */
    public static final double DEFAULT_EPSILON = 0.1;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, MultiSimilarityLoss.class)
                    .paper("Wang, Han, Huang, Dong, Scott: Multi-Similarity Loss with General Pair Weighting for"
                            + " Deep Metric Learning, CVPR 2019, arXiv 1904.06627")
                    .prediction("P0 embeddings (N,D)")
                    .label("L0 classes (N) int64")
                    .example("labelled embeddings (N,D) with classes (N): examples/run-examples.sh contrastive.MetricLearning")
                    .param(ParamSpec.number("alpha", DEFAULT_ALPHA, "> 0: positive scale"))
                    .param(ParamSpec.number("beta", DEFAULT_BETA, "> 0: negative scale"))
                    .param(ParamSpec.number("base", DEFAULT_BASE, "similarity base λ"))
                    .param(ParamSpec.number("epsilon", DEFAULT_EPSILON, "mining margin; <= 0 disables mining"))
                    .param(ParamSpec.integer("chunk", 0L, "0 = whole matrix; k > 0 = k anchors at a time (mean/sum only)"))
                    .factory(p -> builder()
                            .optAlpha(p.number("alpha"))
                            .optBeta(p.number("beta"))
                            .optBase(p.number("base"))
                            .optEpsilon(p.number("epsilon"))
                            .optChunk(p.integer("chunk"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double alpha;
    private final double beta;
    private final double base;
    private final double epsilon;
    private final long chunk;

    private MultiSimilarityLoss(Builder b) {
        super(ID, b.reduction(), true);
        requirePositive("alpha", b.alpha);
        requirePositive("beta", b.beta);
        if (!Double.isFinite(b.base) || !Double.isFinite(b.epsilon)) {
            throw new IllegalArgumentException(ID + ": base and epsilon must be finite, got " + b.base + ", " + b.epsilon);
        }
        BlockedSimilarity.requireChunk(ID, b.chunk, b.reduction());
        this.alpha = b.alpha;
        this.beta = b.beta;
        this.base = b.base;
        this.epsilon = b.epsilon;
        this.chunk = b.chunk;
    }

    private static void requirePositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(ID + ": " + name + " must be a finite number > 0, got " + value);
        }
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
        NDArray labels = batch.classes();
        NDArray x = batch.normalized();
        if (chunk == 0) {
            return wholeMatrix(x, labels, Surrogate.isNeeded(x));
        }
        return BlockedSimilarity.rowValues(x, x, Scalar.of(x, 1.0), chunk, (from, to, s) -> {
            NDArray[] pairs = pairs(s, labels, from);
            // ∂ℓ/∂S: −(softmax-with-one of the positive exponents) + (the same of the negative ones).
            return new BlockedSimilarity.RowBlock(anchorValues(s, pairs),
                    () -> PairMath.maskedSoftmax(negativeExponents(s, beta, base), pairs[1], true)
                            .sub(PairMath.maskedSoftmax(positiveExponents(s, alpha, base), pairs[0], true)));
        });
    }

    /**
     * ℓ_i on the whole N×N matrix, value and ∂ℓ_i/∂S_i· in closed form on detached arrays, attached
     * to S by {@link Surrogate}: autograd records only the product and the normalisation. A mined
     * set is empty or holds its row's extreme candidate (the smallest positive is kept whenever any
     * positive is, the largest negative likewise), so the max-shifts of the two log-sum-exps are the
     * miner's own row statistics. Masks are float 0/1 products (a boolean {@code where} over N×N
     * costs libtorch as much as thirty float passes); candidates are the similarities with ±B,
     * beyond every mining threshold, at the other entries, whose exponentials the masks then zero.
     */
    private NDArray wholeMatrix(NDArray x, NDArray labels, boolean withGradient) {
        boolean gram = LogitSurrogate.gramAttachable(reduction());
        NDArray xd = x.stopGradient();
        NDArray s = gram ? PairMath.dotMatrix(xd, xd) : PairMath.dotMatrix(x, x);
        NDArray sd = s.stopGradient();
        long n = sd.getShape().get(0);
        NDIndex diagonal = new NDIndex("::" + (n + 1));
        // |S| ≤ 1, thresholds within 1 + |ε|: B lies beyond all of them
        double outside = 2 + Math.abs(epsilon);
        // N×N temporaries are updated in place and closed once used: a fresh N×N buffer while many
        // are alive costs page faults worth several elementwise passes
        NDArray same = PairMath.sameLabel(labels, labels).toType(sd.getDataType(), false);
        NDArray negatives = sd.add(outside).muli(same).negi().addi(sd);
        NDArray negativeMask = same.neg().addi(1);
        NDArray outsidePositives = Scalar.mul(same, -outside).addi(outside);
        // the anchor itself is no positive: through strided views of the diagonal, in place
        outsidePositives.reshape(-1).set(diagonal, outside);
        NDArray positiveMask = same;
        positiveMask.reshape(-1).set(diagonal, 0);
        NDArray positives = sd.mul(positiveMask).addi(outsidePositives);
        outsidePositives.close();
        NDArray minPositive = positives.min(new int[] {1}, true);
        NDArray maxNegative = negatives.max(new int[] {1}, true);
        NDArray positiveShift = Scalar.max(Scalar.mul(minPositive.sub(base), -alpha), 0);
        NDArray negativeShift = Scalar.max(Scalar.mul(maxNegative.sub(base), beta), 0);
        if (epsilon > 0) {
            NDArray threshold = maxNegative.add(epsilon);
            NDArray floor = minPositive.sub(epsilon);
            positiveShift = NDArrays.where(minPositive.lt(threshold), positiveShift, positiveShift.zerosLike());
            negativeShift = NDArrays.where(maxNegative.gt(floor), negativeShift, negativeShift.zerosLike());
            positiveMask.close();
            positiveMask = mask(positives.lt(threshold), sd);
            negativeMask.close();
            negativeMask = mask(negatives.gt(floor), sd);
        }
        // the exponents in place: −α(S − λ) − shift and β(S − λ) − shift
        NDArray positiveTerms = PairMath.expClosing(positives.muli(Scalar.of(positives, -alpha))
                .addi(positiveShift.neg().add(alpha * base))).muli(positiveMask);
        NDArray negativeTerms = PairMath.expClosing(negatives.muli(Scalar.of(negatives, beta))
                .subi(negativeShift.add(beta * base))).muli(negativeMask);
        positiveMask.close();
        negativeMask.close();
        // log(1 + Σ e^a) = shift + log(e^−shift + Σ e^(a − shift))
        NDArray positiveSum = positiveTerms.sum(new int[] {1}, true).add(positiveShift.neg().exp());
        NDArray negativeSum = negativeTerms.sum(new int[] {1}, true).add(negativeShift.neg().exp());
        NDArray values = Scalar.div(positiveSum.log().add(positiveShift), alpha)
                .add(Scalar.div(negativeSum.log().add(negativeShift), beta)).reshape(-1);
        if (!withGradient) {
            return values;
        }
        // ∂ℓ_i/∂S_ij: −(the positive softmax-with-one) + (the negative one)
        NDArray gradient = negativeTerms.divi(negativeSum).subi(positiveTerms.divi(positiveSum));
        positiveTerms.close();
        return gram ? Surrogate.attach(values, x, LogitSurrogate.gramGradient(gradient, xd, 1))
                : Surrogate.attach(values, s, gradient);
    }

    /** A boolean mask as 0/1 in {@code like}'s dtype, the boolean closed. */
    private static NDArray mask(NDArray condition, NDArray like) {
        NDArray mask = condition.toType(like.getDataType(), false);
        condition.close();
        return mask;
    }

    /** ℓ_i for anchors whose similarity rows and (mined) pairs are given. */
    private NDArray anchorValues(NDArray s, NDArray[] pairs) {
        return anchorValues(s, pairs[0], pairs[1], alpha, beta, base);
    }

    /**
     * The multi-similarity value of each anchor row, \( \frac1\alpha \log(1 + \sum_p w^+_{ip}
     * e^{-\alpha(S_{ip}-\lambda)}) + \frac1\beta \log(1 + \sum_n w^-_{in} e^{\beta(S_{in}-\lambda)}) \),
     * for boolean pair masks (hard labels) or soft pair weights in [0, 1] (Metrix's mixed labels).
     *
     * @param s (R, K) cosine similarities of the anchors with the examples
     * @param positives (R, K) boolean mask or weights of the positive term
     * @param negatives (R, K) boolean mask or weights of the negative term
     * @param alpha &gt; 0
     * @param beta &gt; 0
     * @param base λ
     * @return (R) values
     */
    public static NDArray anchorValues(NDArray s, NDArray positives, NDArray negatives, double alpha, double beta,
            double base) {
        NDArray positive = logOnePlusSum(positiveExponents(s, alpha, base), positives);
        NDArray negative = logOnePlusSum(negativeExponents(s, beta, base), negatives);
        return Scalar.div(positive, alpha).add(Scalar.div(negative, beta));
    }

    private static NDArray logOnePlusSum(NDArray x, NDArray maskOrWeights) {
        return maskOrWeights.getDataType() == DataType.BOOLEAN
                ? PairMath.maskedLogSumExp(x, maskOrWeights, true)
                : PairMath.weightedLogSumExp(x, maskOrWeights, true);
    }

    /** −α(S − λ). */
    private static NDArray positiveExponents(NDArray s, double alpha, double base) {
        return Scalar.mul(s.sub(base), -alpha);
    }

    /** β(S − λ). */
    private static NDArray negativeExponents(NDArray s, double beta, double base) {
        return Scalar.mul(s.sub(base), beta);
    }

    /** The positive and negative pairs of the block's anchors, mined when ε &gt; 0. */
    private NDArray[] pairs(NDArray s, NDArray labels, long from) {
        long rows = s.getShape().get(0);
        NDArray positives = PairMath.positivePairs(labels, from, rows);
        NDArray negatives = PairMath.negativePairs(labels, from, rows);
        if (epsilon <= 0) {
            return new NDArray[] {positives, negatives};
        }
        return Mining.multiSimilarity(s, positives, negatives, epsilon);
    }

    /** Builds a {@link MultiSimilarityLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double alpha = DEFAULT_ALPHA;
        private double beta = DEFAULT_BETA;
        private double base = DEFAULT_BASE;
        private double epsilon = DEFAULT_EPSILON;
        private long chunk;

        private Builder() {}

        /**
         * Sets α, the scale of the positive term.
         *
         * @param alpha &gt; 0 (default 2)
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Sets β, the scale of the negative term.
         *
         * @param beta &gt; 0 (default 50)
         * @return this
         */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Sets λ, the similarity base.
         *
         * @param base default 0.5 (pytorch-metric-learning; the paper uses 1)
         * @return this
         */
        public Builder optBase(double base) {
            this.base = base;
            return this;
        }

        /**
         * Sets the mining margin ε.
         *
         * @param epsilon default 0.1; ≤ 0 disables mining
         * @return this
         */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Sets the blocked evaluation.
         *
         * @param chunk 0 (default) for the whole matrix, k &gt; 0 for k anchors at a time
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
        public MultiSimilarityLoss build() {
            return new MultiSimilarityLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
