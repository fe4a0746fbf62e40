package io.github.lossforge.core.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * EnsLoss: an ensemble of calibrated convex losses for binary classification, realised by drawing a
 * random valid loss derivative for every batch instead of fixing a loss. A convex margin loss φ is
 * classification-calibrated iff φ' is non-decreasing with φ'(0) &lt; 0, so per batch of margins \( z_i
 * = y_i f(x_i) \) (y ∈ {−1, +1}):
 *
 * <ol>
 *   <li>draw \( r_i \sim N(0, 1) \) and set \( g = -\mathrm{BC}^{-1}(r; \lambda) \) (λ = 0: \( -e^{r} \);
 *       otherwise \( -\max(1 + \lambda r, 0)^{1/\lambda} \)), sort ascending and clip at −1;
 *   <li>give the k-th smallest g to the sample with the k-th smallest margin (φ' non-decreasing, so φ
 *       convex);
 *   <li>superlinear tail: \( g_i \leftarrow g_i / z_i \) where \( z_i &gt; 1 \);
 *   <li>\( g \leftarrow g - 10^{-6} \) (strictly negative, so calibrated);
 * </ol>
 *
 * <p>and return \( \ell_i = \mathrm{sg}(g_i)\, z_i \), whose gradient is \( g_i \nabla z_i \): SGD sees the
 * drawn derivative. <b>The value is a surrogate, not a loss to monitor or early-stop on</b> (it is
 * negative and changes with the draw); report cross-entropy or accuracy instead. The effective loss
 * depends on ranks within the batch, so the batch size matters.
 *
 * <p>Randomness: one {@link java.util.Random} seeded with {@code seed} per loss object; each
 * evaluation draws N values with {@code nextGaussian()} (the official code uses PyTorch's global
 * generator, so the streams differ). DJL's second evaluation of a batch for its accumulators reuses
 * the first value and draws nothing. The margins and derivatives are handled on the host in float64.
 *
 * <p>Slots: predictions[0] logit (N) or (N, 1); labels[0] y (N) or (N, 1), 0/1 of any numeric type.
 * Parameters: {@code lambda} (0.0, finite: the Box–Cox parameter; the official training script can
 * redraw it per period, which a caller does by building a new loss), {@code seed} (42), {@code
 * reduction} (mean).
 *
 * <p>Paper: Ben Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in
 * Classification", ICML 2025, arXiv 2409.00908; official code statmlben/ensLoss ({@code
 * losses.py::ensLoss}).
 */
public final class EnsLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "ensloss";

    /** The default Box–Cox parameter. */
    public static final double DEFAULT_LAMBDA = 0.0;

    /** The default seed. */
    public static final long DEFAULT_SEED = 42;

    /** Subtracted from every derivative so that it is strictly negative. */
    private static final double STRICTLY_NEGATIVE = 1e-6;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, EnsLoss.class)
                    .paper("Dai: EnsLoss: Stochastic Calibrated Loss Ensembles for Preventing Overfitting in"
                            + " Classification, ICML 2025, arXiv 2409.00908")
                    .prediction("P0 logit (N) or (N,1)")
                    .label("L0 y (N) 0/1")
                    .example("binary classifier with one logit, monitor cross-entropy, not this value:"
                            + " examples/run-examples.sh classification.BinaryClassification --loss ensloss")
                    .param(ParamSpec.number("lambda", DEFAULT_LAMBDA, "Box–Cox parameter of the derivative draw"))
                    .param(ParamSpec.integer("seed", DEFAULT_SEED, "seed of the loss object's generator"))
                    .factory(p -> builder()
                            .optLambda(p.number("lambda"))
                            .optSeed(p.integer("seed"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double lambda;
    private final Random random;

    private EnsLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!Double.isFinite(b.lambda)) {
            throw new IllegalArgumentException(ID + ": lambda must be finite, got " + b.lambda);
        }
        this.lambda = b.lambda;
        this.random = new Random(b.seed);
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
        Slot logit = in.prediction(0, "logit").requireRank("(N) or (N, 1)", 1, 2);
        if (logit.shape().dimension() == 2 && logit.size(1) != 1) {
            throw logit.fail("has shape " + logit.shape() + ", expected (N) or (N, 1): one logit per sample");
        }
        Slot y = in.label(0, "y").requireRank("(N) or (N, 1)", 1, 2).requireSameBatch(logit);
        if (y.shape().size() != logit.shape().size()) {
            throw y.fail("has shape " + y.shape() + ", expected one label per logit " + logit.shape());
        }
        double[] labels = y.array().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] signs = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw y.fail("holds " + labels[i] + ", expected 0/1 labels");
            }
            signs[i] = 2 * labels[i] - 1;
        }
        double[] f = logit.array().stopGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        double[] margins = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            margins[i] = signs[i] * f[i];
        }
        Shape flat = new Shape(f.length);
        NDArray margin = logit.array().reshape(flat).mul(Scalar.array(logit.array(), signs, flat));
        return margin.mul(Scalar.array(logit.array(), derivatives(margins), flat));
    }

    /** The drawn derivative for each margin (steps 1–4 of the class description). */
    private double[] derivatives(double[] margins) {
        int n = margins.length;
        double[] draw = new double[n];
        synchronized (random) {
            for (int i = 0; i < n; i++) {
                draw[i] = -inverseBoxCox(random.nextGaussian());
            }
        }
        Arrays.sort(draw);
        Integer[] byMargin = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(byMargin, Comparator.comparingDouble(i -> margins[i]));
        double[] g = new double[n];
        for (int k = 0; k < n; k++) {
            int i = byMargin[k];
            g[i] = Math.max(draw[k], -1.0);
            if (margins[i] > 1) {
                g[i] /= margins[i];
            }
            g[i] -= STRICTLY_NEGATIVE;
        }
        return g;
    }

    private double inverseBoxCox(double r) {
        if (lambda == 0) {
            return Math.exp(r);
        }
        // max(1 + λr, 0)^{1/λ}; a zero base gives 0 for λ > 0 and +∞ (clipped to −1 later) for λ < 0
        return Math.exp(Math.log(Math.max(1 + lambda * r, 0)) / lambda);
    }

    /** Builds an {@link EnsLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double lambda = DEFAULT_LAMBDA;
        private long seed = DEFAULT_SEED;

        private Builder() {}

        /**
         * Sets the Box–Cox parameter λ.
         *
         * @param lambda finite (default 0.0: log-normal derivatives)
         * @return this
         */
        public Builder optLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /**
         * Sets the seed of the loss object's generator.
         *
         * @param seed the seed (default 42)
         * @return this
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public EnsLoss build() {
            return new EnsLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
