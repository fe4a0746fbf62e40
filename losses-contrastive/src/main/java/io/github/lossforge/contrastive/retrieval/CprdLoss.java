package io.github.lossforge.contrastive.retrieval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.KeptRows;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * CPRD, contrastive partial ranking distillation: the student dual encoder learns the teacher's
 * order among its own hard negatives.
 *
 * <p><b>This is our documented reconstruction</b> (no official code was found; the paper's abstract
 * fixes the idea, not the equation): per query q, the hard negatives \( H_q \) are the \( m_q =
 * \min(\mathrm{topK}, |\bar P_q|) \) highest student scores among the non-positives, ordered by
 * the teacher (cross-encoder) score \( \pi_1 \succ \dots \succ \pi_{m_q} \); the Plackett–Luce
 * (ListMLE) likelihood of that order under the student is maximised:
 *
 * <p>\( \ell_q = -\frac{1}{m_q - 1} \sum_{r=1}^{m_q - 1} \log \frac{e^{s_{q\pi_r}/\tau}}{\sum_{r'
 * \ge r} e^{s_{q\pi_{r'}}/\tau}} \),
 *
 * <p>averaged over the queries with \( m_q \ge 2 \) (the others are dropped; {@code none} gives
 * them 0). Selection and ordering carry no gradient; teacher scores only order (scale-free). One
 * direction per call: rows of P0 are queries; pass transposed scores for the other direction, and
 * add the ITC loss and the weight μ yourself (total = L_ITC + μ·L_CPRD). Open in the paper: K, τ, μ,
 * treatment of teacher-judged false negatives, inclusion of the positive.
 *
 * <p>Slots: predictions[0] student scores (Q, K); labels[0] teacher scores (Q, K); labels[1]
 * positive mask (Q, K), 0/1 of any numeric or boolean type. Parameters: {@code topK} (16, ≥ 2),
 * {@code temperature} (0.05, &gt; 0), {@code reduction} (mean).
 *
 * <p>Paper: Chen et al., "Contrastive Partial Ranking Distillation" (CPRD), CVPR 2024, arXiv
 * 2407.07479.
 */
public final class CprdLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "cprd";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, CprdLoss.class)
                    .paper("Chen et al.: Contrastive Partial Ranking Distillation (our form), CVPR 2024,"
                            + " arXiv 2407.07479")
                    .prediction("P0 student scores (Q,K)")
                    .label("L0 teacher scores (Q,K)")
                    .label("L1 positive mask (Q,K)")
                    .example("student query-candidate scores (Q,K) with the teacher's scores and a positive mask:"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss cprd")
                    .param(ParamSpec.integer("topK", 16L, ">= 2: hard negatives per query"))
                    .param(ParamSpec.number("temperature", 0.05, "> 0: student logits are scores / temperature"))
                    .factory(p -> builder()
                            .optTopK(p.integer("topK"))
                            .optTemperature(p.number("temperature"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final long topK;
    private final double temperature;
    private final KeptRows kept = new KeptRows();

    private CprdLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (b.topK < 2) {
            throw new IllegalArgumentException(ID + ": topK must be >= 2 (an order needs two items), got " + b.topK);
        }
        if (!(b.temperature > 0) || Double.isInfinite(b.temperature)) {
            throw new IllegalArgumentException(ID + ": temperature must be a finite number > 0, got " + b.temperature);
        }
        this.topK = b.topK;
        this.temperature = b.temperature;
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
        in.requireSlots(2, 2, 1, 1);
        Slot student = in.prediction(0, "student scores").requireRank("(Q, K)", 2);
        Slot teacher = in.floatLabel(0, "teacher scores").requireShape(student.shape(), "(Q, K) like predictions[0]");
        NDArray positives = PositiveMasks.read(in.label(1, "positive mask"), student);
        NDArray s = student.array();
        DataType type = s.getDataType();
        int width = (int) Math.min(topK, student.size(1));
        NDArray candidates = positives.logicalNot();
        NDArray lowest = Scalar.of(s, Double.NEGATIVE_INFINITY).broadcast(s.getShape());

        // Hard negatives: the `width` highest student scores among the non-positives (no gradient).
        NDArray byStudent = NDArrays.where(candidates, s.stopGradient(), lowest).argSort(1, false)
                .get(":, 0:" + width);
        NDArray hardCount = Scalar.min(candidates.toType(type, false).sum(new int[] {1}, true), width);
        NDArray rank = s.getManager().arange(0, width).toType(type, false).reshape(1, -1);
        NDArray valid = rank.lt(hardCount);

        // Ordered by the teacher, invalid slots last (no gradient), then gathered from the student.
        NDArray teacherHard = teacher.array().gather(byStudent, 1);
        NDArray byTeacher = NDArrays.where(valid, teacherHard, lowest.get(":, 0:" + width)).argSort(1, false);
        NDArray ordered = Scalar.div(s.gather(byStudent, 1).gather(byTeacher, 1), temperature);

        NDArray terms = plackettLuceTerms(ordered, valid);
        NDArray counted = rank.lt(hardCount.sub(1)).toType(type, false);
        NDArray pairs = hardCount.sub(1).reshape(-1);
        kept.set(pairs.gt(0).toType(type, false));
        return Numerics.safeDivide(terms.mul(counted).sum(new int[] {1}), Scalar.max(pairs, 0));
    }

    /** −log(e^{x_r} / Σ_{r' ≥ r, valid} e^{x_{r'}}) for every position r (Q, W), via a masked log-sum-exp. */
    private static NDArray plackettLuceTerms(NDArray x, NDArray valid) {
        long q = x.getShape().get(0);
        long w = x.getShape().get(1);
        NDArray r = x.getManager().arange(0, (int) w).reshape(-1, 1);
        NDArray later = x.getManager().arange(0, (int) w).reshape(1, -1).gte(r);
        NDArray use = later.expandDims(0).logicalAnd(valid.expandDims(1)).reshape(q * w, w);
        NDArray repeated = x.expandDims(1).broadcast(q, w, w).reshape(q * w, w);
        NDArray suffixLse = PairMath.maskedLogSumExp(repeated, use, false).reshape(q, w);
        return suffixLse.sub(x);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray reduce(NDArray values) {
        return reduceKept(values, kept.take());
    }

    /** Builds a {@link CprdLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private long topK = 16;
        private double temperature = 0.05;

        private Builder() {}

        /**
         * Sets the number of hard negatives per query.
         *
         * @param topK ≥ 2 (default 16)
         * @return this
         */
        public Builder optTopK(long topK) {
            this.topK = topK;
            return this;
        }

        /**
         * Sets the temperature τ of the student logits.
         *
         * @param temperature &gt; 0 (default 0.05)
         * @return this
         */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public CprdLoss build() {
            return new CprdLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
