package io.github.lossforge.core.kernels;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;

import java.nio.file.Path;

/** The emulated launcher over the libraries the build wrote (the tests skip, saying why, without them). */
public final class EmulatedKernels {

    private EmulatedKernels() {}

    /**
     * The launcher, or a skipped test when the module's emulation library was not built.
     *
     * @param module the module the test needs
     * @return the launcher
     */
    public static EmulatedLauncher launcher(KernelModule module) {
        Path dir = Path.of(System.getProperty("lossforge.emulation.dir", "target/native"));
        EmulatedLauncher launcher = new EmulatedLauncher(dir);
        String refusal = launcher.refusal(Device.cpu(), module);
        assumeTrue(refusal == null, () -> "CUDA emulation tests skipped: " + refusal);
        return launcher;
    }
}
