package io.github.lossforge.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Slot;

/**
 * Shape checks and conversions shared by the dense-prediction losses of this module: maps laid out
 * as (N, C, spatial...), label maps of the same or of the class-less shape, and 0/1 masks.
 */
public final class DenseSlots {

    private DenseSlots() {}

    /**
     * Requires a rank of at least {@code minRank}.
     *
     * @param slot the slot
     * @param layout the layout in words, e.g. {@code (N, C, ...)}
     * @param minRank the smallest accepted rank
     * @return the slot
     */
    public static Slot requireMinRank(Slot slot, String layout, int minRank) {
        int rank = slot.shape().dimension();
        if (rank < minRank) {
            throw slot.fail("has shape " + slot.shape() + " (rank " + rank + "), expected " + layout);
        }
        return slot;
    }

    /**
     * Requires exactly the shape of another slot.
     *
     * @param slot the slot checked
     * @param other the slot that defines the shape
     * @return the slot
     */
    public static Slot requireShapeOf(Slot slot, Slot other) {
        if (!slot.shape().equals(other.shape())) {
            throw slot.fail("has shape " + slot.shape() + ", expected " + other.shape() + " to match "
                    + other.describe());
        }
        return slot;
    }

    /**
     * The shape without its class axis (axis 1): (N, C, S...) gives (N, S...).
     *
     * @param shape a shape of rank ≥ 2
     * @return the shape with axis 1 removed
     */
    public static Shape withoutClassAxis(Shape shape) {
        long[] dims = new long[shape.dimension() - 1];
        dims[0] = shape.get(0);
        for (int i = 2; i < shape.dimension(); i++) {
            dims[i - 1] = shape.get(i);
        }
        return new Shape(dims);
    }

    /**
     * Reads a 0/1 mask (any numeric or boolean dtype) as a floating array.
     *
     * @param mask the mask slot, already shape-checked
     * @param type the compute dtype
     * @return the mask in {@code type}, 1 where an element is kept
     * @throws IllegalArgumentException when a value is neither 0 nor 1
     */
    public static NDArray mask(Slot mask, DataType type) {
        return zeroOne(mask, type, "a 0/1 mask");
    }

    /**
     * Reads a 0/1 label map (any numeric or boolean dtype) as a floating array.
     *
     * @param slot the slot, already shape-checked
     * @param type the dtype to return
     * @param what what the slot should hold, for the message, e.g. {@code a 0/1 mask}
     * @return the values in {@code type}, without gradient
     * @throws IllegalArgumentException when a value is neither 0 nor 1
     */
    public static NDArray zeroOne(Slot slot, DataType type, String what) {
        NDArray raw = slot.array();
        if (raw.getDataType() == DataType.BFLOAT16) {
            throw slot.fail("is bfloat16, expected " + what + " of a numeric or boolean dtype");
        }
        NDArray m = raw.getDataType() == type ? raw : raw.toType(type, false);
        if (raw.getDataType() != DataType.BOOLEAN) {
            slot.requireBinary(what);
        }
        return m.stopGradient();
    }

    /**
     * Requires every value to lie in {@code [0, 1]}.
     *
     * @param slot a floating slot
     * @param what what the values are, e.g. {@code probabilities}
     * @return the slot
     */
    public static Slot requireUnitInterval(Slot slot, String what) {
        return slot.requireWithin(0, 1, what);
    }

    /**
     * Moves the class axis last and flattens the rest: (N, C, S...) becomes (T, C) with T = N·ΠS,
     * token t = n·ΠS + s (row-major over (N, S...)); (N, C) is returned as it is.
     *
     * @param x maps (N, C, S...) or tokens (N, C)
     * @return (T, C)
     */
    public static NDArray tokensByClass(NDArray x) {
        int rank = x.getShape().dimension();
        long classes = x.getShape().get(1);
        if (rank == 2) {
            return x;
        }
        int[] axes = new int[rank];
        for (int i = 1; i < rank - 1; i++) {
            axes[i] = i + 1;
        }
        axes[rank - 1] = 1;
        return x.transpose(axes).reshape(-1, classes);
    }
}
