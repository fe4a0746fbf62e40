package io.github.lossforge.core.density;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the density-estimation losses of {@code losses-core}. */
public final class DensityLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(CompositionalNllLoss.INFO);
    }
}
