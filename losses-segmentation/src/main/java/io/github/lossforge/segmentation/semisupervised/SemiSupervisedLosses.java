package io.github.lossforge.segmentation.semisupervised;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the semi-supervised consistency losses. */
public final class SemiSupervisedLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(ConfidentBinaryCrossEntropyLoss.INFO);
    }
}
