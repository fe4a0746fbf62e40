package io.github.lossforge.core.density;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * Maximum likelihood for an unnormalised model \( p_\theta(x) = e^{f_\theta(x)}/Z(\theta) \) as a
 * compositional problem: the negative log-likelihood \( F(\theta) = -\frac{1}{n}\sum_i f_\theta(x_i) +
 * \log g(\theta) \), \( g(\theta) = \mathbb{E}_{x' \sim q}[e^{f_\theta(x')}/q(x')] = Z(\theta) \), with the
 * inner expectation tracked by a moving average so the outer log does not bias the gradient as a
 * plain Monte-Carlo plug-in would:
 *
 * <p>\( \hat g_t = \frac{1}{M}\sum_j e^{f(x'_j) - \log q(x'_j)},\quad u_t = (1 - \gamma) u_{t-1} + \gamma
 * \hat g_t,\ u_0 = \hat g_0,\quad L_t = -\frac{1}{B}\sum_i f(x_i) + \frac{\hat g_t}{\mathrm{sg}(u_t)}.
 * \)
 *
 * <p>{@code evaluate} returns the surrogate L_t, whose gradient is the paper's estimator \( v_t =
 * -\frac{1}{B}\sum_i \nabla f(x_i) + \nabla \hat g_t / u_t \); its value is not the NLL (on a fresh object
 * it is −mean f + 1). Monitor {@link #monitoredNll()}, \( -\frac{1}{B}\sum_i f(x_i) + \log u_t \), instead.
 * u is updated with the same step's ĝ before the surrogate is formed. The state is kept in log
 * space as a double (\( \log u_t = \mathrm{logaddexp}(\log(1-\gamma) + \log u_{t-1}, \log\gamma + \log
 * \hat g_t) \), \( \log \hat g_t = \mathrm{LSE}_j(f(x'_j) - \log q(x'_j)) - \log M \)), never takes part in
 * autograd, and survives across calls until {@link #resetState()}; DJL's second evaluation of a
 * batch for its accumulators reuses the first and does not update it again.
 *
 * <p>Slots: predictions[0] f(data) (B); predictions[1] f(noise) (M); predictions[2] log q(noise) (M),
 * the noise density at the noise samples; labels are not read (DJL's {@code EasyTrain} needs one label
 * array). Parameters: {@code gamma} (0.1, in [0, 1]: the moving-average rate; 1 is the plain biased
 * Monte-Carlo estimator, 0 keeps u at its initial value), {@code reduction} ({@code mean} only: the
 * loss is batch-level). With γ = 0, a batch whose ĝ/u would overflow the compute dtype is rejected
 * with an {@code IllegalArgumentException} (the state is kept). The builder's {@code optInitialLogPartition} starts u from a given log Z
 * instead of ĝ₀.
 *
 * <p>Paper: Wei Jiang et al., "Learning Unnormalized Statistical Models via Compositional
 * Optimization", ICML 2023, arXiv 2306.07485. No
 * official code was found; the paper's own default γ was not retrieved (0.1 is ours).
 */
public final class CompositionalNllLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "compositional-nll";

    /** The default moving-average rate. */
    public static final double DEFAULT_GAMMA = 0.1;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, CompositionalNllLoss.class)
                    .paper("Jiang et al.: Learning Unnormalized Statistical Models via"
                            + " Compositional Optimization, ICML 2023, arXiv 2306.07485")
                    .prediction("P0 f(data) (B)")
                    .prediction("P1 f(noise) (M)")
                    .prediction("P2 log q(noise) (M)")
                    .batchLevel()
                    .example("energy-based density model, f = −energy on data and on noise drawn from q:"
                            + " examples/run-examples.sh density.EnergyDensity")
                    .param(ParamSpec.number("gamma", DEFAULT_GAMMA, "in [0, 1]: moving-average rate of u"))
                    .factory(p -> builder().optGamma(p.number("gamma")).optReduction(p.reduction()).build())
                    .build();

    private final double gamma;
    private final double initialLogU;
    private double logU;
    private double monitoredNll = Double.NaN;

    private CompositionalNllLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.gamma >= 0 && b.gamma <= 1)) {
            throw new IllegalArgumentException(ID + ": gamma must be in [0, 1], got " + b.gamma);
        }
        if (Double.isInfinite(b.initialLogU)) {
            throw new IllegalArgumentException(ID + ": the initial log partition must be finite, got " + b.initialLogU);
        }
        this.gamma = b.gamma;
        this.initialLogU = b.initialLogU;
        this.logU = b.initialLogU;
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
     * The current partition estimate log u (NaN before the first evaluation unless an initial value
     * was given).
     *
     * @return log u
     */
    public synchronized double logPartitionEstimate() {
        return logU;
    }

    /**
     * The NLL estimate of the last evaluation, −mean f(data) + log u: the number to monitor.
     *
     * @return the estimate, NaN before the first evaluation
     */
    public synchronized double monitoredNll() {
        return monitoredNll;
    }

    /** Forgets the partition estimate: the next evaluation starts again from u₀ (ĝ₀ or the given value). */
    public synchronized void resetState() {
        logU = initialLogU;
        monitoredNll = Double.NaN;
    }

    /** {@inheritDoc} */
    @Override
    protected synchronized NDArray compute(LossInputs in) {
        in.requireSlots(0, 1, 3, 3);
        Slot data = in.prediction(0, "f(data)").requireRank("(B)", 1);
        Slot noise = in.prediction(1, "f(noise)").requireRank("(M)", 1);
        Slot logQ = in.prediction(2, "log q(noise)").requireRank("(M)", 1).requireSameBatch(noise);
        NDArray logG = Numerics.logMeanExp(noise.array().sub(logQ.array()), 0);
        double logGNow = logG.stopGradient().toType(DataType.FLOAT64, false).getDouble();
        double nextLogU = updatedLogU(logGNow);
        requireRepresentableRatio(noise, logQ, logGNow - nextLogU, logG.getDataType());
        logU = nextLogU;
        NDArray meanData = data.array().mean();
        monitoredNll = -meanData.stopGradient().toType(DataType.FLOAT64, false).getDouble() + logU;
        // a Java number would promote these 0-d arrays to float64: the constant takes their dtype
        return logG.sub(Scalar.of(logG, logU)).exp().sub(meanData);
    }

    /**
     * ĝ/u must be a finite number of the compute dtype: with γ &gt; 0 it is at most 1/γ, but with γ = 0
     * (a fixed partition estimate) a batch whose f(noise) − log q(noise) is far above log u would give
     * an infinite value and gradient. The state is left as it was.
     */
    private static void requireRepresentableRatio(Slot noise, Slot logQ, double logRatio, DataType type) {
        double limit = type == DataType.FLOAT64 ? Math.log(Double.MAX_VALUE) : Math.log(Float.MAX_VALUE);
        if (logRatio > limit - 1) {
            throw noise.fail("minus " + logQ.describe() + " gives ĝ/u = e^" + logRatio + ", beyond the " + type
                    + " range: the noise scores are far above the partition estimate log u (use γ > 0 or a"
                    + " larger initial log partition)");
        }
    }

    private double updatedLogU(double logG) {
        if (Double.isNaN(logU) || gamma == 1) {
            return logG;
        }
        if (gamma == 0) {
            return logU;
        }
        double a = Math.log1p(-gamma) + logU;
        double b = Math.log(gamma) + logG;
        double max = Math.max(a, b);
        return max + Math.log1p(Math.exp(Math.min(a, b) - max));
    }

    /** Builds a {@link CompositionalNllLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double gamma = DEFAULT_GAMMA;
        private double initialLogU = Double.NaN;

        private Builder() {}

        /**
         * Sets the moving-average rate γ.
         *
         * @param gamma in [0, 1] (default 0.1)
         * @return this
         */
        public Builder optGamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /**
         * Starts the partition estimate from a known log Z instead of the first batch's ĝ₀ (with γ = 0
         * the estimate then stays fixed: a plain importance-sampled objective with a known
         * normaliser).
         *
         * @param logPartition log u₀, finite
         * @return this
         */
        public Builder optInitialLogPartition(double logPartition) {
            this.initialLogU = logPartition;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public CompositionalNllLoss build() {
            return new CompositionalNllLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
