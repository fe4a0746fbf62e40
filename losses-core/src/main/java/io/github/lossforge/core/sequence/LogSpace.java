package io.github.lossforge.core.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Scalar;

/**
 * The pass@N coverage loss \( L = -\log(1 - (1 - p)^N) \) and its derivative with respect to log p,
 * computed in closed form from log-probabilities on detached arrays (no autograd), for
 * {@link DirectCoverageLoss}, in as few native calls as precision allows. A whole answer's
 * probability is far below the smallest float (e^−200 and less), so everything goes through log p:
 *
 * <ul>
 *   <li>\( r = -\log(1 - p)/p \) by Goldberg's log1p: with \( u = 1 - p \) rounded, \( r = \log u /
 *       (u - 1) \), accurate to a few ulps wherever u is not 1. Here p is taken as at least e^−30
 *       (float32: e^−16), where u &lt; 1 and r = 1 + p/2 + … is 1 to 5e-14 (6e-8);
 *   <li>\( x = N p r = -N \log(1 - p) \) and \( \log x = \log p + \log(N r) \), so an underflowing p
 *       still gives its exact log x;
 *   <li>Kahan's trick for \( 1 - e^{-x} \): with \( q = e^{-x} \) rounded, \( \rho = (1 - q)/(-\log q)
 *       \) is \( (1 - e^{-x})/x \) to a few ulps, so \( L = -\log x - \log \rho \) and the factor \(
 *       x/(e^x - 1) = q/\rho \) need no series. x is clamped to [1e-12, 700] (float32: [2e-7, 80]), where
 *       q is neither 1 nor subnormal: below, L and the factor are off by at most x_min/2 (relative to
 *       a value ≥ 1); above, by less than e^−x_max, absolutely. L is accurate to a few ulps of log x
 *       absolutely: where L itself is below that (x &gt; 36, a confident answer, L &lt; 1e-15; float32: x
 *       &gt; 15, L &lt; 1e-6) it is that small but not relatively exact; its gradient is;
 *   <li>the gradient \( \partial L/\partial \log p = -F(p, N) \), \( F = N p (1-p)^{N-1}/(1 - (1-p)^N)
 *       = \frac{x}{e^x - 1} \cdot \frac{1}{r\,(1 - p)} \).
 * </ul>
 *
 * <p>log p is clamped to at most −1e-15 (float32: −1e-6), where 1 − p is still positive: above, L and
 * F are their values at the clamp, L ≈ 0 and F ≈ N (1 − p)^{N−1} at most N·1e-15^{N−1} (float32:
 * N·1e-6^{N−1}, 2e-6 for N = 2) instead of their smaller exact values.
 */
final class LogSpace {

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
        NDArray p = Scalar.min(logP, wide ? -1e-15 : -1e-6).exp();
        NDArray one = Scalar.of(p, 1);
        // the floor keeps u below 1 for r; x below takes the unclamped p
        NDArray u = one.sub(Scalar.max(p, Math.exp(wide ? -30 : -16)));
        NDArray nr = Scalar.mul(u.log().div(u.sub(one)), (double) n);
        double xMax = wide ? 700 : 80;
        NDArray q = Scalar.clamp(nr.mul(p), wide ? 1e-12 : 2e-7, xMax).neg().exp();
        // 1/ρ = −log q / (1 − q), with the same rounded q in both places (Kahan)
        NDArray rhoInverse = q.log().div(q.sub(one));
        NDArray logX = logP.add(nr.log());
        NDArray value = rhoInverse.log().sub(Scalar.min(logX, Math.log(xMax)));
        if (!gradient) {
            return new NDArray[] {value};
        }
        NDArray factor = Scalar.mul(q.mul(rhoInverse).div(nr.mul(u)), -(double) n);
        return new NDArray[] {value, factor};
    }
}
