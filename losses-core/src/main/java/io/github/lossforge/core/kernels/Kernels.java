package io.github.lossforge.core.kernels;

import ai.djl.Device;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.ServiceLoader;

/**
 * Chooses a fused kernel by the device of the inputs. Device-specific implementations (e.g. a CUDA
 * path) register through {@link ServiceLoader}; the portable path ({@link BlockedLinearCrossEntropy},
 * engine operations in blocks) runs wherever none claims the device, or everywhere when forced with
 * {@link #forcePortable(boolean)} or the system property {@value #PORTABLE_PROPERTY}{@code =true}.
 */
public final class Kernels {

    /** The system property that forces the portable path. */
    public static final String PORTABLE_PROPERTY = "lossforge.kernels.portable";

    private static volatile boolean forcePortable = Boolean.getBoolean(PORTABLE_PROPERTY);

    /** The registered device-specific kernels, loaded once. */
    private static volatile @Nullable List<LinearCrossEntropyKernel> registered;

    private Kernels() {}

    /**
     * Forces (or stops forcing) the portable path for every kernel family.
     *
     * @param portable true to ignore device-specific implementations
     */
    public static void forcePortable(boolean portable) {
        forcePortable = portable;
    }

    /**
     * Whether the portable path is forced.
     *
     * @return true when forced
     */
    public static boolean portableForced() {
        return forcePortable;
    }

    /**
     * The fused linear cross-entropy kernel for a device.
     *
     * @param device the device of the inputs
     * @return a registered kernel that supports the device, or the portable one
     */
    public static LinearCrossEntropyKernel linearCrossEntropy(Device device) {
        if (!forcePortable) {
            for (LinearCrossEntropyKernel k : registered()) {
                if (k.supports(device)) {
                    return k;
                }
            }
        }
        return BlockedLinearCrossEntropy.INSTANCE;
    }

    private static List<LinearCrossEntropyKernel> registered() {
        List<LinearCrossEntropyKernel> kernels = registered;
        if (kernels == null) {
            kernels = ServiceLoader.load(LinearCrossEntropyKernel.class).stream()
                    .map(ServiceLoader.Provider::get).toList();
            registered = kernels;
        }
        return kernels;
    }
}
