package io.github.lossforge.diffusion;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Slot;
import io.github.lossforge.diffusion.kernel.AttentionKernel;

import java.util.Optional;

/**
 * A-STAR's attention retention loss (Eq. 3, min-over-sum form): with the current maps \(A^k\) and the
 * binarised high-activation masks \(B^k\) of the previous (noisier) step, \( L_{ret} = \sum_k \Big[ 1
 * - \frac{\sum_{ij} \min(A^k_{ij}, B^k_{ij})}{\sum_{ij} (A^k_{ij} + B^k_{ij}) + \epsilon} \Big] \).
 * Make the masks with {@link AttentionMaps#binarize} (threshold 0.5 of each map's maximum by
 * default, our choice: the paper gives none); they carry no gradient.
 *
 * <p>Slots: predictions[0] current concept maps A, (K, H, W) or (N, K, H, W), non-negative;
 * labels[0] previous-step masks B of the same shape, 0/1 of any numeric or boolean type. Per-image
 * values as for {@link AttentionSegregationLoss}. Parameters: {@code eps} (1e-8, &gt; 0), {@code
 * reduction} (mean). Gradient ties of {@code min} are split evenly; fused kernel by default, {@link
 * Builder#optFused(boolean) optFused(false)} for the composition. The fused kernel's gradient is first order
 * only (differentiating it again sees it as a constant); the composition's is not.
 *
 * <p>Paper: Agarwal, Karanam, Joseph, Saxena, Goswami, Srinivasan, "A-STAR: Test-time Attention
 * Segregation and Retention for Text-to-image Synthesis", ICCV 2023, arXiv 2306.14544.
 */
public final class AttentionRetentionLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "astar-retention";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AttentionRetentionLoss.class)
                    .paper(AttentionSegregationLoss.PAPER)
                    .prediction("P0 current maps A (K,H,W) or (N,K,H,W), non-negative")
                    .label("L0 binarised previous-step masks B, shape of P0, 0/1")
                    .example("lossforge guide-demo (LatentGuidance)")
                    .param(AStarBuilder.EPS)
                    .factory(p -> builder().fromParams(p).build())
                    .build();

    private final double eps;
    private final boolean fused;

    private AttentionRetentionLoss(Builder b) {
        super(ID, b.reduction(), true);
        this.eps = AStarLoss.checkEps(ID, b.eps());
        this.fused = b.fused();
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot slot = AStarLoss.mapsSlot(in);
        NDArray maps = AStarLoss.flat(slot);
        NDArray masks = AStarLoss.flatMasks(in, slot);
        Optional<AttentionKernel> kernel = AttentionMaps.kernel(maps, fused);
        if (kernel.isPresent()) {
            return kernel.get().retention(maps, masks, eps).surrogate(maps);
        }
        return AttentionMaps.retentionComposition(maps, masks, eps);
    }

    /** Builds an {@link AttentionRetentionLoss}. */
    public static final class Builder extends AStarBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public AttentionRetentionLoss build() {
            return new AttentionRetentionLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
