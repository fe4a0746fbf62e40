package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/**
 * Numerically safe building blocks shared by every loss: each one stays finite (value and
 * gradient) for finite input where the naive form overflows, underflows or divides by zero.
 */
public final class Numerics {

    /**
     * Beyond this exponent {@link #cappedExpm1} continues linearly instead of overflowing.
     * {@code e^50 ≈ 5.2e21} keeps sums over large batches finite in float32.
     */
    public static final double EXP_CAP = 50.0;

    /** Below this magnitude {@link #expm1} uses its small-argument form. */
    private static final double SMALL = 0.5;

    /** log1p's derivative path takes log(max(1 + x, this)): finite at x = −1. */
    private static final double LOG1P_FLOOR = 1e-30;

    /** Below this magnitude {@link #log1p} sums its series. */

    private Numerics() {}

    /**
     * Log-sum-exp along an axis, exact and stable: {@code x_0 − logSoftmax(x)_0} (the native
     * log-softmax is max-shifted, and the gradient of this form is exactly the softmax).
     *
     * @param x the input
     * @param axis the axis to reduce (negative counts from the end)
     * @return the log-sum-exp, with {@code axis} removed
     */
    public static NDArray logSumExp(NDArray x, int axis) {
        NDArray logP = x.logSoftmax(axis);
        return firstAlong(x.sub(logP), axis);
    }

    /**
     * Log-mean-exp along an axis: {@code logSumExp(x) − log n}.
     *
     * @param x the input
     * @param axis the axis to reduce
     * @return the log-mean-exp, with {@code axis} removed
     */
    public static NDArray logMeanExp(NDArray x, int axis) {
        int a = axis < 0 ? x.getShape().dimension() + axis : axis;
        NDArray lse = logSumExp(x, axis);
        // a Java number would make a float64 0-d operand, which promotes a 0-d float32 result
        return lse.sub(Scalar.of(lse, Math.log(x.getShape().get(a))));
    }

    /**
     * The log-probability of one class per row: {@code logSoftmax(logits)[i, target_i]}.
     *
     * @param logits (N, C) logits
     * @param targets (N) integer class indices, already validated
     * @return (N) log-probabilities
     */
    public static NDArray logProbabilityOf(NDArray logits, NDArray targets) {
        return gatherRows(logits.logSoftmax(1), targets);
    }

    /**
     * The int64 indices {@code from, …, to − 1} on {@code like}'s device (an array's manager may sit
     * on another device than the array).
     *
     * @param like the array whose device and manager the indices take
     * @param from the first index
     * @param to one past the last index
     * @return (to − from) int64 indices
     */
    public static NDArray range(NDArray like, long from, long to) {
        return like.getManager().arange((float) from, (float) to, 1f, DataType.INT64, like.getDevice());
    }

    /**
     * Picks one entry per row: {@code x[i, index_i]}.
     *
     * @param x (N, C) values
     * @param index (N) integer indices
     * @return (N) picked values (differentiable in {@code x})
     */
    public static NDArray gatherRows(NDArray x, NDArray index) {
        NDArray idx = index.toType(DataType.INT64, false).reshape(-1, 1);
        return x.gather(idx, 1).reshape(-1);
    }

    /**
     * Softplus {@code log(1 + e^x)}: libtorch's own ({@code log1p(e^x)} below 20, x above), one
     * native op with its exact derivatives of every order.
     *
     * @param x the input
     * @return softplus of x
     */
    public static NDArray softplus(NDArray x) {
        return Activation.softPlus(x);
    }

    /**
     * {@code log(1 + x)} for {@code x ≥ −1}, accurate when |x| is small (the PyTorch engine of DJL
     * has no log1p). The value is Goldberg's \( \log(u)\,x/(u - 1) \) with \( u = 1 + x \) rounded
     * (x itself where u rounds to 1), exact to a few ulps and computed without autograd; the
     * derivatives (of every order) are those of {@code log(max(u, 1e-30))}, entering through a
     * term that is exactly 0. About a third of the native calls of a series, and only three of them
     * recorded for backward.
     *
     * @param x the input, {@code ≥ −1}
     * @return log1p(x)
     */
    public static NDArray log1p(NDArray x) {
        NDArray one = Scalar.of(x, 1);
        NDArray xs = x.stopGradient();
        NDArray us = xs.add(one);
        NDArray d = us.sub(one);
        // where u rounds to 1 the quotient is 0/0, but that branch is not selected (and has no gradient)
        NDArray value = NDArrays.where(d.neq(Scalar.of(d, 0)), us.log().mul(xs).div(d), xs);
        NDArray logU = Scalar.max(x.add(one), LOG1P_FLOOR).log();
        return value.add(logU.sub(logU.stopGradient()));
    }

    /**
     * {@code atanh(x) = ½·(log1p(x) − log1p(−x))} for |x| &lt; 1 (the PyTorch engine has no atanh);
     * near ±1 the argument 1 ∓ x of the large branch is exact, so precision holds there too.
     *
     * @param x the input, |x| &lt; 1
     * @return atanh(x)
     */
    public static NDArray atanh(NDArray x) {
        return Scalar.mul(log1p(x).sub(log1p(x.neg())), 0.5);
    }

    /**
     * {@code e^x − 1}, accurate when |x| is small. The value is Kahan's \( (u - 1)\,x / \log u \)
     * with \( u = e^x \) rounded for |x| &lt; 0.5 (x where u rounds to 1), \( u - 1 \) elsewhere,
     * computed without autograd; the derivatives (of every order) are those of {@code e^x}, entering
     * through a term that is exactly 0. x must stay below the overflow of {@code exp} (about 88 in
     * float32): use {@link #cappedExpm1} for unbounded inputs.
     *
     * @param x the input
     * @return expm1(x)
     */
    public static NDArray expm1(NDArray x) {
        NDArray one = Scalar.of(x, 1);
        NDArray xs = x.stopGradient();
        NDArray us = xs.exp();
        NDArray d = us.sub(one);
        // where u rounds to 1 the quotient is 0/0, but that branch is not selected (and has no gradient)
        NDArray kahan = NDArrays.where(d.neq(Scalar.of(d, 0)), d.mul(xs).div(us.log()), xs);
        NDArray value = NDArrays.where(xs.abs().lt(Scalar.of(xs, SMALL)), kahan, d);
        NDArray u = x.exp();
        return value.add(u.sub(us));
    }

    /**
     * {@code e^x − 1} that continues along its tangent beyond {@link #EXP_CAP} instead of
     * overflowing: {@code e^c (1 + x − c) − 1} for {@code x > c}. Finite value and gradient for any
     * finite x; equal to {@link #expm1} wherever {@code x ≤ c}.
     *
     * @param x the input
     * @return the capped expm1
     */
    public static NDArray cappedExpm1(NDArray x) {
        NDArray below = expm1(Scalar.min(x, EXP_CAP));
        NDArray beyond = Scalar.mul(Scalar.max(x, EXP_CAP).sub(EXP_CAP), Math.exp(EXP_CAP));
        return below.add(beyond);
    }

    /**
     * {@code a / b} where {@code b == 0} gives 0 instead of NaN or infinity (and a zero gradient).
     *
     * @param a numerator
     * @param b denominator
     * @return a / b, or 0 where b is 0
     */
    public static NDArray safeDivide(NDArray a, NDArray b) {
        NDArray zero = b.eq(0);
        NDArray denominator = NDArrays.where(zero, b.onesLike(), b);
        return NDArrays.where(zero, a.zerosLike(), a.div(denominator));
    }

    /**
     * {@code acos(x)} with x clamped to {@code [−1 + eps, 1 − eps]}, where its gradient is finite.
     *
     * @param x the input
     * @param eps the margin from ±1
     * @return acos of the clamped input
     */
    public static NDArray clampedAcos(NDArray x, double eps) {
        return Scalar.clamp(x, -1 + eps, 1 - eps).acos();
    }

    /**
     * {@code atanh(x)} with x clamped to {@code [−1 + eps, 1 − eps]}.
     *
     * @param x the input
     * @param eps the margin from ±1
     * @return atanh of the clamped input
     */
    public static NDArray clampedAtanh(NDArray x, double eps) {
        return atanh(Scalar.clamp(x, -1 + eps, 1 - eps));
    }

    /**
     * The first slice along an axis, the axis removed.
     *
     * @param x the input
     * @param axis the axis (negative counts from the end)
     * @return {@code x[..., 0, ...]}
     */
    static NDArray firstAlong(NDArray x, int axis) {
        int rank = x.getShape().dimension();
        int a = axis < 0 ? rank + axis : axis;
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < a; i++) {
            index.append(":,");
        }
        index.append('0');
        return x.get(new NDIndex(index.toString()));
    }
}
