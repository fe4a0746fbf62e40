package io.github.lossforge.core.kernels;

import ai.djl.Device;

/**
 * What every fused kernel family has in common for {@link Kernels}: a name and the devices it runs
 * on. A family (e.g. {@link LinearCrossEntropyKernel}, or a module's attention kernels) is an interface
 * extending this one; its implementations register through {@link java.util.ServiceLoader}.
 */
public interface DeviceKernel {

    /**
     * A short name for reports and messages.
     *
     * @return the name
     */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Whether the kernel runs on arrays of this device.
     *
     * @param device the device of the inputs
     * @return true when it does
     */
    boolean supports(Device device);

    /**
     * Why the kernel does not run on a device, for the registry's log line.
     *
     * @param device the device of the inputs
     * @return the reason, or null when {@link #supports} is true
     */
    default String refusal(Device device) {
        return supports(device) ? null : name() + " does not run on " + device;
    }
}
