package io.github.lossforge.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

import com.sun.jna.Native;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.Buffer;

/**
 * The one place in LossForge that touches internals of DJL's PyTorch engine (anything outside DJL's
 * public API). Everything else goes through this adapter, so a DJL upgrade that moves an internal
 * breaks one class.
 *
 * <p>Today it answers whether autograd is recording (DJL's public API opens a recording scope,
 * {@code GradientCollector}, but has no query for it, and fused kernels skip their gradient pass when
 * nothing is recorded), and runs a backward pass that records the gradient's own graph, for
 * second-order gradients (DJL's {@code GradientCollector.backward} always frees the graph), and gives
 * hand-written kernels the address of a tensor's data ({@link #dataAddress}), on the CPU or the GPU,
 * and clamps against array bounds in one kernel ({@link #clamp}, for {@code Scalar.clamp}).
 */
public final class PtEngineAdapter {

    /** The engine name DJL's PyTorch engine reports. */
    public static final String PYTORCH = "PyTorch";

    private PtEngineAdapter() {}

    /**
     * Whether operations on the array's engine are being recorded for autograd now.
     *
     * @param array any array of the engine in question
     * @return libtorch's grad mode on the PyTorch engine (DJL turns it on inside a {@code
     *     GradientCollector} only); {@code true} on other engines, where the answer is unknown and
     *     computing the gradient is the safe choice
     */
    public static boolean isGradientRecording(NDArray array) {
        if (!PYTORCH.equals(array.getManager().getEngine().getEngineName())) {
            return true;
        }
        return JniUtils.isGradMode();
    }

    /**
     * Backpropagates a scalar keeping its graph and recording the gradients' own graph ({@code
     * retain_graph} and {@code create_graph}), so gradients read afterwards can be differentiated
     * again. Call it inside a {@code GradientCollector}.
     *
     * @param scalar the value to differentiate, on the PyTorch engine
     * @throws IllegalArgumentException on another engine
     */
    public static void backwardWithGraph(NDArray scalar) {
        if (!(scalar instanceof PtNDArray)) {
            throw new IllegalArgumentException("second-order gradients need the PyTorch engine, got "
                    + scalar.getManager().getEngine().getEngineName());
        }
        JniUtils.backward((PtNDArray) scalar, (PtNDArray) scalar.onesLike(), true, true);
    }

    /**
     * The array itself when its elements are laid out densely in row-major order, else a contiguous copy
     * (a new array of the same manager, detached), so a kernel can index it as a plain row-major block.
     *
     * @param array an array of the PyTorch engine
     * @return a contiguous array with the same values
     * @throws IllegalArgumentException on another engine
     */
    public static NDArray contiguous(NDArray array) {
        PtNDArray pt = pytorch(array, "a contiguous layout");
        long handle = (Long) pt.getHandle();
        if ((Boolean) Libtorch.call(Libtorch.IS_CONTIGUOUS, handle)) {
            return array;
        }
        long copy = (Long) Libtorch.call(Libtorch.TO_CONTIGUOUS, handle);
        return new PtNDArray((PtNDManager) pt.getManager(), copy);
    }

    /**
     * The address of a contiguous array's first element: a host address for a CPU array, a device
     * address (never to be read from Java) for a CUDA array. DJL's public API has no such query; its
     * package-private {@code PyTorchLibrary.torchDirectByteBuffer} wraps libtorch's {@code data_ptr()}
     * in a direct buffer without copying, and the buffer's address is the data's. The array must stay
     * open while a kernel uses the address.
     *
     * @param array a contiguous array of the PyTorch engine (see {@link #contiguous})
     * @return the address of its data
     * @throws IllegalArgumentException on another engine or for a non-contiguous array
     */
    public static long dataAddress(NDArray array) {
        PtNDArray pt = pytorch(array, "a data address");
        long handle = (Long) pt.getHandle();
        if (!(Boolean) Libtorch.call(Libtorch.IS_CONTIGUOUS, handle)) {
            throw new IllegalArgumentException("a kernel needs contiguous arrays, got a strided view of shape "
                    + array.getShape() + " (use PtEngineAdapter.contiguous)");
        }
        if (array.getShape().size() == 0) {
            return 0;
        }
        // a direct buffer holds at most 2^31 − 1 bytes: past that, ask for the first element's view
        // (a view shares the data, and its data_ptr() is the array's)
        if (array.getShape().size() * array.getDataType().getNumOfBytes() > Integer.MAX_VALUE) {
            try (NDArray first = array.reshape(-1).get("0:1")) {
                return dataAddress(first);
            }
        }
        Buffer buffer = (Buffer) Libtorch.call(Libtorch.DIRECT_BUFFER, handle);
        return com.sun.jna.Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }

    /**
     * {@code torch.clamp(x, lo, hi)} with tensor bounds, one native call: the value of {@code x} clamped
     * to [lo, hi], NaN kept; under autograd the gradient is 1 where lo ≤ x ≤ hi (bounds included) and
     * 0 elsewhere. DJL's {@code clip(Number, Number)} calls the same kernel but with Java-backed bounds
     * (see {@code Scalar}); this takes bounds the caller made in memory libtorch owns.
     *
     * @param x an array of the PyTorch engine
     * @param lo the lower bound, broadcastable (a 0-d constant)
     * @param hi the upper bound, broadcastable (a 0-d constant)
     * @return a new array of {@code x}'s manager
     * @throws IllegalArgumentException on another engine
     */
    public static NDArray clamp(NDArray x, NDArray lo, NDArray hi) {
        PtNDArray pt = pytorch(x, "clamp with array bounds");
        long handle = (Long) Libtorch.call(Libtorch.CLAMP, (Long) pt.getHandle(),
                (Long) pytorch(lo, "clamp with array bounds").getHandle(),
                (Long) pytorch(hi, "clamp with array bounds").getHandle());
        return new PtNDArray((PtNDManager) pt.getManager(), handle);
    }

    /**
     * Whether an array belongs to the PyTorch engine (so that {@link #clamp} takes it).
     *
     * @param array the array
     * @return whether it is a PyTorch array
     */
    public static boolean isPyTorch(NDArray array) {
        return array instanceof PtNDArray;
    }

    private static PtNDArray pytorch(NDArray array, String what) {
        if (!(array instanceof PtNDArray)) {
            throw new IllegalArgumentException(what + " needs the PyTorch engine, got "
                    + array.getManager().getEngine().getEngineName());
        }
        return (PtNDArray) array;
    }

    /** Reflective access to {@code ai.djl.pytorch.jni.PyTorchLibrary.LIB}, resolved once. */
    private static final class Libtorch {
        static final Object LIB;
        static final Method IS_CONTIGUOUS;
        static final Method TO_CONTIGUOUS;
        static final Method DIRECT_BUFFER;
        static final Method CLAMP;

        static {
            try {
                Class<?> library = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
                Field lib = library.getDeclaredField("LIB");
                lib.setAccessible(true);
                LIB = lib.get(null);
                IS_CONTIGUOUS = accessible(library.getDeclaredMethod("torchIsContiguous", long.class));
                TO_CONTIGUOUS = accessible(library.getDeclaredMethod("torchToContiguous", long.class));
                DIRECT_BUFFER = accessible(library.getDeclaredMethod("torchDirectByteBuffer", long.class));
                CLAMP = accessible(library.getDeclaredMethod("torchClamp", long.class, long.class, long.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("this DJL version's PyTorch bindings lack what kernels need "
                        + "(PyTorchLibrary.LIB.torchDirectByteBuffer / torchIsContiguous / torchToContiguous / torchClamp)", e);
            }
        }

        private static Method accessible(Method m) {
            m.setAccessible(true);
            return m;
        }

        static Object call(Method m, Object... args) {
            try {
                return m.invoke(LIB, args);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("PyTorchLibrary." + m.getName() + " failed", e);
            }
        }
    }
}
