package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic between arrays and Java numbers that is safe under autograd.
 *
 * <p>Why this class exists: on the CPU, DJL's PyTorch engine wraps Java memory ({@code
 * NDManager.create(number or array)}) in a tensor without copying, and the tensor does not own that
 * memory: it is freed when the Java buffer is garbage-collected after the array is closed. DJL's own
 * {@code mul(Number)}, {@code div(Number)}, {@code maximum(Number)}, {@code minimum(Number)}, {@code
 * pow(Number)} and {@code clip(Number, Number)} create such a scalar, and the autograd graph keeps it
 * for the backward pass; if a garbage collection runs between forward and backward, the backward pass
 * reads freed memory and the gradient is garbage (verified: a GC between {@code x.mul(3.0)} and
 * {@code backward} gives gradients of 0 or 1e-310). Every constant made here is copied into memory
 * libtorch owns first. {@code add(Number)}, {@code sub(Number)} and comparisons with a Number are safe
 * (their backward keeps no operand) and may be used directly.
 */
public final class Scalar {

    private Scalar() {}

    /**
     * A 0-dimensional constant in memory libtorch owns, of the dtype and on the device of {@code like}.
     *
     * @param like the array whose dtype, device and manager the constant takes
     * @param value the value
     * @return the constant
     */
    public static NDArray of(NDArray like, double value) {
        return owned(like.getManager(), like.getManager().create(value), like.getDataType());
    }

    /**
     * A constant array in memory libtorch owns, of the dtype and on the device of {@code like}.
     *
     * @param like the array whose dtype, device and manager the constant takes
     * @param values the values, row-major
     * @param shape the shape
     * @return the constant
     */
    public static NDArray array(NDArray like, double[] values, Shape shape) {
        return owned(like.getManager(), like.getManager().create(values, shape), like.getDataType());
    }

    private static NDArray owned(NDManager manager, NDArray javaBacked, DataType type) {
        try (NDArray borrowed = javaBacked) {
            NDArray copy = borrowed.duplicate();
            if (type.isFloating() && copy.getDataType() != type) {
                NDArray cast = copy.toType(type, false);
                copy.close();
                return cast;
            }
            return copy;
        }
    }

    /**
     * {@code x · c}.
     *
     * @param x the array
     * @param c the factor
     * @return the product
     */
    public static NDArray mul(NDArray x, double c) {
        return x.mul(of(x, c));
    }

    /**
     * {@code x / c}.
     *
     * @param x the array
     * @param c the divisor
     * @return the quotient
     */
    public static NDArray div(NDArray x, double c) {
        return x.div(of(x, c));
    }

    /**
     * {@code max(x, c)} elementwise.
     *
     * @param x the array
     * @param c the lower bound
     * @return the maximum
     */
    public static NDArray max(NDArray x, double c) {
        return x.maximum(of(x, c));
    }

    /**
     * {@code min(x, c)} elementwise.
     *
     * @param x the array
     * @param c the upper bound
     * @return the minimum
     */
    public static NDArray min(NDArray x, double c) {
        return x.minimum(of(x, c));
    }

    /**
     * {@code x^c} elementwise.
     *
     * @param x the array
     * @param c the exponent
     * @return the power
     */
    public static NDArray pow(NDArray x, double c) {
        return x.pow(of(x, c));
    }

    /**
     * {@code x} clamped to {@code [lo, hi]}; the gradient is 1 inside the interval (bounds included)
     * and 0 outside, as for PyTorch's {@code clamp}.
     *
     * @param x the array
     * @param lo the lower bound
     * @param hi the upper bound
     * @return the clamped array
     */
    public static NDArray clamp(NDArray x, double lo, double hi) {
        NDArray below = x.lt(lo);
        NDArray above = x.gt(hi);
        NDArray inside = NDArrays.where(above, of(x, hi).broadcast(x.getShape()), x);
        return NDArrays.where(below, of(x, lo).broadcast(x.getShape()), inside);
    }
}
