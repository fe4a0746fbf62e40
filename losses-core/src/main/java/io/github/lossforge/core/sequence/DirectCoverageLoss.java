package io.github.lossforge.core.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
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
 * Direct Coverage Optimization (DCO): the negative log of the pass@N coverage of the correct answer,
 *
 * <p>\( L_{DCO} = -\log\big(1 - (1 - p)^N\big),\quad p = \prod_t p_\theta(y^*_t \mid x, y^*_{&lt;t}),
 * \)
 *
 * <p>whose gradient is the cross-entropy gradient scaled by \( F(p, N) = \frac{N p (1-p)^{N-1}}{1 -
 * (1-p)^N} \in (0, 1] \): \( \nabla L_{DCO} = F(p,N)\,\nabla(-\log p) \). For \( p \ll 1/N \), F ≈ 1
 * (cross-entropy); for \( p \gg 1/N \), F → 0, which stops the over-confidence that cross-entropy
 * keeps rewarding; N = 1 is plain cross-entropy.
 *
 * <p>Computed entirely in log space from log p, so long answers do not underflow, with the value and
 * its gradient −F(p, N) evaluated in closed form on the detached log p (Goldberg's log1p and Kahan's
 * trick instead of series branches, see {@code LogSpace}) and attached through {@link Surrogate}: the
 * derivative is first order only (a second derivative through the loss sees F as a constant).
 * p = e^−200 gives L = 200 − log N and a gradient factor of 1 in float32 as well as float64.
 *
 * <p>{@code mode=weighted-ce} is the official code's training loss ({@code custom_loss_function1}):
 * \( \ell_i = \mathrm{sg}(F(p_i, N)) \cdot (-\log p_i) / n_i \), with F computed in float64 from the
 * detached p, using the code's Padé approximation \( \frac{1 - (N-1)p + (N-1)(N-2)p^2/2}{1 -
 * (N-1)p/2 + (N-1)(N-2)p^2/6} \) when N·p &lt; 0.1, and n_i the number of answer tokens (labels[0];
 * without it n_i = 1, the token-sum variant {@code custom_loss_function2}, whose gradient is exactly
 * that of L_DCO). Its value is a surrogate: monitor L_DCO or the NLL instead.
 *
 * <p>Slots: predictions[0] sequence log-probabilities log p (N), ≤ 0 (see {@link SequenceLogProb#of});
 * labels[0] (optional) answer-token counts (N), ≥ 1, read by {@code weighted-ce} only; {@code dco}
 * does not read labels (they may be present because DJL's {@code EasyTrain} needs one label array). Parameters: {@code n}
 * (16, ≥ 1: the pass@N budget; match it to the test-time budget), {@code mode} ({@code dco} |
 * {@code weighted-ce}), {@code reduction} (mean over sequences).
 *
 * <p>Paper: Chen, Raventós, Cheng, Ganguli, Druckmann, "Rethinking
 * Fine-Tuning when Scaling Test-Time Compute: Limiting Confidence Improves Mathematical Reasoning",
 * NeurIPS 2025, arXiv 2502.07154; official code allanraventos/refine ({@code NCO.f}, {@code
 * loss_functions.py}).
 */
public final class DirectCoverageLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "dco";

    /** The values of {@code mode}, written as their words in the registry and {@code optMode(String)}. */
    public enum Mode implements Choice {
        /** −log(1 − (1 − p)^N). */
        DCO,
        /** sg(F(p, N)) × the token-mean NLL. */
        WEIGHTED_CE
    }

    /** The default pass@N budget. */
    public static final long DEFAULT_N = 16;

    /** The default mode. */
    public static final String DEFAULT_MODE = "dco";

    /** Below this N·p the official gradient factor uses its Padé approximation. */
    private static final double PADE_BELOW = 0.1;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, DirectCoverageLoss.class)
                    .paper("Chen, Raventós, Cheng, Ganguli, Druckmann: Rethinking Fine-Tuning when Scaling"
                            + " Test-Time Compute: Limiting Confidence Improves Mathematical Reasoning,"
                            + " NeurIPS 2025, arXiv 2502.07154")
                    .prediction("P0 sequence log-prob (N)")
                    .label("L0? answer-token counts (N), read by mode=weighted-ce")
                    .example("SequenceLogProb.of(logits, targets, mask) gives P0: examples/run-examples.sh lm.TinyLanguageModel --loss dco")
                    .param(ParamSpec.integer("n", DEFAULT_N, "≥ 1: pass@N budget"))
                    .param(ParamSpec.word("mode", Mode.DCO,
                            "dco: −log(1 − (1 − p)^N); weighted-ce: sg(F(p, N)) × token-mean NLL"))
                    .factory(p -> builder()
                            .optN(p.integer("n"))
                            .optMode(p.word("mode"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final long n;
    private final boolean weightedCe;

    private DirectCoverageLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (b.n < 1) {
            throw new IllegalArgumentException(ID + ": n must be ≥ 1, got " + b.n);
        }
        this.n = b.n;
        this.weightedCe = b.mode == Mode.WEIGHTED_CE;
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
     * The gradient factor of the official code ({@code NCO.f}), in float64: 1 for N = 1, the Padé
     * approximation for N·p &lt; 0.1, else \( N p (1-p)^{N-1} / (1 - (1-p)^N) \).
     *
     * @param p the probability, in [0, 1]
     * @param n the budget N ≥ 1
     * @return F(p, N)
     */
    public static double gradientFactor(double p, long n) {
        if (n == 1) {
            return 1.0;
        }
        double m = n - 1;
        if (n * p < PADE_BELOW) {
            return (1 - m * p + m * (m - 1) * p * p / 2) / (1 - m * p / 2 + m * (m - 1) * p * p / 6);
        }
        double q = Math.exp(m * Math.log1p(-p));
        return n * p * q / (1 - q * (1 - p));
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(0, 1, 1, 1);
        Slot logP = in.prediction(0, "sequence log-prob").requireRank("(N)", 1);
        logP.requireExtremes((max, min) ->
                max > 0 ? "holds a positive value " + max + ", expected log-probabilities ≤ 0" : null);
        if (!weightedCe) {
            return coverageLoss(logP.array());
        }
        NDArray nll = logP.array().neg();
        if (in.hasLabel(0)) {
            Slot counts = in.floatLabel(0, "answer-token counts").requireRank("(N)", 1).requireSameBatch(logP);
            counts.requireExtremes((max, min) ->
                    min < 1 ? "holds a count below 1, expected the number of answer tokens (≥ 1)" : null);
            nll = nll.div(counts.array());
        }
        return nll.mul(officialFactor(logP.array()));
    }

    /** −log(1 − (1 − p)^N) from log p, value and gradient in closed form (see {@link LogSpace}). */
    private NDArray coverageLoss(NDArray logP) {
        if (n == 1) {
            return logP.neg();
        }
        boolean gradient = Surrogate.isNeeded(logP);
        NDArray[] valueAndGradient = LogSpace.coverage(logP.stopGradient(), n, gradient);
        return gradient ? Surrogate.attach(valueAndGradient[0], logP, valueAndGradient[1]) : valueAndGradient[0];
    }

    /**
     * sg(F(p, N)) per sequence, in float64 as the official code computes it, on the device: both
     * branches of {@link #gradientFactor} elementwise, the Padé one selected where N·p &lt; 0.1.
     */
    private NDArray officialFactor(NDArray logP) {
        if (n == 1) {
            return logP.onesLike();
        }
        double m = n - 1;
        NDArray p = logP.stopGradient().toType(DataType.FLOAT64, false).exp();
        NDArray pSquared = p.square();
        NDArray one = Scalar.of(p, 1);
        NDArray padeTop = Scalar.mul(p, -m).add(Scalar.mul(pSquared, m * (m - 1) / 2)).add(one);
        NDArray padeBottom = Scalar.mul(p, -m / 2).add(Scalar.mul(pSquared, m * (m - 1) / 6)).add(one);
        NDArray pade = padeTop.div(padeBottom);
        NDArray q = Scalar.mul(Numerics.log1p(p.neg()), m).exp();
        // the general branch is 0/0 at p = 0, where the Padé branch is selected
        NDArray np = Scalar.mul(p, (double) n);
        NDArray general = np.mul(q).div(one.sub(q.mul(one.sub(p))));
        NDArray f = NDArrays.where(np.lt(Scalar.of(np, PADE_BELOW)), pade, general);
        return f.toType(logP.getDataType(), false);
    }

    /** Builds a {@link DirectCoverageLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private long n = DEFAULT_N;
        private Mode mode = Mode.DCO;

        private Builder() {}

        /**
         * Sets the pass@N budget.
         *
         * @param n ≥ 1 (default 16)
         * @return this
         */
        public Builder optN(long n) {
            this.n = n;
            return this;
        }

        /**
         * Sets the mode.
         *
         * @param mode the value (default {@link Mode#DCO})
         * @return this
         */
        public Builder optMode(Mode mode) {
            this.mode = Choice.require(mode, ID, "mode");
            return this;
        }

        /**
         * Sets the mode by its word (case-insensitive).
         *
         * @param mode {@code dco} (default) or {@code weighted-ce}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Mode}'s words
         */
        public Builder optMode(String mode) {
            return optMode(Choice.parse(Mode.class, ID, "mode", mode));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public DirectCoverageLoss build() {
            return new DirectCoverageLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
