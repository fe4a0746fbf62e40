package io.github.lossforge.diffusion;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the attention-guidance losses of {@code losses-diffusion}. */
public final class DiffusionLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(AttentionSegregationLoss.INFO, AttentionRetentionLoss.INFO, AStarLoss.INFO, AttendExciteLoss.INFO,
                BoundaryConstrainedLayoutLoss.INFO);
    }
}
