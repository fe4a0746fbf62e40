package io.github.lossforge.core.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Scalar;

/**
 * The pass@N coverage loss \( L = -\log(1 - (1 - p)^N) \) and its derivative with respect to log p,
 * computed in closed form from log-probabilities on detached arrays (no autograd), for
 * {@link DirectCoverageLoss}. A whole answer's probability is far below the smallest float (e^−200
 * and less), so everything goes through log p:
 *
 * <ul>
 *   <li>\( s = -\log(1 - p) \) by a compensated log: with \( u = 1 - p \) rounded, \( s = -\log u +
 *       (p - (1 - u))/u \), accurate to a few ulps for every p (p itself where u rounds to 1);
 *   <li>\( \log x = \log p + \log(N s / p) \) with \( x = N s \), so an underflowing p still gives its
 *       exact log x (p is clamped at e^−80, where s/p = 1 to every digit of float64);
 *   <li>Kahan's trick for \( 1 - e^{-x} \): with \( q = e^{-x} \) rounded, \( \rho = (1 - q)/(-\log q)
 *       \) is \( (1 - e^{-x})/x \) to a few ulps, so \( L = -\log x - \log \rho \) and the factor \(
 *       x/(e^x - 1) = q/\rho \) need no series. x is clamped to [1e-12, 700] (float32: [2e-7, 80]), where
 *       q is neither 1 nor subnormal: below, L and the factor are off by at most x_min/2 (relative to
 *       a value ≥ 1); above, by less than e^−x_max, absolutely;
 *   <li>the gradient \( \partial L/\partial \log p = -F(p, N) \), \( F = N p (1-p)^{N-1}/(1 - (1-p)^N)
 *       = \frac{x}{e^x - 1} \cdot \frac{N p}{x\,(1 - p)} \).
 * </ul>
 *
 * <p>log p is clamped to at most −1e-15 (float32: −1e-6), where 1 − p is still positive; there L is
 * below e^−500 (e^−200) and F is 0 in the dtype.
 */
final class LogSpace {

    /** The smallest p used: below it s/p = 1 and F = 1 in float64. */
    private static final double LOG_P_FLOOR = -80;

    private LogSpace() {}

    /**
     * The coverage loss and, when asked, its gradient with respect to log p.
     *
     * @param logP detached log-probabilities, ≤ 0, float32 or float64
     * @param n the budget N ≥ 2
     * @param gradient whether to compute the gradient
     * @return {L} or {L, ∂L/∂log p}, both detached, of logP's shape
     */
    static NDArray[] coverage(NDArray logP, long n, boolean gradient) {
        boolean wide = logP.getDataType() == DataType.FLOAT64;
        NDArray p = Scalar.clamp(logP, LOG_P_FLOOR, wide ? -1e-15 : -1e-6).exp();
        NDArray one = Scalar.of(p, 1);
        NDArray u = one.sub(p);
        // s = −log u + (p − (1 − u))/u: the rounding of u = 1 − p, put back to first order
        NDArray s = p.sub(one.sub(u)).div(u).sub(u.log());
        NDArray x = Scalar.mul(s, (double) n);
        NDArray nsOverP = x.div(p);
        NDArray logX = logP.add(nsOverP.log());
        double xMax = wide ? 700 : 80;
        NDArray q = Scalar.clamp(x, wide ? 1e-12 : 2e-7, xMax).neg().exp();
        // 1/ρ = −log q / (1 − q), with the same rounded q in both places (Kahan)
        NDArray rhoInverse = q.log().div(q.sub(one));
        NDArray value = rhoInverse.log().sub(Scalar.min(logX, Math.log(xMax)));
        if (!gradient) {
            return new NDArray[] {value};
        }
        NDArray factor = Scalar.mul(q.mul(rhoInverse).div(nsOverP.mul(u)), -(double) n);
        return new NDArray[] {value, factor};
    }
}
