package io.github.lossforge.contrastive.mixup;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.contrastive.pairs.MultiSimilarityLoss;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * Metrix: a metric-learning loss on clean embeddings plus, weighted by {@code mixWeight} w, the same
 * loss on mixed embeddings carrying soft (mixed) labels.
 *
 * <p>A mixed example j is \( \tilde x_j = \lambda_j x_{A_j} + (1-\lambda_j) x_{B_j} \) (mixed in the
 * input, an intermediate feature or the embedding, see {@link Mixup}); its soft label with respect to
 * class c is \( \tilde y_{jc} = \lambda_j [y_{A_j}=c] + (1-\lambda_j)[y_{B_j}=c] \). The paper's
 * generalised loss of an anchor a over labelled examples (x, y) is
 * \( \ell(a) = \tau\big(\sigma^+(\sum y\,\rho^+(s(a,x))) + \sigma^-(\sum (1-y)\,\rho^-(s(a,x)))\big) \)
 * and the total is \( E = \ell_{clean} + w\,\tilde\ell_{mixed} \). Bases (embeddings L2-normalised):
 * <ul>
 *   <li>{@code contrastive}: per clean anchor a, with Euclidean distances d of the unit vectors,
 *       \( \ell(a) = \sum_x y_{ax} d(a,x) + \sum_x (1-y_{ax}) [m - d(a,x)]_+ \); clean examples are
 *       the other clean embeddings (hard labels), mixed examples every mixed embedding with
 *       \( y_{aj} = \tilde y_{j,y_a} \). Per-anchor values \( \ell(a) + w\,\tilde\ell(a) \) (N).</li>
 *   <li>{@code multi-similarity}: \( \ell(a) = \frac1\alpha\log(1+\sum_x y_{ax} e^{-\alpha(s-\lambda)})
 *       + \frac1\beta\log(1+\sum_x (1-y_{ax}) e^{\beta(s-\lambda)}) \) with cosines s, no mining
 *       (with hard labels and w = 0 it is {@code multi-similarity} with {@code epsilon = 0}; the math is
 *       {@link MultiSimilarityLoss#anchorValues}).
 *       Per-anchor values (N).</li>
 *   <li>{@code proxy-anchor}: anchors are the proxies \( p_c \) (predictions[2]), examples the batch:
 *       \( \ell = \frac{1}{|C^+|}\sum_{c \in C^+} \log(1+\sum_x y_{xc} e^{-\alpha(s(p_c,x)-\delta)})
 *       + \frac1C \sum_c \log(1+\sum_x (1-y_{xc}) e^{\alpha(s(p_c,x)+\delta)}) \), C⁺ the proxies
 *       with a non-zero label weight; a batch-level scalar (only the {@code mean} reduction).</li>
 * </ul>
 * Soft weights enter the log-sum-exp as \( \log y \) on the entries with y &gt; 0 ({@link
 * PairMath#weightedLogSumExp}), so a zero weight removes its term exactly (a mixing weight of exactly
 * 1 is the clean-label form of partner A).
 *
 * <p>Slots: predictions[0] clean embeddings (N, D), predictions[1] mixed embeddings (M, D),
 * predictions[2] proxies (C, D) for {@code proxy-anchor} only; labels[0] classes (N) integers (in
 * [0, C) for proxy-anchor), labels[1] partner A (M) and labels[2] partner B (M), integer indices into
 * the clean batch, labels[3] mix weight λ (M) in [0, 1] (no gradient).
 *
 * <p>Parameters: {@code base} ({@code contrastive}), {@code mixWeight} w (0.4, ≥ 0), {@code margin}
 * m (0.5, contrastive), {@code msAlpha} (2), {@code msBeta} (50), {@code msBase} λ (0.5),
 * {@code paAlpha} (32), {@code paDelta} δ (0.1), {@code reduction} (mean).
 *
 * <p>Paper: Shashanka Venkataramanan, Bill Psomas, Ewa Kijak, Laurent Amsaleg, Konstantinos Karantzalos,
 * Yannis Avrithis, "It Takes Two to Tango: Mixup for Deep Metric Learning", ICLR 2022, arXiv 2106.04990.
 * Deliberate differences from the official code (billpsomas/Metrix_ICLR22): every mixed example is
 * an example of every anchor (the paper's formulation) instead of the repo's (positive, negative)
 * pair lists; the contrastive terms are summed per anchor (the paper) rather than averaged over
 * non-zero entries (pytorch-metric-learning's reducer); the multi-similarity base follows the paper
 * (the later repo version writes {@code neg_mask} for {@code neg_mask_mix} and scales the clean sum by λ);
 * proxies are a prediction slot so that they train with the model.
 */
public final class MetrixLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "metrix";

    /** The values of {@code base}, written as their words in the registry and {@code optBase(String)}. */
    public enum Base implements Choice {
        /** The contrastive loss. */
        CONTRASTIVE,
        /** The multi-similarity loss. */
        MULTI_SIMILARITY,
        /** The proxy-anchor loss (needs the proxies slot). */
        PROXY_ANCHOR
    }

    /** The contrastive base. */
    public static final String CONTRASTIVE = "contrastive";

    /** The multi-similarity base. */
    public static final String MULTI_SIMILARITY = "multi-similarity";

    /** The proxy-anchor base. */
    public static final String PROXY_ANCHOR = "proxy-anchor";

    /** Default weight w of the mixed term. */
    public static final double DEFAULT_MIX_WEIGHT = 0.4;

    /** Default contrastive negative margin. */
    public static final double DEFAULT_MARGIN = 0.5;

    /** Default multi-similarity α. */
    public static final double DEFAULT_MS_ALPHA = 2.0;

    /** Default multi-similarity β. */
    public static final double DEFAULT_MS_BETA = 50.0;

    /** Default multi-similarity base λ. */
    public static final double DEFAULT_MS_BASE = 0.5;

    /** Default proxy-anchor α. */
    public static final double DEFAULT_PA_ALPHA = 32.0;

    /** Default proxy-anchor δ. */
    public static final double DEFAULT_PA_DELTA = 0.1;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, MetrixLoss.class)
                    .paper("Venkataramanan, Psomas, Kijak, Amsaleg, Karantzalos, Avrithis: It Takes Two to Tango:"
                            + " Mixup for Deep Metric Learning, ICLR 2022, arXiv 2106.04990")
                    .prediction("P0 clean embeddings (N,D)")
                    .prediction("P1 mixed embeddings (M,D)")
                    .prediction("P2 proxies (C,D), proxy-anchor base only")
                    .label("L0 classes (N) int64")
                    .label("L1 mix partner index A (M) int64")
                    .label("L2 mix partner index B (M) int64")
                    .label("L3 mix weight λ (M) in [0,1]")
                    .example("clean and mixed embeddings, pairs from Mixup: examples/run-examples.sh contrastive.MetricLearning --loss metrix")
                    .param(ParamSpec.word("base", Base.CONTRASTIVE,
                            "the metric-learning loss applied to soft labels"))
                    .param(ParamSpec.number("mixWeight", DEFAULT_MIX_WEIGHT, ">= 0: weight of the mixed term"))
                    .param(ParamSpec.number("margin", DEFAULT_MARGIN, "contrastive negative margin"))
                    .param(ParamSpec.number("msAlpha", DEFAULT_MS_ALPHA, "> 0: multi-similarity positive scale"))
                    .param(ParamSpec.number("msBeta", DEFAULT_MS_BETA, "> 0: multi-similarity negative scale"))
                    .param(ParamSpec.number("msBase", DEFAULT_MS_BASE, "multi-similarity similarity base"))
                    .param(ParamSpec.number("paAlpha", DEFAULT_PA_ALPHA, "> 0: proxy-anchor scale"))
                    .param(ParamSpec.number("paDelta", DEFAULT_PA_DELTA, "proxy-anchor margin"))
                    .factory(p -> builder()
                            .optBase(p.word("base"))
                            .optMixWeight(p.number("mixWeight"))
                            .optMargin(p.number("margin"))
                            .optMsAlpha(p.number("msAlpha"))
                            .optMsBeta(p.number("msBeta"))
                            .optMsBase(p.number("msBase"))
                            .optPaAlpha(p.number("paAlpha"))
                            .optPaDelta(p.number("paDelta"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final String base;
    private final double mixWeight;
    private final double margin;
    private final double msAlpha;
    private final double msBeta;
    private final double msBase;
    private final double paAlpha;
    private final double paDelta;

    private MetrixLoss(Builder b) {
        super(ID, b.reduction(), b.base != Base.PROXY_ANCHOR);
        if (!(b.mixWeight >= 0) || Double.isInfinite(b.mixWeight)) {
            throw new IllegalArgumentException(ID + ": mixWeight must be a finite number >= 0, got " + b.mixWeight);
        }
        requirePositive("msAlpha", b.msAlpha);
        requirePositive("msBeta", b.msBeta);
        requirePositive("paAlpha", b.paAlpha);
        if (!Double.isFinite(b.margin) || !Double.isFinite(b.msBase) || !Double.isFinite(b.paDelta)) {
            throw new IllegalArgumentException(ID + ": margin, msBase and paDelta must be finite, got "
                    + b.margin + ", " + b.msBase + ", " + b.paDelta);
        }
        this.base = b.base.key();
        this.mixWeight = b.mixWeight;
        this.margin = b.margin;
        this.msAlpha = b.msAlpha;
        this.msBeta = b.msBeta;
        this.msBase = b.msBase;
        this.paAlpha = b.paAlpha;
        this.paDelta = b.paDelta;
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

    /**
     * The base loss.
     *
     * @return contrastive, multi-similarity or proxy-anchor
     */
    public String base() {
        return base;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        boolean proxyAnchor = PROXY_ANCHOR.equals(base);
        int predictions = proxyAnchor ? 3 : 2;
        in.requireSlots(4, 4, predictions, predictions);
        Slot clean = in.prediction(0, "clean embeddings").requireRank("(N, D)", 2);
        Slot mixed = in.prediction(1, "mixed embeddings").requireRank("(M, D)", 2);
        requireDimension(mixed, clean);
        long n = clean.size(0);
        Slot classes = in.label(0, "classes").requireIntegers().requireRank("(N)", 1).requireSameBatch(clean);
        NDArray a = in.label(1, "partner A").requireRank("(M)", 1).requireSameBatch(mixed)
                .requireClassIndices(n).array().toType(DataType.INT64, false);
        NDArray b = in.label(2, "partner B").requireRank("(M)", 1).requireSameBatch(mixed)
                .requireClassIndices(n).array().toType(DataType.INT64, false);
        Slot lambdaSlot = in.floatLabel(3, "mix weight").requireRank("(M)", 1).requireSameBatch(mixed);
        NDArray lambda = lambdaSlot.array();
        lambdaSlot.requireValues(l -> new NDArray[] {l.min(), l.max()},
                v -> v[0] < 0 || v[1] > 1 ? "holds " + (v[0] < 0 ? v[0] : v[1]) + ", expected mix weights in [0, 1]"
                        : null);
        NDArray y = classes.array().toType(DataType.INT64, false);
        NDArray x = PairMath.l2Normalize(clean.array());
        NDArray xm = PairMath.l2Normalize(mixed.array());
        if (proxyAnchor) {
            Slot proxies = in.prediction(2, "proxies").requireRank("(C, D)", 2);
            requireDimension(proxies, clean);
            long c = proxies.size(0);
            classes.requireClassIndices(c);
            NDArray p = PairMath.l2Normalize(proxies.array());
            NDArray ids = Numerics.range(y, 0, c);
            NDArray cleanWeights = PairMath.sameLabel(ids, y).toType(x.getDataType(), false);
            NDArray mixedWeights = softWeights(ids, y.get(a), y.get(b), lambda);
            NDArray cleanTerm = proxyAnchor(PairMath.dotMatrix(p, x), cleanWeights);
            NDArray mixedTerm = proxyAnchor(PairMath.dotMatrix(p, xm), mixedWeights);
            return cleanTerm.add(Scalar.mul(mixedTerm, mixWeight));
        }
        NDArray positives = PairMath.positivePairs(y, 0, n).toType(x.getDataType(), false);
        NDArray negatives = PairMath.negativePairs(y, 0, n).toType(x.getDataType(), false);
        NDArray mixedPositives = softWeights(y, y.get(a), y.get(b), lambda);
        NDArray mixedNegatives = mixedPositives.onesLike().sub(mixedPositives);
        NDArray cleanTerm = anchorValues(x, x, positives, negatives);
        NDArray mixedTerm = anchorValues(x, xm, mixedPositives, mixedNegatives);
        return cleanTerm.add(Scalar.mul(mixedTerm, mixWeight));
    }

    private static void requireDimension(Slot slot, Slot clean) {
        if (slot.size(1) != clean.size(1)) {
            throw slot.fail("has shape " + slot.shape() + ", expected embedding dimension " + clean.size(1)
                    + " as the clean embeddings " + clean.shape());
        }
    }

    /**
     * The soft label of each (row label, mixed example) pair: \( \lambda_j [r = y_{A_j}] + (1-\lambda_j)
     * [r = y_{B_j}] \).
     */
    private static NDArray softWeights(NDArray rowLabels, NDArray labelsA, NDArray labelsB, NDArray lambda) {
        NDArray l = lambda.reshape(1, -1);
        NDArray sameA = PairMath.sameLabel(rowLabels, labelsA).toType(lambda.getDataType(), false);
        NDArray sameB = PairMath.sameLabel(rowLabels, labelsB).toType(lambda.getDataType(), false);
        return sameA.mul(l).add(sameB.mul(l.onesLike().sub(l)));
    }

    /** ℓ(a) of the contrastive or multi-similarity base for anchors x over examples e. */
    private NDArray anchorValues(NDArray x, NDArray e, NDArray positives, NDArray negatives) {
        if (CONTRASTIVE.equals(base)) {
            NDArray d = PairMath.euclideanMatrix(x, e);
            NDArray pull = positives.mul(d).sum(new int[] {1});
            NDArray push = negatives.mul(Scalar.max(Scalar.of(d, margin).sub(d), 0)).sum(new int[] {1});
            return pull.add(push);
        }
        return MultiSimilarityLoss.anchorValues(PairMath.dotMatrix(x, e), positives, negatives, msAlpha, msBeta,
                msBase);
    }

    /** The proxy-anchor value of proxy similarities s (C, K) over examples with label weights (C, K). */
    private NDArray proxyAnchor(NDArray s, NDArray weights) {
        NDArray positive =
                PairMath.weightedLogSumExp(Scalar.mul(s.sub(Scalar.of(s, paDelta)), -paAlpha), weights, true);
        NDArray negative = PairMath.weightedLogSumExp(Scalar.mul(s.add(Scalar.of(s, paDelta)), paAlpha),
                weights.onesLike().sub(weights), true);
        NDArray withPositives = weights.sum(new int[] {1}).gt(Scalar.of(weights, 0))
                .toType(s.getDataType(), false).sum();
        NDArray positiveMean = positive.sum().div(Scalar.max(withPositives, 1));
        return positiveMean.add(negative.mean());
    }

    /** Builds a {@link MetrixLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private Base base = Base.CONTRASTIVE;
        private double mixWeight = DEFAULT_MIX_WEIGHT;
        private double margin = DEFAULT_MARGIN;
        private double msAlpha = DEFAULT_MS_ALPHA;
        private double msBeta = DEFAULT_MS_BETA;
        private double msBase = DEFAULT_MS_BASE;
        private double paAlpha = DEFAULT_PA_ALPHA;
        private double paDelta = DEFAULT_PA_DELTA;

        private Builder() {}

        /**
         * Sets the base loss.
         *
         * @param base the value (default {@link Base#CONTRASTIVE})
         * @return this
         */
        public Builder optBase(Base base) {
            this.base = Choice.require(base, ID, "base");
            return this;
        }

        /**
         * Sets the base loss by its word (case-insensitive).
         *
         * @param base {@code contrastive} (default), {@code multi-similarity} or {@code proxy-anchor}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Base}'s words
         */
        public Builder optBase(String base) {
            return optBase(Choice.parse(Base.class, ID, "base", base));
        }

        /**
         * Sets the weight w of the mixed term.
         *
         * @param mixWeight ≥ 0 (default 0.4)
         * @return this
         */
        public Builder optMixWeight(double mixWeight) {
            this.mixWeight = mixWeight;
            return this;
        }

        /**
         * Sets the contrastive negative margin.
         *
         * @param margin default 0.5
         * @return this
         */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /**
         * Sets the multi-similarity α.
         *
         * @param msAlpha &gt; 0 (default 2)
         * @return this
         */
        public Builder optMsAlpha(double msAlpha) {
            this.msAlpha = msAlpha;
            return this;
        }

        /**
         * Sets the multi-similarity β.
         *
         * @param msBeta &gt; 0 (default 50)
         * @return this
         */
        public Builder optMsBeta(double msBeta) {
            this.msBeta = msBeta;
            return this;
        }

        /**
         * Sets the multi-similarity base λ.
         *
         * @param msBase default 0.5
         * @return this
         */
        public Builder optMsBase(double msBase) {
            this.msBase = msBase;
            return this;
        }

        /**
         * Sets the proxy-anchor α.
         *
         * @param paAlpha &gt; 0 (default 32)
         * @return this
         */
        public Builder optPaAlpha(double paAlpha) {
            this.paAlpha = paAlpha;
            return this;
        }

        /**
         * Sets the proxy-anchor δ.
         *
         * @param paDelta default 0.1
         * @return this
         */
        public Builder optPaDelta(double paDelta) {
            this.paDelta = paDelta;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public MetrixLoss build() {
            return new MetrixLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
