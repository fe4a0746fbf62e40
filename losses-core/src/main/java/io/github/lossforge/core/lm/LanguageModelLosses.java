package io.github.lossforge.core.lm;

import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossProvider;

import java.util.List;

/** Registers the language-model losses of {@code losses-core}. */
public final class LanguageModelLosses implements LossProvider {

    /** {@inheritDoc} */
    @Override
    public List<LossInfo> losses() {
        return List.of(CutCrossEntropyLoss.INFO);
    }
}
