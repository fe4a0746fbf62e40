package io.github.lossforge.core.kernels;

import ai.djl.Device;

/**
 * Launches the kernels of a {@link KernelModule} on the arrays of a device: {@link CudaLauncher} through
 * the CUDA driver API on a GPU, {@link EmulatedLauncher} through the same kernels compiled for the CPU.
 * Kernel glue (e.g. {@link CudaLinearCrossEntropy}) is written once against this interface, so the
 * emulation tests run exactly the code that drives the GPU.
 */
public interface KernelLauncher {

    /**
     * A short name for messages.
     *
     * @return the name
     */
    String name();

    /**
     * Whether the module's kernels can run on the device, loading the module when needed. The answer is
     * cached per device and module.
     *
     * @param device the device of the arrays
     * @param module the module
     * @return null when they can, else one line saying why not
     */
    String refusal(Device device, KernelModule module);

    /**
     * Throws the {@link #refusal} when there is one.
     *
     * @param device the device of the arrays
     * @param module the module
     * @throws IllegalStateException when the module's kernels cannot run on the device
     */
    default void requireRunnable(Device device, KernelModule module) {
        String refused = refusal(device, module);
        if (refused != null) {
            throw new IllegalStateException(refused);
        }
    }

    /**
     * Launches one kernel. On a GPU the launch is asynchronous and ordered on the device's default
     * stream with the engine's own work.
     *
     * @param device the device of the arrays
     * @param module the module holding the kernel
     * @param kernel the kernel's {@code extern "C"} name
     * @param grid the grid
     * @param block the block (at most 1024 threads)
     * @param args the kernel's parameters in order
     * @throws IllegalStateException when the launch fails, with the driver's message
     */
    void launch(Device device, KernelModule module, String kernel, Dim3 grid, Dim3 block, KernelArgs args);
}
