package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.DtypePolicy;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;

/**
 * Regression as classification with the histogram loss of a Gaussian (HL-Gauss): the scalar target
 * is smeared into a Gaussian, integrated over m bins, and the logits are trained with cross-entropy
 * against that histogram,
 *
 * <p>\( e_i = v_{min} + i\varsigma,\ \varsigma = \frac{v_{max} - v_{min}}{m},\ \sigma = r\varsigma,\
 * p_i(y) = \frac{\Phi(\frac{e_{i+1} - y}{\sigma}) - \Phi(\frac{e_i - y}{\sigma})}{\Phi(\frac{e_m -
 * y}{\sigma}) - \Phi(\frac{e_0 - y}{\sigma})},\ L = -\sum_{i<m} p_i(y) \log
 * \mathrm{softmax}(\ell)_i. \)
 *
 * <p>The gradient is {@code softmax(logits) − p}. {@link #decode} maps logits back to a scalar, \(
 * \hat y = \sum_i \mathrm{softmax}(\ell)_i c_i \) with bin centres \( c_i = (e_i + e_{i+1})/2 \).
 *
 * <p>Slots: predictions[0] logits (N, m) with m = {@code bins}; labels[0] targets y (N), floating.
 * Parameters: {@code min}, {@code max} (required, min &lt; max), {@code bins} (required, m ≥ 1: m + 1
 * edges), {@code sigmaRatio} (0.75, σ/ς, the paper's recommendation), {@code reduction} (mean).
 *
 * <p>Targets outside [min, max] are clamped into it (the normaliser vanishes outside the support and
 * the paper's listing gives NaN there). The histogram is computed in float64 from {@code erf}, then
 * cast to the compute dtype; it takes no part in autograd. Truncating the Gaussian to the support
 * biases the decoded value toward the interior within a few σ of the ends (by about the half-normal
 * mean, about 0.9σ with the binning, at an end itself); widen the support if targets sit there.
 *
 * <p>Paper: Jesse Farebrother, Jordi Orbay, Quan Vuong, Adrien Ali Taïga, Yevgen Chebotar, Ted Xiao,
 * Alex Irpan, Sergey Levine, Pablo Samuel Castro, Aleksandra Faust, Aviral Kumar, Rishabh Agarwal,
 * "Stop Regressing: Training Value Functions via Classification for Scalable Deep RL", ICML 2024,
 * arXiv 2403.03950 (Appendix A listing).
 */
public final class HlGaussLoss extends HistogramRegressionLoss {

    /** The registry id. */
    public static final String ID = "hl-gauss";

    /** The default σ/ς. */
    public static final double DEFAULT_SIGMA_RATIO = 0.75;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, HlGaussLoss.class)
                    .paper("Farebrother et al.: Stop Regressing: Training Value Functions via Classification"
                            + " for Scalable Deep RL, ICML 2024, arXiv 2403.03950")
                    .prediction("P0 logits (N,m)")
                    .label("L0 y (N)")
                    .example("regression head with m bins, HlGaussLoss.decode maps logits to a scalar:"
                            + " examples/run-examples.sh regression.HistogramRegression")
                    .param(ParamSpec.number("min", null, "lower end of the support"))
                    .param(ParamSpec.number("max", null, "upper end of the support"))
                    .param(ParamSpec.integer("bins", null, "≥ 1: number of bins m (m + 1 edges)"))
                    .param(ParamSpec.number("sigmaRatio", DEFAULT_SIGMA_RATIO, "> 0: σ / bin width"))
                    .factory(p -> builder()
                            .setMin(p.number("min"))
                            .setMax(p.number("max"))
                            .setBins(p.integer("bins"))
                            .optSigmaRatio(p.number("sigmaRatio"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double sigma;
    private final double[] edges;

    private HlGaussLoss(Builder b) {
        super(ID, b.reduction(), b.min(), b.max(), centresOf(edgesOf(b)), "bin");
        if (!(b.sigmaRatio > 0) || Double.isInfinite(b.sigmaRatio)) {
            throw new IllegalArgumentException(ID + ": sigmaRatio must be a finite number > 0, got " + b.sigmaRatio);
        }
        this.sigma = b.sigmaRatio * (b.max() - b.min()) / b.bins();
        this.edges = edgesOf(b);
    }

    private static double[] edgesOf(Builder b) {
        RegressionMath.requireSupport(ID, b.min(), b.max(), b.bins(), 1);
        return RegressionMath.linspace(b.min(), b.max(), Math.toIntExact(b.bins()) + 1);
    }

    private static double[] centresOf(double[] edges) {
        double[] centres = new double[edges.length - 1];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (edges[i] + edges[i + 1]) / 2;
        }
        return centres;
    }

    /**
     * Starts a builder.
     *
     * @return a builder; min, max and bins must be set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The bin centres \( c_i \).
     *
     * @return a copy of the m centres
     */
    public double[] centres() {
        return points().clone();
    }

    /**
     * The target histogram p(y) for each y, computed in float64.
     *
     * @param y (N) targets, any floating dtype; clamped into [min, max]
     * @return (N, m) float64 probabilities
     */
    @Override
    public NDArray targetDistribution(NDArray y) {
        NDArray y64 = Scalar.clamp(DtypePolicy.asLabel(y, DataType.FLOAT64), min(), max()).reshape(-1, 1);
        NDArray cdf = Scalar.div(RegressionMath.row(y64, edges).sub(y64), Math.sqrt(2) * sigma).erf();
        NDArray mass = cdf.get(":, 1:").sub(cdf.get(":, :-1"));
        NDArray total = cdf.get(":, -1:").sub(cdf.get(":, :1"));
        return mass.div(total);
    }

    /** Builds an {@link HlGaussLoss}. */
    public static final class Builder extends SupportBuilder<Builder> {
        private double sigmaRatio = DEFAULT_SIGMA_RATIO;

        private Builder() {}

        /**
         * Sets σ/ς.
         *
         * @param sigmaRatio &gt; 0 (default 0.75)
         * @return this
         */
        public Builder optSigmaRatio(double sigmaRatio) {
            this.sigmaRatio = sigmaRatio;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public HlGaussLoss build() {
            return new HlGaussLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
