package io.github.lossforge.segmentation.overlap;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Reduction;

/**
 * What the Dice-family losses share: token-wise values are reduced over kept tokens inside
 * {@code compute} (the mask decides the count), and {@code none} returns them shaped (N, S...).
 */
abstract class OverlapLoss extends BaseLoss {

    OverlapLoss(String id, Reduction reduction) {
        super(id, reduction, true);
    }

    /**
     * Requires a finite parameter ≥ 0.
     *
     * @param name the parameter
     * @param value its value
     */
    final void requireNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(id() + ": " + name + " must be a finite number ≥ 0, got " + value);
        }
    }

    /**
     * Reduces per-token values over the kept tokens: the mean divides by the number kept (0 when
     * none is kept); {@code none} gives the values shaped (N, S...), 0 where masked out.
     *
     * @param perToken (T) values
     * @param inputs the flattened inputs (keep vector and token shape)
     * @return the reduced value
     */
    final NDArray overTokens(NDArray perToken, OverlapInputs inputs) {
        NDArray reduced = reduceKept(perToken, inputs.keep());
        return reduction() == Reduction.NONE ? reduced.reshape(inputs.tokenShape()) : reduced;
    }

    /** Reduction happens in {@code compute}, over the kept tokens only. */
    @Override
    protected final NDArray reduce(NDArray values) {
        return values;
    }
}
