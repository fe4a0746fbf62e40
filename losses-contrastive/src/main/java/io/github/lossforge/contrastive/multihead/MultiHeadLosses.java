package io.github.lossforge.contrastive.multihead;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the multi-head contrastive losses of {@code losses-contrastive}. */
public final class MultiHeadLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(AmclLoss.INFO);
    }
}
