package io.github.lossforge.core.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.engine.PtEngineAdapter;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one kernel launch, in the kernel's parameter order, laid out as {@code cuLaunchKernel}
 * wants them: one pointer per parameter to memory holding its value. Arrays are passed as the address
 * of their data (from {@link PtEngineAdapter#dataAddress}, so they must be contiguous) and are kept
 * referenced until the launch returns.
 */
public final class KernelArgs {

    private final List<Memory> values = new ArrayList<>();
    private final List<NDArray> arrays = new ArrayList<>();

    /**
     * Adds an array parameter ({@code T*}), or a null pointer.
     *
     * @param array a contiguous array, or null
     * @return this
     */
    public KernelArgs array(NDArray array) {
        if (array != null) {
            arrays.add(array);
        }
        return address(array == null ? 0 : PtEngineAdapter.dataAddress(array));
    }

    /**
     * Adds a raw address parameter.
     *
     * @param address the address
     * @return this
     */
    public KernelArgs address(long address) {
        Memory m = new Memory(Long.BYTES);
        m.setLong(0, address);
        values.add(m);
        return this;
    }

    /**
     * Adds an {@code int} parameter.
     *
     * @param value the value
     * @return this
     */
    public KernelArgs int32(int value) {
        Memory m = new Memory(Integer.BYTES);
        m.setInt(0, value);
        values.add(m);
        return this;
    }

    /**
     * Adds a floating parameter of the kernel's element type: {@code float} for float32, {@code double}
     * for float64.
     *
     * @param type the element type
     * @param value the value
     * @return this
     * @throws IllegalArgumentException for another type
     */
    public KernelArgs scalar(DataType type, double value) {
        Memory m;
        if (type == DataType.FLOAT32) {
            m = new Memory(Float.BYTES);
            m.setFloat(0, (float) value);
        } else if (type == DataType.FLOAT64) {
            m = new Memory(Double.BYTES);
            m.setDouble(0, value);
        } else {
            throw new IllegalArgumentException("kernel scalars are float32 or float64, got " + type);
        }
        values.add(m);
        return this;
    }

    /**
     * The {@code kernelParams} array.
     *
     * @return one pointer per parameter
     */
    public Pointer[] pointers() {
        return values.toArray(new Pointer[0]);
    }

    /**
     * The number of parameters.
     *
     * @return the count
     */
    public int size() {
        return values.size();
    }
}
