package io.github.lossforge.core;

import java.util.List;

/**
 * The {@link java.util.ServiceLoader} interface through which a module registers its losses: list
 * the implementation in {@code META-INF/services/io.github.lossforge.core.LossProvider}.
 */
public interface LossProvider {

    /**
     * The losses this module provides.
     *
     * @return one {@link LossInfo} per loss
     */
    List<LossInfo> losses();
}
