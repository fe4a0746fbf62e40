package io.github.lossforge.core.diagnostics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.github.lossforge.core.Scalar;

import java.util.Arrays;

/**
 * Batch normalisation at test time with statistics mixed from the source (training) data and the
 * current test batch (α-BN),
 *
 * <p>\( \hat\mu = \alpha\,\mu_s + (1 - \alpha)\,\mu_t,\quad \hat\sigma^2 = \alpha\,\sigma_s^2 + (1 -
 * \alpha)\,\sigma_t^2,\quad y = \gamma\,\frac{x - \hat\mu}{\sqrt{\hat\sigma^2 + \varepsilon}} + \beta, \)
 *
 * <p>per channel (axis 1), where μ_s, σ²_s are the source running statistics of a trained BatchNorm and
 * μ_t, σ²_t the mean and <i>biased</i> variance of the current batch over every axis but the channel
 * axis; the batch statistics stay in the autograd graph, as in test-time normalisation.
 *
 * <p><b>Direction of α:</b> here α weights the <i>source</i> statistics: α = 1 is the source model,
 * α = 0 is pure test-batch normalisation. The robusta/TTA code bases' {@code AlphaBatchNorm} uses the
 * opposite convention (their α weights the batch: α_theirs = 1 − α_here) and an unbiased batch variance.
 * The paper's own α convention and default could not be verified, so α has no default here.
 *
 * <p>γ and β are trainable parameters of the block (initialised from the source layer, or to 1 and
 * 0), so a test-time objective such as {@link ClassConfusionLoss} can adapt them. Input: (N, C, …) with
 * C channels, at least 2 dimensions; a batch of one (N = 1 with no spatial axes) has σ²_t = 0 and relies
 * on ε and α &gt; 0.
 *
 * <p>Paper: Fuming You, Jingjing Li, Zhou Zhao, "Test-time Batch Statistics Calibration for Covariate
 * Shift", 2021, arXiv 2110.04065 (the α-BN wording; the formula above is the standard form).
 */
public final class AlphaBatchNorm extends AbstractBlock {

    private final double alpha;
    private final double epsilon;
    private final double[] sourceMean;
    private final double[] sourceVariance;
    private final Parameter gamma;
    private final Parameter beta;

    private AlphaBatchNorm(Builder b) {
        if (b.sourceMean == null || b.sourceVariance == null) {
            throw new IllegalArgumentException("AlphaBatchNorm: the source mean and variance are required");
        }
        int c = b.sourceMean.length;
        if (c == 0 || b.sourceVariance.length != c) {
            throw new IllegalArgumentException("AlphaBatchNorm: source mean has " + c + " channels and variance "
                    + b.sourceVariance.length + ", expected the same number ≥ 1");
        }
        for (double v : b.sourceVariance) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("AlphaBatchNorm: source variances must be finite and ≥ 0, got " + v);
            }
        }
        if (!(b.alpha >= 0 && b.alpha <= 1)) {
            throw new IllegalArgumentException("AlphaBatchNorm: alpha must be set, in [0, 1] (the weight of the"
                    + " source statistics), got " + b.alpha);
        }
        if (!(b.epsilon > 0) || !Double.isFinite(b.epsilon)) {
            throw new IllegalArgumentException("AlphaBatchNorm: epsilon must be a finite number > 0, got " + b.epsilon);
        }
        double[] g = b.gamma == null ? filled(c, 1) : b.gamma;
        double[] be = b.beta == null ? filled(c, 0) : b.beta;
        if (g.length != c || be.length != c) {
            throw new IllegalArgumentException("AlphaBatchNorm: gamma and beta need " + c + " channels, got "
                    + g.length + " and " + be.length);
        }
        this.alpha = b.alpha;
        this.epsilon = b.epsilon;
        this.sourceMean = b.sourceMean.clone();
        this.sourceVariance = b.sourceVariance.clone();
        this.gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(c)).optInitializer(constant(g)).build());
        this.beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optShape(new Shape(c)).optInitializer(constant(be)).build());
    }

    /**
     * Starts a builder.
     *
     * @return a builder; the source statistics and α must be set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An α-BN layer that takes the running statistics, γ and β of a trained DJL {@link BatchNorm} over
     * channel axis 1 (its {@code runningMean}, {@code runningVar}, {@code gamma} and {@code beta}
     * parameters, read once).
     *
     * @param trained an initialised batch-norm block
     * @param alpha the weight of the source statistics, in [0, 1]
     * @param epsilon the ε the trained layer used (DJL's default is 1e-5)
     * @return the block
     */
    public static AlphaBatchNorm fromBatchNorm(BatchNorm trained, double alpha, double epsilon) {
        if (!trained.isInitialized()) {
            throw new IllegalArgumentException("AlphaBatchNorm: the BatchNorm block is not initialised");
        }
        PairList<String, Parameter> parameters = trained.getDirectParameters();
        return builder()
                .setSourceMean(values(parameters.get("runningMean")))
                .setSourceVariance(values(parameters.get("runningVar")))
                .optGamma(values(parameters.get("gamma")))
                .optBeta(values(parameters.get("beta")))
                .setAlpha(alpha)
                .optEpsilon(epsilon)
                .build();
    }

    private static double[] values(Parameter parameter) {
        return parameter.getArray().toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /**
     * The weight of the source statistics.
     *
     * @return α
     */
    public double alpha() {
        return alpha;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        int channels = sourceMean.length;
        if (shape.dimension() < 2 || shape.get(1) != channels) {
            throw new IllegalArgumentException("AlphaBatchNorm: input has shape " + shape + ", expected (N, "
                    + channels + ", …)");
        }
        long[] channelShape = new long[shape.dimension()];
        Arrays.fill(channelShape, 1);
        channelShape[1] = channels;
        Shape broadcast = new Shape(channelShape);
        // every axis but the channel axis: move channels last and flatten the rest (the engine's
        // mean takes one axis)
        NDArray flat = x.swapAxes(1, shape.dimension() - 1).reshape(-1, channels);
        NDArray flatMean = flat.mean(new int[] {0}, true);
        NDArray batchMean = flatMean.reshape(broadcast);
        NDArray batchVariance = flat.sub(flatMean).square().mean(new int[] {0}).reshape(broadcast);
        NDArray mean = Scalar.mul(batchMean, 1 - alpha).add(Scalar.array(x, scaled(sourceMean, alpha), broadcast));
        NDArray variance = Scalar.mul(batchVariance, 1 - alpha)
                .add(Scalar.array(x, scaled(sourceVariance, alpha), broadcast));
        NDArray g = store.getValue(gamma, x.getDevice(), training).reshape(broadcast);
        NDArray b = store.getValue(beta, x.getDevice(), training).reshape(broadcast);
        return new NDList(x.sub(mean).div(variance.add(epsilon).sqrt()).mul(g).add(b));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    private static double[] scaled(double[] v, double factor) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = factor * v[i];
        }
        return out;
    }

    private static double[] filled(int n, double value) {
        double[] v = new double[n];
        Arrays.fill(v, value);
        return v;
    }

    /** Initialises a parameter with given values, copied into memory the engine owns. */
    private static Initializer constant(double[] values) {
        return (NDManager manager, Shape shape, DataType dataType) -> {
            try (NDArray javaBacked = manager.create(values, shape)) {
                return javaBacked.toType(dataType, true);
            }
        };
    }

    /** Builds an {@link AlphaBatchNorm}. */
    public static final class Builder {
        private double[] sourceMean;
        private double[] sourceVariance;
        private double[] gamma;
        private double[] beta;
        private double alpha = Double.NaN;
        private double epsilon = 1e-5;

        private Builder() {}

        /**
         * Sets the source running mean (one value per channel).
         *
         * @param mean required
         * @return this
         */
        public Builder setSourceMean(double... mean) {
            this.sourceMean = mean.clone();
            return this;
        }

        /**
         * Sets the source running variance (one value per channel).
         *
         * @param variance required, ≥ 0
         * @return this
         */
        public Builder setSourceVariance(double... variance) {
            this.sourceVariance = variance.clone();
            return this;
        }

        /**
         * Sets the weight of the source statistics.
         *
         * @param alpha required, in [0, 1]: 1 the source model, 0 test-batch normalisation
         * @return this
         */
        public Builder setAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Sets the initial scale γ (default 1 per channel).
         *
         * @param gamma one value per channel
         * @return this
         */
        public Builder optGamma(double... gamma) {
            this.gamma = gamma.clone();
            return this;
        }

        /**
         * Sets the initial shift β (default 0 per channel).
         *
         * @param beta one value per channel
         * @return this
         */
        public Builder optBeta(double... beta) {
            this.beta = beta.clone();
            return this;
        }

        /**
         * Sets ε.
         *
         * @param epsilon &gt; 0 (default 1e-5, as DJL's and PyTorch's BatchNorm)
         * @return this
         */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the block
         */
        public AlphaBatchNorm build() {
            return new AlphaBatchNorm(this);
        }
    }
}
