package io.github.lossforge.contrastive.multihead;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.Mining;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * AMCL, adaptive multi-head contrastive learning, in the SimCLR form of the authors' loss table
 * (Eq. 2.1): per head, the positive pair and the hardest negative, each with its own adaptive
 * temperature and a regulariser on it.
 *
 * <p>For H heads and 2N views (rows 0..N−1 the first view, N..2N−1 the second; the positive of row
 * i is row (i + N) mod 2N), with cosine similarities \( s^c \) of head c:
 * \[ \ell_i = \sum_c \left[ -\frac{s^c_{i,i^+}}{\tau^{c+}_i} + \frac{\max_{n \ne i, i^+}
 * s^c_{in}}{\tau^{c-}_i} + \beta\,\Omega(\tau^{c+}_i) - \beta\,\Omega(\tau^{c-}_i) \right], \qquad
 * \Omega(\tau) = \frac{D}{2} \log\tau + \frac{1}{\tau}. \]
 * The hardest negative replaces NT-Xent's log-sum-exp; its selection carries no gradient. The
 * temperatures come from outside (an {@link AdaptiveTemperature} block per head, applied to the
 * positive pair and to the hardest-negative pair) and must lie in [τ_min, τ_max].
 *
 * <p>Slots: predictions[0] head embeddings (H, 2N, D), 2N ≥ 4; predictions[1] positive temperatures
 * (H, 2N); predictions[2] negative temperatures (H, 2N); labels[0] optional, not read. Parameters:
 * {@code beta} β (0.1), {@code tauMin} (1e-5), {@code tauMax} (2.0), {@code reduction} (mean over
 * the 2N anchors). Returns one value per anchor.
 *
 * <p>Paper: Wang, Koniusz, Gedeon, Zheng, "Adaptive Multi-head Contrastive Learning", ECCV 2024,
 * arXiv 2310.05615. The released code does not run and its training step differs from Eq. 2.1;
 * this follows the table. Open in the paper and chosen here: Ω with K = D (the Gaussian-likelihood
 * reading of the code's (K/2) log τ + 1/τ), per-anchor negative temperatures.
 */
public final class AmclLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "amcl";

    /** The default regulariser weight β. */
    public static final double DEFAULT_BETA = 0.1;

    /** The default lower temperature bound. */
    public static final double DEFAULT_TAU_MIN = 1e-5;

    /** The default upper temperature bound. */
    public static final double DEFAULT_TAU_MAX = 2.0;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AmclLoss.class)
                    .paper("Wang, Koniusz, Gedeon, Zheng: Adaptive Multi-head Contrastive Learning, ECCV 2024,"
                            + " arXiv 2310.05615")
                    .prediction("P0 head embeddings (H,2N,D)")
                    .prediction("P1 positive temperatures (H,2N)")
                    .prediction("P2 negative temperatures (H,2N)")
                    .label("L0? not read")
                    .example("multi-head two-view embeddings with per-sample temperatures (fixed, or from AdaptiveTemperature):"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss amcl")
                    .param(ParamSpec.number("beta", DEFAULT_BETA, ">= 0: weight of the temperature regulariser"))
                    .param(ParamSpec.number("tauMin", DEFAULT_TAU_MIN, "> 0: smallest accepted temperature"))
                    .param(ParamSpec.number("tauMax", DEFAULT_TAU_MAX, "> tauMin: largest accepted temperature"))
                    .factory(p -> builder()
                            .optBeta(p.number("beta"))
                            .optTauMin(p.number("tauMin"))
                            .optTauMax(p.number("tauMax"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double beta;
    private final double tauMin;
    private final double tauMax;

    private AmclLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.beta >= 0) || Double.isInfinite(b.beta)) {
            throw new IllegalArgumentException(ID + ": beta must be a finite number >= 0, got " + b.beta);
        }
        if (!(b.tauMin > 0) || !(b.tauMax > b.tauMin) || Double.isInfinite(b.tauMax)) {
            throw new IllegalArgumentException(ID + ": temperatures need 0 < tauMin < tauMax < infinity, got tauMin "
                    + b.tauMin + ", tauMax " + b.tauMax);
        }
        this.beta = b.beta;
        this.tauMin = b.tauMin;
        this.tauMax = b.tauMax;
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
        in.requireSlots(0, 1, 3, 3);
        Slot z = in.prediction(0, "head embeddings").requireRank("(H, 2N, D)", 3);
        long views = z.size(1);
        if (views % 2 != 0 || views < 4) {
            throw z.fail("has shape " + z.shape() + ", expected an even number 2N >= 4 of views on axis 1");
        }
        Slot positive = temperatures(in, 1, "positive temperatures", z);
        Slot negative = temperatures(in, 2, "negative temperatures", z);
        long n = views / 2;
        NDArray self = PairMath.diagonal(z.array(), 0, views, views);
        NDArray partner = PairMath.diagonal(z.array(), n, n, views).concat(PairMath.diagonal(z.array(), 0, n, views));
        NDArray negatives = self.logicalOr(partner).logicalNot();
        double halfDim = z.size(2) / 2.0;
        NDArray total = null;
        for (int h = 0; h < z.size(0); h++) {
            NDArray x = PairMath.l2Normalize(z.array().get(h));
            NDArray s = PairMath.dotMatrix(x, x);
            NDArray sPositive = s.mul(partner.toType(s.getDataType(), false)).sum(new int[] {1});
            NDArray hardest = Mining.hardest(s, negatives, true).toType(s.getDataType(), false);
            NDArray sNegative = s.mul(hardest).sum(new int[] {1});
            NDArray tp = positive.array().get(h);
            NDArray tn = negative.array().get(h);
            NDArray head = sNegative.div(tn).sub(sPositive.div(tp))
                    .add(Scalar.mul(omega(tp, halfDim).sub(omega(tn, halfDim)), beta));
            total = total == null ? head : total.add(head);
        }
        return total;
    }

    /** Ω(τ) = (D/2) log τ + 1/τ. */
    private static NDArray omega(NDArray tau, double halfDim) {
        return Scalar.mul(tau.log(), halfDim).add(tau.onesLike().div(tau));
    }

    private Slot temperatures(LossInputs in, int index, String role, Slot z) {
        Slot t = in.prediction(index, role).requireRank("(H, 2N)", 2);
        if (t.size(0) != z.size(0) || t.size(1) != z.size(1)) {
            throw t.fail("has shape " + t.shape() + ", expected (" + z.size(0) + ", " + z.size(1) + ") to match "
                    + z.describe() + " " + z.shape());
        }
        return t.requireExtremes((max, min) -> min < tauMin || max > tauMax
                ? "holds " + (min < tauMin ? min : max) + ", expected temperatures in [" + tauMin + ", " + tauMax + "]"
                : null);
    }

    /** Builds an {@link AmclLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double beta = DEFAULT_BETA;
        private double tauMin = DEFAULT_TAU_MIN;
        private double tauMax = DEFAULT_TAU_MAX;

        private Builder() {}

        /**
         * Sets the regulariser weight β.
         *
         * @param beta ≥ 0 (default 0.1)
         * @return this
         */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Sets the smallest accepted temperature.
         *
         * @param tauMin &gt; 0 (default 1e-5)
         * @return this
         */
        public Builder optTauMin(double tauMin) {
            this.tauMin = tauMin;
            return this;
        }

        /**
         * Sets the largest accepted temperature.
         *
         * @param tauMax &gt; tauMin (default 2.0)
         * @return this
         */
        public Builder optTauMax(double tauMax) {
            this.tauMax = tauMax;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public AmclLoss build() {
            return new AmclLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
