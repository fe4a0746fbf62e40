package io.github.lossforge.contrastive.hyperbolic;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the hyperbolic losses of {@code losses-contrastive}. */
public final class HyperbolicLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(HyperbolicCrossEntropyLoss.INFO, HyperbolicPairwiseConfusionLoss.INFO);
    }
}
