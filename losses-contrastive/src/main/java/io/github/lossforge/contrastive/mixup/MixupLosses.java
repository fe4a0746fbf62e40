package io.github.lossforge.contrastive.mixup;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the mixup metric-learning losses of {@code losses-contrastive}. */
public final class MixupLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(MetrixLoss.INFO);
    }
}
