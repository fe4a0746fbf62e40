package io.github.lossforge.contrastive.retrieval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.Activation;
import io.github.lossforge.contrastive.KeptRows;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.Surrogate;

/**
 * The soft top-k loss of DEXML: maximise the soft membership of every positive in the row's top k.
 *
 * <p>\( p_{ij} = \sigma(\alpha (x_{ij} + t_i)) \) with the threshold \( t_i \) solving \( \sum_j
 * p_{ij} = k \), and \( \ell_i = -\frac{1}{|P_i|} \sum_{j \in P_i} \log p_{ij} \), averaged over
 * the rows with at least one positive.
 *
 * <p>The threshold is found without autograd: {@code iterations} bisection steps on \( [-\max_j
 * x_{ij} - 10/\alpha, -\min_j x_{ij} + 10/\alpha] \) as in the official code, then Newton steps
 * kept inside the bracket, which take it to machine precision (so the loss is a smooth function of
 * x, not a staircase). Its exact implicit-function gradient \( \partial t_i / \partial x_{il} =
 * -v_{il} / \sum_m v_{im} \), \( v = \alpha p (1 - p) \), enters through the surrogate \( t_i =
 * \mathrm{sg}(t_i^*) - \sum_l \mathrm{sg}(v_{il}/\textstyle\sum v_i)\,(x_{il} - \mathrm{sg}(x_{il}))
 * \), giving \( \partial \log p_j / \partial x_l = \alpha (1 - p_j)(\delta_{jl} - v_l / \sum v) \),
 * the official custom backward.
 *
 * <p>Slots: predictions[0] scores (B, L) (logits: DEXML uses cos/0.05); labels[0] positive mask (B,
 * L), 0/1 of any numeric or boolean type. Parameters: {@code k} (5, 0 &lt; k &lt; L), {@code alpha}
 * (2.0, &gt; 0), {@code iterations} (32, ≥ 1, bisection steps), {@code reduction} (mean). Differs
 * from the official code in averaging all positives of a row (instead of sampling up to k) and in
 * the Newton refinement of the threshold.
 *
 * <p>The value and this gradient are computed in closed form and attached by {@code core.Surrogate}:
 * only first-order derivatives are carried (no gradient of the gradient).
 *
 * <p>Paper: Nilesh Gupta, Devvrit Khatri, Ankit Singh Rawat, Srinadh Bhojanapalli, Prateek Jain,
 * Inderjit Dhillon, "Dual-encoders for Extreme Multi-label Classification", ICLR 2024, arXiv
 * 2310.10636.
 */
public final class SoftTopKLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "soft-top-k";

    /** Newton steps after the bisection. */
    private static final int NEWTON_STEPS = 4;

    /** The bracket's margin, in units of 1/α, beyond the extreme scores (official code). */
    private static final double BRACKET = 10;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, SoftTopKLoss.class)
                    .paper("Gupta, Khatri, Rawat, Bhojanapalli, Jain, Dhillon: Dual-encoders for Extreme Multi-label"
                            + " Classification, ICLR 2024, arXiv 2310.10636")
                    .prediction("P0 scores (B,L)")
                    .label("L0 positive mask (B,L)")
                    .example("query-label scores (B,L) with a positive mask:"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss soft-top-k")
                    .param(ParamSpec.number("k", 5.0, "0 < k < L: the soft top-k size"))
                    .param(ParamSpec.number("alpha", 2.0, "> 0: sigmoid sharpness"))
                    .param(ParamSpec.integer("iterations", 32L, ">= 1: bisection steps for the threshold"))
                    .factory(p -> builder()
                            .optK(p.number("k"))
                            .optAlpha(p.number("alpha"))
                            .optIterations(p.integer("iterations"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double k;
    private final double alpha;
    private final long iterations;
    private final KeptRows kept = new KeptRows();

    private SoftTopKLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.k > 0) || Double.isInfinite(b.k)) {
            throw new IllegalArgumentException(ID + ": k must be a finite number > 0, got " + b.k);
        }
        if (!(b.alpha > 0) || Double.isInfinite(b.alpha)) {
            throw new IllegalArgumentException(ID + ": alpha must be a finite number > 0, got " + b.alpha);
        }
        if (b.iterations < 1) {
            throw new IllegalArgumentException(ID + ": iterations must be >= 1, got " + b.iterations);
        }
        this.k = b.k;
        this.alpha = b.alpha;
        this.iterations = b.iterations;
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
        in.requireSlots(1, 1, 1, 1);
        Slot scores = in.prediction(0, "scores").requireRank("(B, L)", 2);
        NDArray positives = PositiveMasks.read(in.label(0, "positive mask"), scores);
        if (!(k < scores.size(1))) {
            throw scores.fail("has shape " + scores.shape() + ": k = " + k + " needs more than k columns (0 < k < L)");
        }
        NDArray x = scores.array();
        NDArray positiveFloat = positives.toType(x.getDataType(), false);
        NDArray count = positiveFloat.sum(new int[] {1}, true);
        kept.set(count.gt(0).toType(x.getDataType(), false).reshape(-1));
        // everything below in units of α: z = α(x + t) = αx + T
        NDArray scaled = Scalar.mul(x.stopGradient(), alpha);
        NDArray z = scaled.add(threshold(scaled));
        scaled.close();
        NDArray p = Activation.sigmoid(z);
        NDArray softplus = Numerics.softplus(z.negi());
        z.close();
        NDArray values = Numerics.safeDivide(PairMath.weightedRowSum(softplus, positiveFloat), count.reshape(-1));
        softplus.close();
        if (!Surrogate.isNeeded(x)) {
            p.close();
            return values;
        }
        return Surrogate.attach(values, x, gradient(p, positiveFloat, count));
    }

    /**
     * \( \partial \ell_i / \partial x_{il} = \frac{\alpha}{|P_i|}\big(w_{il} \sum_{j \in P_i} (1 -
     * p_{ij}) - [l \in P_i](1 - p_{il})\big) \), \( w = v / \sum v \), \( v = p(1 - p) \): the
     * official custom backward, the threshold's implicit-function gradient included; 0 on rows
     * without positives. {@code p} is updated in place.
     */
    private NDArray gradient(NDArray p, NDArray positives, NDArray count) {
        NDArray q = p.neg().addi(Scalar.of(p, 1));
        NDArray missed = positives.mul(q);
        NDArray missedSum = missed.sum(new int[] {1}, true);
        NDArray v = p.muli(q);
        q.close();
        NDArray vSum = v.sum(new int[] {1}, true);
        NDArray weightScale = Numerics.safeDivide(missedSum, vSum);
        NDArray rowScale = Numerics.safeDivide(Scalar.of(count, alpha).broadcast(count.getShape()), count);
        NDArray g = v.muli(weightScale).subi(missed).muli(rowScale);
        missed.close();
        return g;
    }

    /** T = αt per row (B, 1) with Σ_j σ(αx_j + T) = k, without autograd, from αx. */
    private NDArray threshold(NDArray scaled) {
        NDArray lo = scaled.max(new int[] {1}, true).neg().sub(BRACKET);
        NDArray hi = scaled.min(new int[] {1}, true).neg().add(BRACKET);
        NDArray half = Scalar.of(scaled, 0.5);
        for (long i = 0; i < iterations; i++) {
            NDArray mid = lo.add(hi).muli(half);
            NDArray tooMany = excess(scaled, mid).gt(0);
            hi = NDArrays.where(tooMany, mid, hi);
            lo = NDArrays.where(tooMany, lo, mid);
        }
        NDArray t = lo.add(hi).muli(half);
        for (int i = 0; i < NEWTON_STEPS; i++) {
            NDArray z = scaled.add(t);
            NDArray p = Activation.sigmoid(z);
            z.close();
            NDArray excess = p.sum(new int[] {1}, true).sub(k);
            NDArray v = p.muli(p.neg().addi(Scalar.of(p, 1)));
            NDArray slope = v.sum(new int[] {1}, true);
            v.close();
            NDArray next = t.sub(Numerics.safeDivide(excess, slope));
            NDArray inside = next.gte(lo).logicalAnd(next.lte(hi)).logicalAnd(slope.gt(0));
            t = NDArrays.where(inside, next, t);
        }
        return t;
    }

    /** Σ_j σ(αx_j + T) − k per row, its (B, L) temporaries closed. */
    private NDArray excess(NDArray scaled, NDArray t) {
        NDArray z = scaled.add(t);
        NDArray p = Activation.sigmoid(z);
        z.close();
        NDArray sum = p.sum(new int[] {1}, true);
        p.close();
        return sum.sub(k);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray reduce(NDArray values) {
        return reduceKept(values, kept.take());
    }

    /** Builds a {@link SoftTopKLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double k = 5;
        private double alpha = 2;
        private long iterations = 32;

        private Builder() {}

        /**
         * Sets k, the soft size of the top set.
         *
         * @param k 0 &lt; k &lt; L (default 5)
         * @return this
         */
        public Builder optK(double k) {
            this.k = k;
            return this;
        }

        /**
         * Sets α, the sharpness of the sigmoid.
         *
         * @param alpha &gt; 0 (default 2)
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Sets the number of bisection steps for the threshold.
         *
         * @param iterations ≥ 1 (default 32)
         * @return this
         */
        public Builder optIterations(long iterations) {
            this.iterations = iterations;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public SoftTopKLoss build() {
            return new SoftTopKLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
