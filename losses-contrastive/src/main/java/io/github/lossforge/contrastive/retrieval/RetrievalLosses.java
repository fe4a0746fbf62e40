package io.github.lossforge.contrastive.retrieval;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the retrieval and ranking losses of {@code losses-contrastive}. */
public final class RetrievalLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(CprdLoss.INFO, DecoupledSoftmaxLoss.INFO, MannWhitneyLoss.INFO, SoftTopKLoss.INFO);
    }
}
