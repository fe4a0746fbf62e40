package io.github.lossforge.segmentation.overlap;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the Dice-family losses. */
public final class OverlapLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(DiceLoss.INFO, TverskyLoss.INFO);
    }
}
