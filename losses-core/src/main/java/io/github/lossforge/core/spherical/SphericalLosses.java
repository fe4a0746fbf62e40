package io.github.lossforge.core.spherical;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the spherical-family losses over a linear head of {@code losses-core}. */
public final class SphericalLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(SphericalZLoss.INFO, LinearSphericalZLoss.INFO);
    }
}
