package io.github.lossforge.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.engine.PtEngineAdapter;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

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
 *
 * <p>Speed: a constant is made once per (device, dtype, value) and kept in memory libtorch owns, in a
 * manager of this class per device; {@link #of} hands out a fresh handle to it (one native call, a
 * detached alias of the cached tensor) that belongs to {@code like}'s manager and dies with it, as any
 * other array. The alias shares the cached storage, which libtorch reference-counts, so an autograd
 * graph that keeps it stays valid whatever happens to the handle or the cache. Values beyond {@value
 * #CACHE_LIMIT} distinct constants are made afresh (still libtorch-owned).
 */
public final class Scalar {

    private static final int CACHE_LIMIT = 4096;
    private static final Map<Key, NDArray> CONSTANTS = new ConcurrentHashMap<>();
    private static final Map<Device, NDManager> MANAGERS = new ConcurrentHashMap<>();
    private static final Map<ArrayKey, NDArray> ARRAYS = new ConcurrentHashMap<>();

    private Scalar() {}

    /**
     * A 0-dimensional constant in memory libtorch owns, of the dtype and on the device of {@code like}.
     *
     * @param like the array whose dtype, device and manager the constant takes
     * @param value the value
     * @return the constant
     */
    public static NDArray of(NDArray like, double value) {
        DataType type = like.getDataType().isFloating() ? like.getDataType() : DataType.FLOAT64;
        return handOut(CONSTANTS, new Key(like.getDevice(), type, value), like, type, m -> m.create(value));
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
        NDArray made = owned(like.getManager(), like.getManager().create(values, shape), like.getDataType());
        return made.toDevice(like.getDevice(), false);
    }

    /**
     * A constant array cached per (device, dtype, name, shape) in memory libtorch owns, as {@link #of}
     * caches scalars: made once from {@code values} (called only then), handed out as a fresh detached
     * alias that belongs to {@code like}'s manager. For fixed operators a loss would otherwise rebuild
     * on every call (filter windows, band matrices). Beyond {@value #CACHE_LIMIT} cached arrays, made
     * afresh as {@link #array} does.
     *
     * @param like the array whose dtype (floating; else float64), device and manager the constant takes
     * @param name what the values are, with every parameter they depend on besides the shape
     * @param shape the shape
     * @param values makes the values, row-major
     * @return the constant
     */
    public static NDArray cached(NDArray like, String name, Shape shape, Supplier<double[]> values) {
        DataType type = like.getDataType().isFloating() ? like.getDataType() : DataType.FLOAT64;
        return handOut(ARRAYS, new ArrayKey(like.getDevice(), type, name, shape), like, type,
                m -> m.create(values.get(), shape));
    }

    /**
     * A fresh detached alias, in {@code like}'s manager, of the constant cached under {@code key}
     * (made and cached first if need be; made afresh, uncached, past the cache's limit).
     */
    private static <K> NDArray handOut(Map<K, NDArray> cache, K key, NDArray like, DataType type,
            Function<NDManager, NDArray> javaBacked) {
        NDArray cached = cache.get(key);
        if (cached == null || cached.isReleased()) {
            cached = store(cache, key, like.getDevice(), type, javaBacked);
            if (cached == null) {
                NDArray fresh = owned(like.getManager(), javaBacked.apply(like.getManager()), type);
                return fresh.toDevice(like.getDevice(), false);
            }
        }
        NDArray alias = cached.stopGradient();
        alias.attach(like.getManager());
        return alias;
    }

    private static synchronized <K> NDArray store(Map<K, NDArray> cache, K key, Device device, DataType type,
            Function<NDManager, NDArray> javaBacked) {
        NDArray cached = cache.get(key);
        if (cached != null && !cached.isReleased()) {
            return cached;
        }
        if (cache.size() >= CACHE_LIMIT) {
            return null;
        }
        NDManager manager = MANAGERS.computeIfAbsent(device, NDManager::newBaseManager);
        NDArray made = owned(manager, javaBacked.apply(manager), type);
        // made inside a loss's NDScope, it must not die with the scope
        NDScope.unregister(made);
        cache.put(key, made);
        return made;
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
        NDArray hiConstant = of(x, hi);
        NDArray loConstant = of(x, lo);
        if (PtEngineAdapter.isPyTorch(x) && x.getDataType().isFloating()) {
            // torch.clamp with the cached constants as tensor bounds: one kernel, the same gradient
            return PtEngineAdapter.clamp(x, loConstant, hiConstant);
        }
        // elsewhere two selections against the constants (a Number argument would make a Java-backed
        // scalar per call); "not above" rather than "at most" keeps NaN as NaN, as torch.clamp does
        NDArray belowHi = NDArrays.where(x.gt(hiConstant).logicalNot(), x, hiConstant);
        return NDArrays.where(belowHi.lt(loConstant).logicalNot(), belowHi, loConstant);
    }

    /** A cached array's identity. */
    private record ArrayKey(Device device, DataType type, String name, Shape shape) {}

    /** A cached constant's identity: the value's bits, its dtype and device. */
    private static final class Key {
        private final Device device;
        private final DataType type;
        private final long bits;

        Key(Device device, DataType type, double value) {
            this.device = device;
            this.type = type;
            this.bits = Double.doubleToLongBits(value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).bits == bits && ((Key) o).type == type
                    && ((Key) o).device.equals(device);
        }

        @Override
        public int hashCode() {
            return Objects.hash(device, type, bits);
        }
    }
}
