package io.github.lossforge.core.calibration;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the calibration losses of {@code losses-core}. */
public final class CalibrationLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(PlattLoss.INFO);
    }
}
