package io.github.lossforge.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a loss turns its per-sample values into the value it returns. */
public enum Reduction {
    /** The mean over the (kept) samples: the default. */
    MEAN,
    /** The sum over the samples. */
    SUM,
    /** No reduction: one value per sample, for losses that have per-sample values. */
    NONE;

    /**
     * Parses a reduction from its lower-case name ({@code mean}, {@code sum}, {@code none}).
     *
     * @param name the name, case-insensitive
     * @return the reduction
     * @throws IllegalArgumentException listing the valid names when {@code name} is none of them
     */
    public static Reduction parse(String name) {
        for (Reduction r : values()) {
            if (r.name().equalsIgnoreCase(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException(
                "unknown reduction '"
                        + name
                        + "', expected one of "
                        + Arrays.stream(values()).map(Reduction::key).collect(Collectors.joining(", ")));
    }

    /**
     * The lower-case name used by the registry and the CLI.
     *
     * @return {@code mean}, {@code sum} or {@code none}
     */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
