package io.github.lossforge.contrastive.selfsupervised;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the self-supervised (two-view and cross-modal) losses of {@code losses-contrastive}. */
public final class SelfSupervisedLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(InfoNceLoss.INFO, InfoNceLoss.SYMMETRIC_INFO, NtXentLoss.INFO, BarlowTwinsLoss.INFO, CwclLoss.INFO);
    }
}
