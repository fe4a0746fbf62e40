package io.github.lossforge.contrastive.multihead;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.Scalar;

/**
 * AMCL's pair-adaptive temperature as a DJL block: \( \tau = \tau_{min} + (\tau_{max} - \tau_{min})\,
 * \sigma(\mathrm{MLP}([z_a ; z_b])) \), the MLP Linear(hidden) → ReLU → Linear(1). Input (B, 2D), the
 * two embeddings of each pair concatenated; output (B) temperatures in (τ_min, τ_max), for the
 * temperature slots of {@link AmclLoss} (one block per head in the authors' code). Defaults: hidden
 * 128, τ ∈ (1e-5, 2).
 *
 * <p>Paper: Wang, Koniusz, Gedeon, Zheng, "Adaptive Multi-head Contrastive Learning", ECCV 2024,
 * arXiv 2310.05615 (code LeiWangR/cl {@code adaptive_temperature.py}).
 */
public final class AdaptiveTemperature {

    private AdaptiveTemperature() {}

    /**
     * The block with the defaults.
     *
     * @return the block
     */
    public static Block block() {
        return block(128, AmclLoss.DEFAULT_TAU_MIN, AmclLoss.DEFAULT_TAU_MAX);
    }

    /**
     * The block.
     *
     * @param hidden the hidden width, ≥ 1
     * @param tauMin the lower bound, &gt; 0
     * @param tauMax the upper bound, &gt; tauMin
     * @return the block
     */
    public static Block block(int hidden, double tauMin, double tauMax) {
        if (hidden < 1) {
            throw new IllegalArgumentException("AdaptiveTemperature: hidden must be >= 1, got " + hidden);
        }
        if (!(tauMin > 0) || !(tauMax > tauMin) || Double.isInfinite(tauMax)) {
            throw new IllegalArgumentException("AdaptiveTemperature: need 0 < tauMin < tauMax < infinity, got "
                    + tauMin + ", " + tauMax);
        }
        return new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(1).build())
                .add(new LambdaBlock(list -> {
                    NDArray gate = Activation.sigmoid(list.singletonOrThrow().squeeze(-1));
                    return new NDList(Scalar.mul(gate, tauMax - tauMin).add(tauMin));
                }));
    }
}
