package io.github.lossforge.contrastive.pairs;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the pair-based metric-learning losses of {@code losses-contrastive}. */
public final class PairLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(MultiSimilarityLoss.INFO, TripletMarginLoss.INFO);
    }
}
