package io.github.lossforge.core.lm;

import ai.djl.Device;
import io.github.lossforge.core.kernels.LinearCrossEntropyKernel;
import io.github.lossforge.core.kernels.LinearCrossEntropyProblem;
import io.github.lossforge.core.kernels.LinearCrossEntropyResult;

/**
 * A device-specific kernel registered through {@link java.util.ServiceLoader} (test resources) for a
 * device type no engine has: it shows that a kernel such as the CUDA path plugs in without touching
 * the loss, and that the portable path still serves every other device.
 */
public final class FakeDeviceKernel implements LinearCrossEntropyKernel {

    /** The device type this kernel claims. */
    public static final String DEVICE_TYPE = "lossforge-test";

    @Override
    public String name() {
        return "fake-device";
    }

    @Override
    public boolean supports(Device device) {
        return DEVICE_TYPE.equals(device.getDeviceType());
    }

    @Override
    public LinearCrossEntropyResult run(LinearCrossEntropyProblem problem) {
        throw new UnsupportedOperationException("the fake device kernel only takes part in kernel selection");
    }
}
