package io.github.lossforge.core.diagnostics;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the test-time and diagnostic losses of {@code losses-core}. */
public final class DiagnosticsLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(ClassConfusionLoss.INFO);
    }
}
