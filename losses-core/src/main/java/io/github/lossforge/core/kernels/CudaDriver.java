package io.github.lossforge.core.kernels;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The few CUDA driver API functions {@link CudaLauncher} calls, bound by JNA to {@code libcuda}. Every
 * function returns a {@code CUresult} (0 = success). Public only because JNA binds public interfaces.
 */
public interface CudaDriver extends Library {

    /** {@code CUDA_SUCCESS}. */
    int SUCCESS = 0;

    /**
     * {@code cuInit}.
     *
     * @param flags 0
     * @return the result
     */
    int cuInit(int flags);

    /**
     * {@code cuDriverGetVersion}: 1000 × major + 10 × minor.
     *
     * @param version out
     * @return the result
     */
    int cuDriverGetVersion(IntByReference version);

    /**
     * {@code cuDeviceGetCount}.
     *
     * @param count out
     * @return the result
     */
    int cuDeviceGetCount(IntByReference count);

    /**
     * {@code cuDeviceGet}.
     *
     * @param device out: the device handle
     * @param ordinal the device number
     * @return the result
     */
    int cuDeviceGet(IntByReference device, int ordinal);

    /**
     * {@code cuDevicePrimaryCtxRetain}: the context libtorch's runtime API uses too.
     *
     * @param context out
     * @param device the device handle
     * @return the result
     */
    int cuDevicePrimaryCtxRetain(PointerByReference context, int device);

    /**
     * {@code cuCtxSetCurrent}.
     *
     * @param context the context
     * @return the result
     */
    int cuCtxSetCurrent(Pointer context);

    /**
     * {@code cuModuleLoadData}.
     *
     * @param module out
     * @param image NUL-terminated PTX
     * @return the result
     */
    int cuModuleLoadData(PointerByReference module, Pointer image);

    /**
     * {@code cuModuleGetFunction}.
     *
     * @param function out
     * @param module the module
     * @param name the kernel's name
     * @return the result
     */
    int cuModuleGetFunction(PointerByReference function, Pointer module, String name);

    /**
     * {@code cuLaunchKernel}.
     *
     * @param function the kernel
     * @param gridX grid x
     * @param gridY grid y
     * @param gridZ grid z
     * @param blockX block x
     * @param blockY block y
     * @param blockZ block z
     * @param sharedMemBytes dynamic shared memory
     * @param stream the stream (null: the legacy default stream)
     * @param kernelParams one pointer per parameter
     * @param extra null
     * @return the result
     */
    @SuppressWarnings("checkstyle:ParameterNumber")
    int cuLaunchKernel(Pointer function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
            int sharedMemBytes, Pointer stream, Pointer[] kernelParams, Pointer extra);

    /**
     * {@code cuCtxSynchronize}.
     *
     * @return the result
     */
    int cuCtxSynchronize();

    /**
     * {@code cuGetErrorName}.
     *
     * @param error a result
     * @param name out: a static C string
     * @return the result
     */
    int cuGetErrorName(int error, PointerByReference name);

    /**
     * {@code cuGetErrorString}.
     *
     * @param error a result
     * @param text out: a static C string
     * @return the result
     */
    int cuGetErrorString(int error, PointerByReference text);
}
