package io.github.lossforge.core;

import org.jspecify.annotations.Nullable;

import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry of every loss on the classpath, filled through {@link LossProvider}s found by
 * {@link ServiceLoader}.
 *
 * <pre>{@code
 * Loss loss = Losses.create("ldr-kl", Map.of("lambda", 1.0));
 * }</pre>
 */
public final class Losses {

    private static volatile @Nullable Map<String, LossInfo> registry;

    private Losses() {}

    /**
     * Creates a loss with its default parameters.
     *
     * @param id the loss id
     * @return the loss
     * @throws IllegalArgumentException for an unknown id (the message lists the valid ones)
     */
    public static BaseLoss create(String id) {
        return create(id, Map.of());
    }

    /**
     * Creates a loss.
     *
     * @param id the loss id
     * @param params parameter values by key: {@link Number}, {@link Boolean} or {@link String}
     * @return the loss
     * @throws IllegalArgumentException for an unknown id or parameter, or a wrongly typed value
     */
    public static BaseLoss create(String id, Map<String, ?> params) {
        return info(id).create(params);
    }

    /**
     * The ids of every registered loss, sorted.
     *
     * @return the ids
     */
    public static Set<String> ids() {
        return Collections.unmodifiableSet(registry().keySet());
    }

    /**
     * What the registry knows of one loss.
     *
     * @param id the loss id
     * @return its info
     * @throws IllegalArgumentException for an unknown id (the message lists the valid ones)
     */
    public static LossInfo info(String id) {
        LossInfo info = registry().get(id);
        if (info == null) {
            throw new IllegalArgumentException(
                    "unknown loss id '" + id + "', valid ids: " + String.join(", ", registry().keySet()));
        }
        return info;
    }

    private static Map<String, LossInfo> registry() {
        Map<String, LossInfo> r = registry;
        if (r == null) {
            synchronized (Losses.class) {
                if (registry == null) {
                    registry = load();
                }
                r = registry;
            }
        }
        return r;
    }

    private static Map<String, LossInfo> load() {
        Map<String, LossInfo> found = new TreeMap<>();
        for (LossProvider provider : ServiceLoader.load(LossProvider.class, Losses.class.getClassLoader())) {
            for (LossInfo info : provider.losses()) {
                LossInfo previous = found.put(info.id(), info);
                if (previous != null) {
                    throw new IllegalStateException(
                            "loss id '" + info.id() + "' is registered twice: by "
                                    + previous.lossClass().getName() + " and " + info.lossClass().getName());
                }
            }
        }
        return Collections.unmodifiableMap(found);
    }
}
