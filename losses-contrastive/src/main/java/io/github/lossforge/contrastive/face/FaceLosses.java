package io.github.lossforge.contrastive.face;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the face-recognition losses of {@code losses-contrastive}. */
public final class FaceLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(MarginSoftmaxLoss.ARCFACE_INFO, MarginSoftmaxLoss.COSFACE_INFO, SymFaceLoss.INFO, UnpgLoss.INFO);
    }
}
