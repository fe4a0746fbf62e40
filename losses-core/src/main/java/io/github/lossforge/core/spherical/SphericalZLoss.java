package io.github.lossforge.core.spherical;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.Surrogate;

/**
 * The Z-loss of the spherical family: the target output's z-score pushed through a softplus,
 *
 * <p>\( \mu = \frac{1}{D}\sum_k o_k,\; \sigma = \sqrt{\frac{1}{D}\sum_k (o_k - \mu)^2 +
 * \varepsilon^2},\; z_c = \frac{o_c - \mu}{\sigma},\; L = \frac{1}{a}\log\big(1 + e^{a (b -
 * z_c)}\big). \)
 *
 * <p>It is invariant to \( o \to \alpha o + \beta \) (α &gt; 0) up to ε. σ is computed from centred
 * outputs (the q/D − μ² form cancels catastrophically when |μ| ≫ σ), and ε enters under the square
 * root so that equal outputs (σ = 0, e.g. at a zero init) give a finite value and gradient. This is
 * not the PaLM-style log-Z² penalty (see {@code zLossScale} of Cut Cross-Entropy).
 *
 * <p>Slots: predictions[0] outputs (N, D); labels[0] target indices (N), int64. Parameters: {@code a}
 * (1.0, &gt; 0, sharpness), {@code b} (0.0, the z-score where the loss saturates), {@code eps} (1e-6,
 * ≥ 0), {@code reduction} (mean). a = 1, b = 0 are the authors' released example values.
 *
 * <p>The value and its gradient are computed in closed form and attached through {@link Surrogate}:
 * the derivative is first order only (a second derivative through the loss sees the gradient as a
 * constant).
 *
 * <p>Paper: Alexandre de Brébisson, Pascal Vincent, "The Z-loss: a shift and scale invariant
 * classification loss belonging to the Spherical Family", 2016, arXiv 1604.08859.
 */
public final class SphericalZLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "z-loss-spherical";

    /** The default sharpness a. */
    public static final double DEFAULT_A = ZLossBuilder.DEFAULT_A;

    /** The default saturation z-score b. */
    public static final double DEFAULT_B = ZLossBuilder.DEFAULT_B;

    /** The default ε added (squared) to the variance. */
    public static final double DEFAULT_EPS = ZLossBuilder.DEFAULT_EPS;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, SphericalZLoss.class)
                    .paper("de Brébisson, Vincent: The Z-loss: a shift and scale invariant classification"
                            + " loss belonging to the Spherical Family, 2016, arXiv 1604.08859")
                    .prediction("P0 outputs (N,D)")
                    .label("L0 target (N) int64")
                    .classifierLoss()
                    .params(ZLossBuilder.PARAMETERS)
                    .factory(p -> builder().fromParams(p).build())
                    .build();

    private final double a;
    private final double b;
    private final double eps;

    private SphericalZLoss(Builder builder) {
        super(ID, builder.reduction(), true);
        SphericalZ.validate(ID, builder.a(), builder.b(), builder.eps());
        this.a = builder.a();
        this.b = builder.b();
        this.eps = builder.eps();
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
        Slot outputs = in.prediction(0, "outputs").requireRank("(N, D)", 2);
        Slot target = in.label(0, "target").requireRank("(N)", 1).requireSameBatch(outputs);
        target.requireClassIndices(outputs.size(1));
        return zLoss(outputs.array(), target.array().toType(DataType.INT64, false).reshape(-1, 1));
    }

    /**
     * The loss per row, value and gradient in closed form on the detached outputs: with \( g =
     * \sigma_{\mathrm{sig}}(a(b - z)) \) (the logistic sigmoid) and \( \kappa = g/\sigma \), \(
     * \partial L/\partial o_k = \frac{\kappa}{D}\big(1 + z\,\frac{o_k - \mu}{\sigma}\big) - \kappa\,
     * 1[k = c] \) (the centring and the σ of the row both depend on every o_k).
     */
    private NDArray zLoss(NDArray outputs, NDArray at) {
        NDArray o = outputs.stopGradient();
        NDArray centred = o.sub(o.mean(new int[] {1}, true));
        NDArray sigma = centred.mul(centred).mean(new int[] {1}, true).add(Scalar.of(o, eps * eps)).sqrt();
        NDArray z = centred.gather(at, 1).div(sigma);
        NDArray t = Scalar.mul(z.neg().add(Scalar.of(z, b)), a);
        NDArray softplus = Numerics.softplus(t);
        NDArray value = (a == 1 ? softplus : Scalar.div(softplus, a)).reshape(-1);
        if (!Surrogate.isNeeded(outputs)) {
            return value;
        }
        NDArray kappa = Activation.sigmoid(t).div(sigma);
        NDArray perClass = Scalar.div(kappa, (double) o.getShape().get(1));
        NDArray dense = centred.mul(perClass.mul(z).div(sigma)).add(perClass);
        NDArray gradient = dense.scatter(at, dense.gather(at, 1).sub(kappa), 1);
        return Surrogate.attach(value, outputs, gradient);
    }

    /** Builds a {@link SphericalZLoss}. */
    public static final class Builder extends ZLossBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public SphericalZLoss build() {
            return new SphericalZLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
