package io.github.lossforge.segmentation.topology;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the topology losses. */
public final class TopologyLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(BettiMatchingLoss.INFO, PersistenceDim0Loss.INFO);
    }
}
