package io.github.lossforge.segmentation.pansharpening;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the pansharpening losses. */
public final class PansharpeningLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(LambdaPnnLoss.INFO);
    }
}
