package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * One input slot of a loss (an index of {@code labels} or {@code predictions}) with the checks the
 * MONAI-style shape contract needs. Every failed check throws an {@link IllegalArgumentException}
 * whose message names the loss id, the slot, what it got and what was expected.
 */
public final class Slot {

    private final String lossId;
    private final String name;
    private final NDArray array;

    Slot(String lossId, String side, int index, String role, NDArray array) {
        this.lossId = lossId;
        this.name = side + "[" + index + "] (" + role + ")";
        this.array = array;
    }

    /**
     * The array in this slot.
     *
     * @return the array as given
     */
    public NDArray array() {
        return array;
    }

    /**
     * The slot's shape.
     *
     * @return the shape
     */
    public Shape shape() {
        return array.getShape();
    }

    /**
     * The size of one axis.
     *
     * @param axis the axis (negative counts from the end)
     * @return its size
     */
    public long size(int axis) {
        Shape s = shape();
        return s.get(axis < 0 ? s.dimension() + axis : axis);
    }

    /**
     * The slot's description used in messages, e.g. {@code predictions[0] (logits)}.
     *
     * @return the description
     */
    public String describe() {
        return name;
    }

    /**
     * Requires one of the given ranks.
     *
     * @param layout the expected layout in words, e.g. {@code (N, C)}
     * @param ranks the accepted ranks
     * @return this slot
     */
    public Slot requireRank(String layout, int... ranks) {
        int got = shape().dimension();
        for (int r : ranks) {
            if (r == got) {
                return this;
            }
        }
        throw fail("has shape " + shape() + " (rank " + got + "), expected " + layout);
    }

    /**
     * Requires an exact shape.
     *
     * @param expected the shape
     * @param layout the layout in words, used in the message
     * @return this slot
     */
    public Slot requireShape(Shape expected, String layout) {
        if (!shape().equals(expected)) {
            throw fail("has shape " + shape() + ", expected " + expected + " " + layout);
        }
        return this;
    }

    /**
     * Requires that the leading axis equals the batch size of another slot.
     *
     * @param other the slot that defines the batch size
     * @return this slot
     */
    public Slot requireSameBatch(Slot other) {
        if (shape().dimension() == 0 || shape().get(0) != other.shape().get(0)) {
            throw fail(
                    "has shape "
                            + shape()
                            + ", expected a leading batch axis of "
                            + other.shape().get(0)
                            + " to match "
                            + other.describe()
                            + " "
                            + other.shape());
        }
        return this;
    }

    /**
     * Requires a non-empty leading (batch) axis.
     *
     * @return this slot
     */
    public Slot requireNonEmpty() {
        if (shape().dimension() > 0 && shape().get(0) == 0 || shape().size() == 0) {
            throw fail("has shape " + shape() + ": the batch is empty, expected at least one sample");
        }
        return this;
    }

    /**
     * Rejects a bfloat16 array (DJL's PyTorch JNI aborts the JVM on one), whatever the slot holds:
     * the dtype policy applies to label slots as much as to predictions.
     *
     * @return this slot
     * @throws IllegalArgumentException naming the loss and the slot
     */
    public Slot requireNotBfloat16() {
        if (array.getDataType() == DataType.BFLOAT16) {
            throw fail(
                    "is bfloat16, which the PyTorch engine's JNI cannot handle safely; convert it to"
                            + " float32 (or float16) first");
        }
        return this;
    }

    /**
     * Requires a floating dtype accepted by the {@link DtypePolicy}.
     *
     * @return this slot
     */
    public Slot requireFloating() {
        requireNotBfloat16();
        DataType t = array.getDataType();
        if (!DtypePolicy.isAcceptedFloat(t)) {
            throw fail("has dtype " + t + ", expected float16, float32 or float64");
        }
        return this;
    }

    /**
     * Requires integer class indices (int64; int32 and other integer types accepted).
     *
     * @return this slot
     */
    public Slot requireIntegers() {
        if (!DtypePolicy.isInteger(array.getDataType())) {
            throw fail("has dtype " + array.getDataType() + ", expected integer class indices (int64)");
        }
        return this;
    }

    /**
     * Requires every value to lie in {@code [0, numClasses)}.
     *
     * @param numClasses the number of classes
     * @return this slot
     */
    public Slot requireClassIndices(long numClasses) {
        requireIntegers();
        if (shape().size() == 0) {
            return this;
        }
        long min = array.min().toType(DataType.INT64, false).getLong();
        long max = array.max().toType(DataType.INT64, false).getLong();
        if (min < 0 || max >= numClasses) {
            throw fail(
                    "holds class index "
                            + (min < 0 ? min : max)
                            + ", expected indices in [0, "
                            + numClasses
                            + ")");
        }
        return this;
    }

    /**
     * Requires every value to be finite (no NaN, no infinity).
     *
     * @return this slot
     */
    public Slot requireFinite() {
        if (shape().size() == 0) {
            return this;
        }
        // two reductions, no input-sized temporaries (isinf alone would allocate |x| and a mask):
        // max and min propagate NaN, and an infinity is the max or the min
        double max;
        double min;
        try (NDArray hi = array.max(); NDArray hi64 = hi.toType(DataType.FLOAT64, false);
                NDArray lo = array.min(); NDArray lo64 = lo.toType(DataType.FLOAT64, false)) {
            max = hi64.getDouble();
            min = lo64.getDouble();
        }
        boolean nan = Double.isNaN(max) || Double.isNaN(min);
        boolean infinite = Double.isInfinite(max) || Double.isInfinite(min);
        if (nan) {
            throw fail("contains NaN, expected finite values");
        }
        if (infinite) {
            throw fail("contains an infinite value, expected finite values");
        }
        return this;
    }

    /**
     * Builds the exception this slot throws for a violated expectation.
     *
     * @param what what is wrong, continuing the sentence "slot ..."
     * @return the exception, for the caller to throw
     */
    public IllegalArgumentException fail(String what) {
        return new IllegalArgumentException(lossId + ": " + name + " " + what);
    }
}
