package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The library's dtype policy for floating inputs: float32 and float64 are computed as they are,
 * float16 is computed in float32, bfloat16 is rejected (DJL's PyTorch JNI aborts the JVM on it).
 *
 * <p>On the PyTorch engine {@code NDArray.toType} detaches from autograd, so float16 is widened
 * through type promotion instead: adding a float32 zero of the same rank keeps the graph. A zero of
 * rank 0 would not promote (PyTorch's dimensionless operands do not promote within a category).
 */
public final class DtypePolicy {

    private DtypePolicy() {}

    /**
     * Whether the dtype is one the policy computes in (float16, float32, float64).
     *
     * @param type the dtype
     * @return true for float16, float32 and float64
     */
    public static boolean isAcceptedFloat(DataType type) {
        return type == DataType.FLOAT16 || type == DataType.FLOAT32 || type == DataType.FLOAT64;
    }

    /**
     * Whether the dtype holds integers.
     *
     * @param type the dtype
     * @return true for the signed and unsigned integer types
     */
    public static boolean isInteger(DataType type) {
        return type == DataType.INT8
                || type == DataType.UINT8
                || type == DataType.INT16
                || type == DataType.UINT16
                || type == DataType.INT32
                || type == DataType.UINT32
                || type == DataType.INT64
                || type == DataType.UINT64;
    }

    /**
     * The dtype a floating input is computed in.
     *
     * @param type the input dtype (float16, float32 or float64)
     * @return float32 for float16, the type itself otherwise
     */
    public static DataType computeType(DataType type) {
        return type == DataType.FLOAT16 ? DataType.FLOAT32 : type;
    }

    /**
     * Returns the array in its compute dtype, keeping the autograd graph: float16 is widened to
     * float32 by promotion, every other accepted dtype is returned as it is.
     *
     * @param array a float16, float32 or float64 array
     * @return the array itself, or a float32 array that shares its graph
     */
    public static NDArray widen(NDArray array) {
        if (array.getDataType() != DataType.FLOAT16) {
            return array;
        }
        long[] ones = new long[array.getShape().dimension()];
        java.util.Arrays.fill(ones, 1L);
        return array.add(array.getManager().zeros(new Shape(ones), DataType.FLOAT32, array.getDevice()));
    }

    /**
     * Converts a label-side array (which never needs a gradient) to the given floating dtype.
     *
     * @param array the label array
     * @param type the compute dtype of the predictions
     * @return the array in {@code type}
     */
    public static NDArray asLabel(NDArray array, DataType type) {
        return array.getDataType() == type ? array : array.toType(type, false);
    }
}
