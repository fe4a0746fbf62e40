package io.github.lossforge.contrastive.condensation;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the dataset-condensation losses of {@code losses-contrastive}. */
public final class CondensationLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(GradientMatchingLoss.INFO);
    }
}
