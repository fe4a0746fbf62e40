package io.github.lossforge.core.spherical;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

/**
 * The Z-loss of the spherical family, written once for the dense form ({@code z-loss-spherical}) and
 * the linear-head form ({@code z-loss-spherical-linear}): both supply the target output minus the
 * mean output and the population variance of the outputs, however they obtained them.
 *
 * <p>\( z_c = \frac{o_c - \mu}{\sqrt{\sigma^2 + \varepsilon^2}},\quad L = \frac{1}{a}\log\big(1 +
 * e^{a(b - z_c)}\big). \)
 */
public final class SphericalZ {

    private SphericalZ() {}

    /**
     * Checks the Z-loss parameters.
     *
     * @param id the loss id, for messages
     * @param a the sharpness, finite and &gt; 0
     * @param b the saturation z-score, finite
     * @param eps the variance floor, finite and ≥ 0
     */
    public static void validate(String id, double a, double b, double eps) {
        if (!(a > 0) || Double.isInfinite(a)) {
            throw new IllegalArgumentException(id + ": a must be a finite number > 0, got " + a);
        }
        if (!Double.isFinite(b)) {
            throw new IllegalArgumentException(id + ": b must be finite, got " + b);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(id + ": eps must be a finite number ≥ 0, got " + eps);
        }
    }

    /**
     * The Z-loss per sample from the target's centred output and the outputs' variance.
     *
     * @param centredTarget (N) \( o_c - \mu \)
     * @param variance (N) population variance of the outputs, ≥ 0
     * @param a the sharpness
     * @param b the saturation z-score
     * @param eps ε, entering as σ = sqrt(var + ε²) so equal outputs stay finite
     * @return (N) losses
     */
    public static NDArray loss(NDArray centredTarget, NDArray variance, double a, double b, double eps) {
        NDArray zScore = centredTarget.div(variance.add(eps * eps).sqrt());
        return Scalar.div(Numerics.softplus(Scalar.mul(zScore.neg().add(b), a)), a);
    }
}
