package io.github.lossforge.diffusion;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Slot;
import io.github.lossforge.diffusion.kernel.AttentionKernel;

import java.util.Optional;

/**
 * The A-STAR objective (Eq. 4): \( L = L_{seg} + L_{ret} \) with unit weights, the sum of {@link
 * AttentionSegregationLoss} on the current maps and {@link AttentionRetentionLoss} against the
 * previous step's binarised masks. A-STAR updates the latent with it at every denoising step, \( z'_t
 * = z_t - \alpha_t \nabla_{z_t} L \) (see {@link LatentGuidance}; the paper gives no α_t, the
 * Attend-and-Excite schedule is our default).
 *
 * <p>Slots: predictions[0] current maps A, (K, H, W) or (N, K, H, W), non-negative; labels[0]
 * previous-step masks B, same shape, 0/1. Parameters: {@code eps} (1e-8, &gt; 0), {@code reduction}
 * (mean). One fused kernel pass computes both terms (default), or {@link Builder#optFused(boolean)
 * optFused(false)} the composition. The fused kernel's gradient is first order only (differentiating it again
 * sees it as a constant); the composition's is not.
 *
 * <p>Paper: Agarwal, Karanam, Joseph, Saxena, Goswami, Srinivasan, "A-STAR: Test-time Attention
 * Segregation and Retention for Text-to-image Synthesis", ICCV 2023, arXiv 2306.14544.
 */
public final class AStarLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "astar";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AStarLoss.class)
                    .paper(AttentionSegregationLoss.PAPER)
                    .prediction("P0 current maps A (K,H,W) or (N,K,H,W), non-negative")
                    .label("L0 binarised previous-step masks B, shape of P0, 0/1")
                    .example("lossforge guide-demo (LatentGuidance)")
                    .param(AStarBuilder.EPS)
                    .factory(p -> builder().fromParams(p).build())
                    .build();

    private final double eps;
    private final boolean fused;

    private AStarLoss(Builder b) {
        super(ID, b.reduction(), true);
        this.eps = checkEps(ID, b.eps());
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
        Slot slot = mapsSlot(in);
        NDArray maps = flat(slot);
        NDArray masks = flatMasks(in, slot);
        Optional<AttentionKernel> kernel = AttentionMaps.kernel(maps, fused);
        if (kernel.isPresent()) {
            return kernel.get().aStar(maps, masks, eps).surrogate(maps);
        }
        return AttentionMaps.segregationComposition(maps, eps)
                .add(AttentionMaps.retentionComposition(maps, masks, eps));
    }

    static double checkEps(String id, double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException(id + ": eps must be a finite number > 0, got " + eps);
        }
        return eps;
    }

    /** predictions[0], checked: (K, H, W) or (N, K, H, W), non-negative. */
    static Slot mapsSlot(LossInputs in) {
        return AttentionMaps.requireNonNegative(
                in.prediction(0, "concept maps").requireRank("(K, H, W) or (N, K, H, W)", 3, 4));
    }

    /** A checked maps slot flattened to (N, K, H·W). */
    static NDArray flat(Slot slot) {
        NDArray maps = AttentionMaps.batched(slot);
        return maps.reshape(maps.getShape().get(0), maps.getShape().get(1), -1);
    }

    /** labels[0] checked against the maps slot and flattened like it. */
    static NDArray flatMasks(LossInputs in, Slot given) {
        Slot raw = in.label(0, "previous masks");
        if (!raw.shape().equals(given.shape())) {
            throw raw.fail("has shape " + raw.shape() + ", expected the shape " + given.shape()
                    + " of predictions[0] (concept maps)");
        }
        Slot masks = AttentionMaps.requireBinary(in.floatLabel(0, "previous masks"));
        return masks.array().reshape(flat(given).getShape());
    }

    /** Builds an {@link AStarLoss}. */
    public static final class Builder extends AStarBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public AStarLoss build() {
            return new AStarLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
