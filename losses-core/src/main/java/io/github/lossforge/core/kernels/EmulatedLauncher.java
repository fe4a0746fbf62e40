package io.github.lossforge.core.kernels;

import ai.djl.Device;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Launches the CPU emulation of a module's kernels (the same {@code .cu} file compiled by g++ through
 * {@code cuda_emu.h} into {@code lib<name>_emu.so}) on CPU arrays. The library exports a launch entry
 * with {@code cuLaunchKernel}'s argument layout, so the kernel glue passes exactly what it passes to the
 * driver. It is a test bed: blocks run one after another, every CUDA thread is a CPU thread.
 */
public final class EmulatedLauncher implements KernelLauncher {

    /** The emulation library's entry points (see {@code cuda_emu.h}). */
    public interface EmulatedModule extends Library {

        /**
         * Finds a kernel by name, as {@code cuModuleGetFunction}.
         *
         * @param function out
         * @param name the kernel's name
         * @return a CUresult
         */
        int lfEmuGetFunction(PointerByReference function, String name);

        /**
         * Runs a kernel, as {@code cuLaunchKernel} (synchronously).
         *
         * @param function the kernel
         * @param gridX grid x
         * @param gridY grid y
         * @param gridZ grid z
         * @param blockX block x
         * @param blockY block y
         * @param blockZ block z
         * @param sharedMemBytes ignored
         * @param stream ignored
         * @param kernelParams one pointer per parameter
         * @param extra ignored
         * @return a CUresult
         */
        int lfEmuLaunchKernel(Pointer function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                int sharedMemBytes, Pointer stream, Pointer[] kernelParams, Pointer extra);
    }

    private final Path directory;
    private final Map<String, EmulatedModule> modules = new HashMap<>();
    private final Map<String, Pointer> functions = new HashMap<>();

    /**
     * A launcher over the emulation libraries of a directory.
     *
     * @param directory where the {@code lib<name>_emu.so} files are
     */
    public EmulatedLauncher(Path directory) {
        this.directory = directory;
    }

    /** {@inheritDoc} */
    @Override
    public String name() {
        return "cuda-emulation";
    }

    /** {@inheritDoc} */
    @Override
    public String refusal(Device device, KernelModule module) {
        if (!Device.Type.CPU.equals(device.getDeviceType())) {
            return "the emulation runs on CPU arrays, got " + device;
        }
        Path library = directory.resolve(module.emulationLibrary());
        return Files.isRegularFile(library) ? null : "no emulation library " + library + " (needs g++ at build time)";
    }

    /** {@inheritDoc} */
    @Override
    public synchronized void launch(Device device, KernelModule module, String kernel, Dim3 grid, Dim3 block,
            KernelArgs args) {
        requireRunnable(device, module);
        EmulatedModule lib = modules.computeIfAbsent(module.name(),
                n -> Native.load(directory.resolve(module.emulationLibrary()).toString(), EmulatedModule.class));
        Pointer function = functions.get(module.name() + ":" + kernel);
        if (function == null) {
            PointerByReference f = new PointerByReference();
            int found = lib.lfEmuGetFunction(f, kernel);
            if (found != CudaDriver.SUCCESS) {
                throw new IllegalStateException("emulated module " + module.name() + " has no kernel " + kernel
                        + " (CUresult " + found + ")");
            }
            function = f.getValue();
            functions.put(module.name() + ":" + kernel, function);
        }
        int result = lib.lfEmuLaunchKernel(function, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), 0,
                null, args.pointers(), null);
        if (result != CudaDriver.SUCCESS) {
            throw new IllegalStateException("emulated launch of " + kernel + " failed: CUresult " + result);
        }
    }
}
