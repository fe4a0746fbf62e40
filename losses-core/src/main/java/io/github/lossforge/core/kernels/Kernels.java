package io.github.lossforge.core.kernels;

import ai.djl.Device;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one registry of fused kernels, for every family (linear cross-entropy here, the attention maps in
 * {@code losses-diffusion}): it picks a kernel by the device of the inputs. Implementations of a family
 * interface register through {@link ServiceLoader} and are asked in order whether they {@linkplain
 * DeviceKernel#supports support} the device (a CUDA kernel does when libcuda loads, the device exists
 * and its module loads); when none does, the family's portable path runs, and for a non-CPU device the
 * registry logs once, per family and device, why.
 *
 * <p>The switch {@value #PROPERTY}{@code =auto|portable} (system property, or {@link #setMode} which
 * overrides it) forces the portable path for every family when {@code portable}.
 */
public final class Kernels {

    /** The system property of the switch: {@code auto} (default) or {@code portable}. */
    public static final String PROPERTY = "lossforge.kernels";

    /** The switch's values. */
    public enum Mode {
        /** Device-specific kernels where they can run, the portable path elsewhere. */
        AUTO,
        /** The portable path everywhere. */
        PORTABLE
    }

    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);

    private static volatile @Nullable Mode override;

    private static final Map<Class<?>, List<?>> REGISTERED = new ConcurrentHashMap<>();

    /** The reasons already logged, by family and device. */
    private static final Map<String, String> REFUSALS = new ConcurrentHashMap<>();

    private Kernels() {}

    /**
     * Sets the switch, overriding the system property; null returns to the property.
     *
     * @param mode the mode, or null
     */
    public static void setMode(Mode mode) {
        override = mode;
    }

    /**
     * The switch now: {@link #setMode}'s value, else the system property {@value #PROPERTY}.
     *
     * @return the mode
     * @throws IllegalArgumentException when the property holds neither {@code auto} nor {@code portable}
     */
    public static Mode mode() {
        Mode m = override;
        if (m != null) {
            return m;
        }
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto", "" -> Mode.AUTO;
            case "portable" -> Mode.PORTABLE;
            default -> throw new IllegalArgumentException(
                    PROPERTY + " must be auto or portable, got '" + System.getProperty(PROPERTY) + "'");
        };
    }

    /**
     * Forces (or stops forcing) the portable path for every kernel family: {@link #setMode} with
     * {@link Mode#PORTABLE} or {@link Mode#AUTO}.
     *
     * @param portable true to ignore device-specific implementations
     */
    public static void forcePortable(boolean portable) {
        setMode(portable ? Mode.PORTABLE : Mode.AUTO);
    }

    /**
     * Whether the portable path is forced.
     *
     * @return true when {@link #mode} is {@link Mode#PORTABLE}
     */
    public static boolean portableForced() {
        return mode() == Mode.PORTABLE;
    }

    /**
     * The fused linear cross-entropy kernel for a device.
     *
     * @param device the device of the inputs
     * @return a registered kernel that supports the device, or the portable {@link BlockedLinearCrossEntropy}
     */
    public static LinearCrossEntropyKernel linearCrossEntropy(Device device) {
        return select(LinearCrossEntropyKernel.class, device).orElse(BlockedLinearCrossEntropy.INSTANCE);
    }

    /**
     * The first registered kernel of a family that supports the device, unless the portable path is
     * forced. When none is chosen for a non-CPU device, one line saying why is logged (once per family
     * and device) and kept for {@link #refusal}.
     *
     * @param family the family interface the kernels register under
     * @param device the device of the inputs
     * @param <K> the family
     * @return the kernel, or empty for the family's portable path
     */
    public static <K extends DeviceKernel> Optional<K> select(Class<K> family, Device device) {
        if (mode() == Mode.PORTABLE) {
            refuse(family, device, PROPERTY + "=portable");
            return Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        for (K k : registered(family)) {
            if (k.supports(device)) {
                return Optional.of(k);
            }
            String why = k.refusal(device);
            if (why != null) {
                reasons.add(why);
            }
        }
        if (!Device.Type.CPU.equals(device.getDeviceType())) {
            refuse(family, device, reasons.isEmpty() ? "no kernel registered for " + device : String.join("; ", reasons));
        }
        return Optional.empty();
    }

    /**
     * Why the portable path serves a family on a device, as logged.
     *
     * @param family the family
     * @param device the device
     * @return the reason, or empty when no refusal was logged
     */
    public static Optional<String> refusal(Class<? extends DeviceKernel> family, Device device) {
        return Optional.ofNullable(REFUSALS.get(key(family, device)));
    }

    private static void refuse(Class<?> family, Device device, String reason) {
        if (REFUSALS.put(key(family, device), reason) == null) {
            LOG.info("lossforge: portable {} path on {}: {}", family.getSimpleName(), device, reason);
        }
    }

    private static String key(Class<?> family, Device device) {
        return family.getName() + "@" + device;
    }

    @SuppressWarnings("unchecked")
    private static <K> List<K> registered(Class<K> family) {
        return (List<K>) REGISTERED.computeIfAbsent(family,
                f -> ServiceLoader.load(f).stream().map(ServiceLoader.Provider::get).toList());
    }
}
