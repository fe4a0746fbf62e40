package io.github.lossforge.core.classification;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the classification losses of {@code losses-core}. */
public final class ClassificationLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(CompSumLoss.INFO, LdrKlLoss.INFO, MultiAspectDistillationLoss.INFO,
                TriBceLoss.INFO, CorrectnessAwareLoss.INFO,
                AnyLoss.INFO, SmoothAdversarialCompSumLoss.INFO,
                AdaptiveLdrKlLoss.INFO, HybridMultiLabelLoss.INFO);
    }
}
