package io.github.lossforge.core.sequence;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the sequence-level (language-model) losses of {@code losses-core}. */
public final class SequenceLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(DirectCoverageLoss.INFO, EnsLoss.INFO);
    }
}
