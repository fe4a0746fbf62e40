package io.github.lossforge.contrastive.fewshot;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the few-shot losses of {@code losses-contrastive}. */
public final class FewShotLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(IcnnLoss.INFO, ProtoTripletLoss.INFO);
    }
}
