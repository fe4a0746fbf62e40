package io.github.lossforge.diffusion;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.diffusion.kernel.AttentionKernel;

import java.util.Optional;

/**
 * A-STAR's attention segregation loss (Eq. 2): for the cross-attention maps \(A^m\) of the concept
 * tokens, \( L_{seg} = \sum_{m &lt; n} \frac{\sum_{ij} \min(A^m_{ij}, A^n_{ij})}{\sum_{ij} (A^m_{ij} + A^n_{ij})
 * + \epsilon} \). The denominator is the plain sum of both maps, so two identical maps give 0.5 (the
 * paper calls the ratio an IoU); one concept gives 0.
 *
 * <p>Slots: predictions[0] concept maps A, (K, H, W) for one image or (N, K, H, W) for N images,
 * non-negative (head- and layer-averaged cross-attention probabilities); no labels (label slots are
 * ignored, so the loss runs in DJL's {@code Trainer}, which always passes the dataset's labels). The per-image
 * value is the sum over pairs; {@code mean} averages over images, {@code none} gives (N) (N = 1 for a
 * single image). Parameters: {@code eps} (1e-8, &gt; 0), {@code reduction} (mean).
 *
 * <p>Gradient: {@code min} sends each pixel's gradient to the smaller map; a tie is split evenly
 * (our choice, as PyTorch's {@code minimum}). By default the value and gradient come from a fused
 * kernel ({@link AttentionKernel}) through the surrogate trick; {@link Builder#optFused(boolean)
 * optFused(false)} runs the plain autograd composition instead (same value and gradient). The fused kernel's
 * gradient is first order only (differentiating it again sees it as a constant); the composition's is not.
 *
 * <p>Paper: Aishwarya Agarwal, Srikrishna Karanam, K J Joseph, Apoorv Saxena, Koustava Goswami,
 * Balaji Vasan Srinivasan, "A-STAR: Test-time Attention Segregation and Retention for Text-to-image
 * Synthesis", ICCV 2023, arXiv 2306.14544. No official code exists; the formula was read from the paper.
 */
public final class AttentionSegregationLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "astar-segregation";

    /** The default ε added to each denominator. */
    public static final double DEFAULT_EPS = 1e-8;

    /** The citation shared by the A-STAR losses. */
    static final String PAPER = "Agarwal, Karanam, Joseph, Saxena, Goswami, Srinivasan: A-STAR: Test-time"
            + " Attention Segregation and Retention for Text-to-image Synthesis, ICCV 2023, arXiv 2306.14544";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AttentionSegregationLoss.class)
                    .paper(PAPER)
                    .prediction("P0 concept maps A (K,H,W) or (N,K,H,W), non-negative")
                    .example("lossforge guide-demo (LatentGuidance)")
                    .param(AStarBuilder.EPS)
                    .factory(p -> builder().fromParams(p).build())
                    .build();

    private final double eps;
    private final boolean fused;

    private AttentionSegregationLoss(Builder b) {
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
        in.requireSlots(0, Integer.MAX_VALUE, 1, 1);
        NDArray maps = AStarLoss.flat(AStarLoss.mapsSlot(in));
        Optional<AttentionKernel> kernel = AttentionMaps.kernel(maps, fused);
        if (kernel.isPresent()) {
            return kernel.get().segregation(maps, eps).surrogate(maps);
        }
        return AttentionMaps.segregationComposition(maps, eps);
    }

    /** Builds an {@link AttentionSegregationLoss}. */
    public static final class Builder extends AStarBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public AttentionSegregationLoss build() {
            return new AttentionSegregationLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
