package io.github.lossforge.segmentation.image;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the image-similarity losses. */
public final class ImageLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(SsimLoss.INFO, MsSsimLoss.INFO);
    }
}
