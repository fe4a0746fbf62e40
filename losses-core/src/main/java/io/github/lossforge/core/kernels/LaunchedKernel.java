package io.github.lossforge.core.kernels;

import ai.djl.Device;

/**
 * A kernel family implementation whose kernels live in one {@link KernelModule} and run through a {@link
 * KernelLauncher}: it serves exactly the devices where the launcher can run the module (CUDA arrays for
 * {@link CudaLauncher} once libcuda, the device and the module load; CPU arrays for {@link EmulatedLauncher}),
 * and its refusal is the launcher's.
 */
public abstract class LaunchedKernel implements DeviceKernel {

    private final KernelLauncher launcher;
    private final KernelModule module;
    private final String family;

    /**
     * A kernel over a launcher.
     *
     * @param family the family's short name, the prefix of {@link #name()} (e.g. {@code cce})
     * @param launcher runs the kernels
     * @param module the module holding them
     */
    protected LaunchedKernel(String family, KernelLauncher launcher, KernelModule module) {
        this.family = family;
        this.launcher = launcher;
        this.module = module;
    }

    /**
     * The launcher.
     *
     * @return the launcher
     */
    protected KernelLauncher launcher() {
        return launcher;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code <family>-<launcher>}, e.g. {@code cce-cuda-driver}
     */
    @Override
    public String name() {
        return family + "-" + launcher.name();
    }

    /** {@inheritDoc} */
    @Override
    public boolean supports(Device device) {
        return launcher.refusal(device, module) == null;
    }

    /** {@inheritDoc} */
    @Override
    public String refusal(Device device) {
        String why = launcher.refusal(device, module);
        return why == null ? null : name() + ": " + why;
    }
}
