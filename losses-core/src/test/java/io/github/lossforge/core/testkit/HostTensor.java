package io.github.lossforge.core.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * A tensor held on the host in double precision, the form in which tests write their independent
 * references. Integer tensors (class indices, ids, masks) keep their integer dtype when moved to
 * the engine; floating tensors take the dtype the test asks for.
 */
public final class HostTensor {

    private final double[] data;
    private final long[] shape;
    private final DataType type;

    private HostTensor(double[] data, long[] shape, DataType type) {
        long size = 1;
        for (long s : shape) {
            size *= s;
        }
        if (size != data.length) {
            throw new IllegalArgumentException(
                    "data has " + data.length + " values, shape " + Arrays.toString(shape) + " needs " + size);
        }
        this.data = data;
        this.shape = shape;
        this.type = type;
    }

    /**
     * A floating tensor.
     *
     * @param data the values, row-major
     * @param shape the shape
     * @return the tensor
     */
    public static HostTensor floats(double[] data, long... shape) {
        return new HostTensor(data, shape, DataType.FLOAT64);
    }

    /**
     * An int64 tensor.
     *
     * @param data the values, row-major
     * @param shape the shape
     * @return the tensor
     */
    public static HostTensor longs(long[] data, long... shape) {
        return new HostTensor(Arrays.stream(data).asDoubleStream().toArray(), shape, DataType.INT64);
    }

    /**
     * A tensor with the same shape and dtype and other values.
     *
     * @param newData the values
     * @return the tensor
     */
    public HostTensor withData(double[] newData) {
        return new HostTensor(newData, shape, type);
    }

    /**
     * A tensor of the same values in another dtype (e.g. int32 targets).
     *
     * @param newType the dtype
     * @return the tensor
     */
    public HostTensor withType(DataType newType) {
        return new HostTensor(data, shape, newType);
    }

    /**
     * A tensor of the same values reshaped.
     *
     * @param newShape the shape
     * @return the tensor
     */
    public HostTensor reshape(long... newShape) {
        return new HostTensor(data, newShape, type);
    }

    /**
     * The first {@code n} entries along axis 0.
     *
     * @param n how many
     * @return the slice
     */
    public HostTensor firstRows(long n) {
        long row = shape.length == 0 ? 1 : data.length / Math.max(1, shape[0]);
        long[] s = shape.clone();
        s[0] = n;
        return new HostTensor(Arrays.copyOf(data, (int) (row * n)), s, type);
    }

    /**
     * The values, row-major (a copy).
     *
     * @return the values
     */
    public double[] data() {
        return data.clone();
    }

    /**
     * One value.
     *
     * @param i the flat index
     * @return the value
     */
    public double at(int i) {
        return data[i];
    }

    /**
     * The class index at a flat position.
     *
     * @param i the flat index
     * @return the value as an int
     */
    public int index(int i) {
        return (int) data[i];
    }

    /**
     * The shape.
     *
     * @return a copy of the shape
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The size of one axis.
     *
     * @param axis the axis
     * @return its size
     */
    public int dim(int axis) {
        return (int) shape[axis];
    }

    /**
     * The number of values.
     *
     * @return the size
     */
    public int size() {
        return data.length;
    }

    /**
     * Whether the tensor is floating (and so may take a gradient).
     *
     * @return true for floating tensors
     */
    public boolean isFloating() {
        return type.isFloating();
    }

    /**
     * The dtype on the engine (float tensors take {@code floatType} instead).
     *
     * @return the dtype
     */
    public DataType type() {
        return type;
    }

    /**
     * Moves the tensor to the engine.
     *
     * @param manager the manager
     * @param floatType the dtype for floating tensors
     * @return the array
     */
    public NDArray toNDArray(NDManager manager, DataType floatType) {
        Shape s = new Shape(shape);
        if (type.isFloating()) {
            NDArray a = manager.create(data, s);
            return floatType == DataType.FLOAT64 ? a : a.toType(floatType, false);
        }
        long[] values = Arrays.stream(data).mapToLong(d -> (long) d).toArray();
        NDArray a = manager.create(values, s);
        return type == DataType.INT64 ? a : a.toType(type, false);
    }
}
