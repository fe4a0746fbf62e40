package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

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

    /** Below this magnitude {@link #log1p} sums its series. */
    private static final double LOG1P_SERIES = 0.1;

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
     * Softplus {@code log(1 + e^x)} as {@code max(x, 0) + log1p(e^{−|x|})}: no overflow for large x,
     * no loss of precision for very negative x.
     *
     * @param x the input
     * @return softplus of x
     */
    public static NDArray softplus(NDArray x) {
        return Scalar.max(x, 0).add(log1p(x.abs().neg().exp()));
    }

    /**
     * {@code log(1 + x)} for {@code x ≥ −1}, accurate when |x| is small. For |x| ≤ 0.1 it sums the
     * series {@code 2·atanh(s) = 2(s + s³/3 + … + s¹⁵/15)} with {@code s = x / (2 + x)} (|s| ≤ 0.053,
     * truncation below 1e-20 relative), elsewhere {@code log(1 + x)} is already accurate. Each branch
     * sees an input clamped to its own range, so the unused branch never produces a non-finite
     * gradient. (The PyTorch engine implements neither log1p nor atanh.)
     *
     * @param x the input, {@code ≥ −1}
     * @return log1p(x)
     */
    public static NDArray log1p(NDArray x) {
        NDArray s = Scalar.clamp(x, -LOG1P_SERIES, LOG1P_SERIES);
        s = s.div(s.add(2));
        NDArray s2 = s.square();
        NDArray series = Scalar.mul(s2, 1.0 / 15);
        for (int k = 13; k >= 3; k -= 2) {
            series = series.add(1.0 / k).mul(s2);
        }
        NDArray smallForm = Scalar.mul(series.add(1).mul(s), 2);
        NDArray largeForm = Scalar.max(x, LOG1P_SERIES).add(1).log();
        NDArray negForm = Scalar.clamp(x, -1, -LOG1P_SERIES).add(1).log();
        return NDArrays.where(
                x.abs().lte(LOG1P_SERIES),
                smallForm,
                NDArrays.where(x.gt(LOG1P_SERIES), largeForm, negForm));
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
     * {@code e^x − 1}, accurate when |x| is small: for |x| ≤ 0.5 it uses {@code 2t / (1 − t)} with
     * {@code t = tanh(x/2)} (exact in real arithmetic, full relative precision near 0).
     *
     * @param x the input
     * @return expm1(x)
     */
    public static NDArray expm1(NDArray x) {
        NDArray t = Scalar.div(Scalar.clamp(x, -SMALL, SMALL), 2).tanh();
        NDArray smallForm = Scalar.mul(t, 2).div(t.neg().add(1));
        NDArray largeForm = x.exp().sub(1);
        return NDArrays.where(x.abs().lte(SMALL), smallForm, largeForm);
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
