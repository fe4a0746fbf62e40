package io.github.lossforge.core.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

/**
 * Log-space arithmetic on probabilities given as log-probabilities, for the sequence losses, where
 * a whole answer's probability is far below the smallest float (e^−200 and less). Every branch
 * sees an input clamped to its own range, so the branch that is not taken never yields a
 * non-finite gradient.
 */
final class LogSpace {

    private static final double LN2 = Math.log(2);

    /** Below this p, log(−log(1 − p)) is computed from its series in p. */
    private static final double SMALL_P = 1e-4;

    /** Below this x, log(1 − e^−x) is computed from its series in x. */
    private static final double SMALL_X = 1e-3;

    /**
     * How close to 0 a log-probability may come: p = 1 itself has log(1 − p) = −∞; the value is
     * continuous there and the gradient factor of DCO is 0 anyway.
     */
    private static final double LOG_P_CEILING = -1e-30;

    private LogSpace() {}

    /**
     * {@code log(1 − e^x)} for x &lt; 0: {@code log(−expm1 x)} above −ln 2, {@code log1p(−e^x)}
     * below (Mächler's split).
     *
     * @param x the input, &lt; 0 (clamped to at most −1e-30)
     * @return log(1 − e^x)
     */
    static NDArray log1mexp(NDArray x) {
        NDArray near = Numerics.expm1(Scalar.clamp(x, -LN2, LOG_P_CEILING)).neg().log();
        NDArray far = Numerics.log1p(Scalar.min(x, -LN2).exp().neg());
        return NDArrays.where(x.gt(Scalar.of(x, -LN2)), near, far);
    }

    /**
     * {@code log(−log(1 − p))} from {@code log p}, accurate when p underflows: for p &lt; 1e-4 it is
     * {@code log p + p/2 + 5p²/24 + p³/8} (the series of log(−log(1 − p)/p) = log(1 + p/2 + p²/3 +
     * p³/4 + …); the next term is below 1e-16 absolute), a polynomial rather than a log1p of one.
     *
     * @param logP log-probabilities, ≤ 0
     * @return log(−log(1 − p))
     */
    static NDArray logNegLog1mp(NDArray logP) {
        double logSmall = Math.log(SMALL_P);
        NDArray smallLogP = Scalar.min(logP, logSmall);
        NDArray p = smallLogP.exp();
        NDArray inner = Scalar.mul(p, 1.0 / 8).add(Scalar.of(p, 5.0 / 24)).mul(p).add(Scalar.of(p, 0.5));
        NDArray series = smallLogP.add(inner.mul(p));
        NDArray direct = log1mexp(Scalar.max(logP, logSmall)).neg().log();
        return NDArrays.where(logP.lt(Scalar.of(logP, logSmall)), series, direct);
    }

    /**
     * {@code −log(1 − e^{−x})} for {@code x = e^{logX} > 0}, accurate when x underflows: for x &lt;
     * 1e-3 it is {@code −logX + x/2 − x²/24} (the next term is x⁴/2880).
     *
     * @param logX log x
     * @return −log(1 − e^{−x})
     */
    static NDArray negLog1mexpNeg(NDArray logX) {
        double logSmall = Math.log(SMALL_X);
        NDArray smallLogX = Scalar.min(logX, logSmall);
        NDArray smallX = smallLogX.exp();
        NDArray series = smallLogX.neg()
                .add(Scalar.div(smallX, 2))
                .sub(Scalar.div(smallX.square(), 24));
        NDArray direct = log1mexp(Scalar.max(logX, logSmall).exp().neg()).neg();
        return NDArrays.where(logX.lt(Scalar.of(logX, logSmall)), series, direct);
    }
}
