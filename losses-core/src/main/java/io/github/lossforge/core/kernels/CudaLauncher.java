package io.github.lossforge.core.kernels;

import ai.djl.Device;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Launches kernels through the CUDA driver API ({@link CudaDriver}, bound to {@code libcuda} by JNA): in
 * the primary context of the arrays' device (the one libtorch uses), the module loaded from its PTX with
 * {@code cuModuleLoadData}, each kernel started with {@code cuLaunchKernel} on the legacy default stream,
 * which orders it with DJL's own operations without extra synchronisation. Every failing call becomes an
 * exception carrying {@code cuGetErrorName} and {@code cuGetErrorString}.
 *
 * <p>The PTX declares ISA 7.0 (CUDA 11.0): a driver too old for it refuses the module
 * ({@code CUDA_ERROR_UNSUPPORTED_PTX_VERSION}), which {@link #refusal} reports in one line, and the
 * registry then runs the portable path.
 */
public final class CudaLauncher implements KernelLauncher {

    private static final CudaLauncher SYSTEM = new CudaLauncher(() -> Native.load("cuda", CudaDriver.class));

    private final Supplier<CudaDriver> loader;
    private CudaDriver driver;
    private String driverFailure;
    private final Map<Integer, Pointer> contexts = new HashMap<>();
    private final Map<String, Pointer> modules = new HashMap<>();
    private final Map<String, Pointer> functions = new HashMap<>();
    private final Map<String, String> refusals = new HashMap<>();

    /**
     * A launcher over a driver binding (tests pass a fake or a failing loader).
     *
     * @param loader loads the binding; may throw {@link LinkageError} when libcuda is missing
     */
    public CudaLauncher(Supplier<CudaDriver> loader) {
        this.loader = loader;
    }

    /**
     * The launcher over the system's {@code libcuda}, loaded on first use.
     *
     * @return the shared launcher
     */
    public static CudaLauncher system() {
        return SYSTEM;
    }

    /** {@inheritDoc} */
    @Override
    public String name() {
        return "cuda-driver";
    }

    /** {@inheritDoc} */
    @Override
    public synchronized String refusal(Device device, KernelModule module) {
        if (!device.isGpu()) {
            return "the CUDA launcher runs on CUDA devices, got " + device;
        }
        String key = device.getDeviceId() + ":" + module.name();
        String known = refusals.get(key);
        if (known == null) {
            known = probe(device, module);
            refusals.put(key, known);
        }
        return known.isEmpty() ? null : known;
    }

    private String probe(Device device, KernelModule module) {
        CudaDriver d = driver();
        if (d == null) {
            return driverFailure;
        }
        try {
            check(d, d.cuInit(0), "cuInit");
            IntByReference count = new IntByReference();
            check(d, d.cuDeviceGetCount(count), "cuDeviceGetCount");
            if (device.getDeviceId() >= count.getValue()) {
                return "CUDA device " + device.getDeviceId() + " does not exist (" + count.getValue() + " devices)";
            }
        } catch (IllegalStateException e) {
            return "the CUDA driver cannot start: " + e.getMessage();
        }
        try {
            module(d, device, module);
            return "";
        } catch (IllegalStateException e) {
            return "the CUDA driver " + driverVersion(d) + " refused module " + module.name() + ": " + e.getMessage()
                    + " (its PTX needs CUDA 11.0 or newer)";
        }
    }

    /** {@inheritDoc} */
    @Override
    public synchronized void launch(Device device, KernelModule module, String kernel, Dim3 grid, Dim3 block,
            KernelArgs args) {
        requireRunnable(device, module);
        CudaDriver d = driver;
        check(d, d.cuCtxSetCurrent(context(d, device)), "cuCtxSetCurrent");
        String key = device.getDeviceId() + ":" + module.name() + ":" + kernel;
        Pointer function = functions.get(key);
        if (function == null) {
            PointerByReference f = new PointerByReference();
            check(d, d.cuModuleGetFunction(f, module(d, device, module), kernel), "cuModuleGetFunction " + kernel);
            function = f.getValue();
            functions.put(key, function);
        }
        check(d, d.cuLaunchKernel(function, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), 0, null,
                args.pointers(), null), "cuLaunchKernel " + kernel);
    }

    private CudaDriver driver() {
        if (driver == null && driverFailure == null) {
            try {
                driver = loader.get();
            } catch (LinkageError | RuntimeException e) {
                driverFailure = "libcuda cannot be loaded (" + firstLine(e.getMessage()) + ")";
            }
        }
        return driver;
    }

    /** The log line is one line: JNA lists every path it tried, one per line. */
    private static String firstLine(String message) {
        String text = String.valueOf(message).strip();
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end).strip() + " …";
    }

    private Pointer context(CudaDriver d, Device device) {
        Pointer ctx = contexts.get(device.getDeviceId());
        if (ctx == null) {
            IntByReference handle = new IntByReference();
            check(d, d.cuDeviceGet(handle, device.getDeviceId()), "cuDeviceGet");
            PointerByReference retained = new PointerByReference();
            check(d, d.cuDevicePrimaryCtxRetain(retained, handle.getValue()), "cuDevicePrimaryCtxRetain");
            ctx = retained.getValue();
            contexts.put(device.getDeviceId(), ctx);
        }
        return ctx;
    }

    private Pointer module(CudaDriver d, Device device, KernelModule module) {
        String key = device.getDeviceId() + ":" + module.name();
        Pointer loaded = modules.get(key);
        if (loaded == null) {
            check(d, d.cuCtxSetCurrent(context(d, device)), "cuCtxSetCurrent");
            byte[] image = module.ptxImage();
            Memory text = new Memory(image.length);
            text.write(0, image, 0, image.length);
            PointerByReference m = new PointerByReference();
            check(d, d.cuModuleLoadData(m, text), "cuModuleLoadData " + module.name());
            loaded = m.getValue();
            modules.put(key, loaded);
        }
        return loaded;
    }

    private static String driverVersion(CudaDriver d) {
        IntByReference v = new IntByReference();
        if (d.cuDriverGetVersion(v) != CudaDriver.SUCCESS) {
            return "(version unknown)";
        }
        return "(CUDA " + v.getValue() / 1000 + "." + v.getValue() % 1000 / 10 + ")";
    }

    /**
     * Throws for a failed call: {@code "<call>: CUDA_ERROR_…: <description>"}.
     *
     * @param d the driver
     * @param result the call's result
     * @param call what was called
     */
    static void check(CudaDriver d, int result, String call) {
        if (result == CudaDriver.SUCCESS) {
            return;
        }
        throw new IllegalStateException(call + ": " + text(d, result));
    }

    private static String text(CudaDriver d, int result) {
        PointerByReference name = new PointerByReference();
        PointerByReference description = new PointerByReference();
        String n = d.cuGetErrorName(result, name) == CudaDriver.SUCCESS && name.getValue() != null
                ? name.getValue().getString(0) : "CUresult " + result;
        String s = d.cuGetErrorString(result, description) == CudaDriver.SUCCESS && description.getValue() != null
                ? description.getValue().getString(0) : "no description";
        return n + ": " + s;
    }
}
