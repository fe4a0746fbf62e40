package io.github.lossforge.core;

import ai.djl.Device;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The checks policy: how much every {@code evaluate} verifies about the values of its inputs.
 *
 * <ul>
 *   <li>{@link Level#FULL}: value checks (finiteness of predictions and float labels, class indices
 *       in range, masks of 0/1, probabilities in [0, 1], …) run on every call. They are computed on
 *       the device and read back together, in <b>one</b> host synchronisation per {@code evaluate}.
 *   <li>{@link Level#SHAPES}: value checks are skipped; nothing in the checks synchronises with the
 *       device. Bad values then give whatever the formula gives (NaN in, NaN out).
 * </ul>
 *
 * <p>Shape, rank, dtype and device checks read only metadata and run at every level.
 *
 * <p>The level comes from {@link #setLevel(Level)}, else the system property {@code
 * lossforge.checks} ({@code full} or {@code shapes}), else the device of the inputs: {@code full} on
 * the CPU, where a host read costs nothing, and {@code shapes} on a GPU, where it would stall the
 * device once per step.
 */
public final class Checks {

    /** The name of the system property that sets the level. */
    public static final String PROPERTY = "lossforge.checks";

    /** How much is checked. */
    public enum Level {
        /** Shapes, dtypes, devices and values (one host read per {@code evaluate}). */
        FULL,
        /** Shapes, dtypes and devices only (no host read). */
        SHAPES;

        /**
         * Parses {@code full} or {@code shapes} (any case).
         *
         * @param text the word
         * @return the level
         * @throws IllegalArgumentException for another word
         */
        public static Level parse(String text) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "full":
                    return FULL;
                case "shapes":
                    return SHAPES;
                default:
                    throw new IllegalArgumentException(
                            PROPERTY + ": got '" + text + "', expected 'full' or 'shapes'");
            }
        }
    }

    private static volatile Level configured;
    private static final AtomicLong HOST_READS = new AtomicLong();

    private Checks() {}

    /**
     * Sets the level for every loss in this JVM, overriding the system property; {@code null}
     * restores the default (the property if set, else by device).
     *
     * @param level the level, or null for the default
     */
    public static void setLevel(Level level) {
        configured = level;
    }

    /**
     * The level that applies to inputs on a device.
     *
     * @param device the device of the inputs
     * @return the level set by {@link #setLevel}, else by the property, else {@code FULL} on the CPU
     *     and {@code SHAPES} elsewhere
     */
    public static Level level(Device device) {
        Level set = configured;
        if (set != null) {
            return set;
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Level.parse(property);
        }
        return device != null && device.isGpu() ? Level.SHAPES : Level.FULL;
    }

    /**
     * How many host reads the value checks have made in this JVM: at most one per {@code evaluate}
     * with {@code FULL}, none with {@code SHAPES}. For tests and benchmarks.
     *
     * @return the count so far
     */
    public static long hostReads() {
        return HOST_READS.get();
    }

    static void countHostRead() {
        HOST_READS.incrementAndGet();
    }
}
