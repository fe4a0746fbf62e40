package io.github.lossforge.core.regression;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the regression losses of {@code losses-core}. */
public final class RegressionLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(AggregateResponseLoss.INFO, CauchySchwarzIbLoss.INFO, HlGaussLoss.INFO, TwoHotLoss.INFO,
                WeightedDecorrelationLoss.INFO);
    }
}
