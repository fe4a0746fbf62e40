package io.github.lossforge.diffusion.kernel;

import ai.djl.Device;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Chooses the fused {@link AttentionKernel} for the inputs' device: a kernel registered through
 * {@link ServiceLoader} that supports the device (e.g. a CUDA kernel), else the built-in {@link
 * CpuAttentionKernel} on the CPU, else none (the losses then run their plain autograd composition).
 * Setting the system property {@value #PROPERTY} to {@code portable} forces the composition
 * everywhere.
 */
public final class AttentionKernels {

    /** The system property that forces the portable composition when set to {@code portable}. */
    public static final String PROPERTY = "lossforge.kernels";

    private static final List<AttentionKernel> REGISTERED = load();
    private static final AttentionKernel CPU = new CpuAttentionKernel();

    private AttentionKernels() {}

    private static List<AttentionKernel> load() {
        List<AttentionKernel> kernels = new ArrayList<>();
        ServiceLoader.load(AttentionKernel.class).forEach(kernels::add);
        return List.copyOf(kernels);
    }

    /**
     * The fused kernel for a device.
     *
     * @param device the inputs' device
     * @return the kernel, or empty when the portable composition must run
     */
    public static Optional<AttentionKernel> forDevice(Device device) {
        if ("portable".equals(System.getProperty(PROPERTY, "").toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        for (AttentionKernel k : REGISTERED) {
            if (k.supports(device)) {
                return Optional.of(k);
            }
        }
        return CPU.supports(device) ? Optional.of(CPU) : Optional.empty();
    }
}
