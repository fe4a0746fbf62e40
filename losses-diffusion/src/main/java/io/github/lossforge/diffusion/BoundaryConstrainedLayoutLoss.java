package io.github.lossforge.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.diffusion.kernel.AttentionKernel;
import io.github.lossforge.diffusion.kernel.AttentionKernel.LayoutWeights;

import java.util.Optional;

/**
 * BACON's boundary-constrained layout loss, <b>in our documented form</b>: the paper states that
 * self-attention-refined cross-attention maps are constrained by the layout through three losses on
 * boundary (marginal) attention, but its equations are not available to us; this class implements the
 * form below, built on what the paper states, and keeps the id {@code bacon} for the day they are.
 *
 * <p>For concept k with cross-attention map \(A_k\) (H, W), self-attention \(A_s\) (H·W, H·W) and
 * layout mask \(M_k\) (a rasterised box, see {@link AttentionMaps#rasterizeBoxes}):
 * <ul>
 *   <li>alignment: \( \tilde A_k = A_s \cdot \mathrm{vec}(A_k) \) (pixel p gathers the attention of
 *       the pixels it attends to), \( P_k = \tilde A_k / (\sum \tilde A_k + \epsilon) \); without
 *       self-attention \( P_k = A_k / (\sum A_k + \epsilon) \); ε = {@value #NORMALIZER_EPS};
 *   <li>inside (concentration): \( L_{in} = \sum_k (1 - \sum_p M_k[p] P_k[p])^2 \);
 *   <li>outside (exclusion, counting): \( L_{out} = \sum_k \sum_p P_k[p] \max_{j \ne k} M_j[p] (1 -
 *       M_k[p]) \), the mass of concept k inside another concept's box and outside its own;
 *   <li>marginal (boundary) alignment: with \( m^x_k(x) = \sum_y P_k[y,x] \), \( m^y_k(y) = \sum_x
 *       P_k[y,x] \) and the mask's normalised marginals \( u^x_k(x) = \sum_y M_k[y,x] / \sum M_k \),
 *       \( u^y_k \) likewise (for a box: 1/width on its columns, 1/height on its rows), \( L_{marg} =
 *       \sum_k \sum_x (m^x_k - u^x_k)^2 + \sum_y (m^y_k - u^y_k)^2 \): the object must reach the box's
 *       edges and not spill past them;
 *   <li>\( L = w_{in} L_{in} + w_{out} L_{out} + w_{marg} L_{marg} \), one value per image.
 * </ul>
 *
 * <p>Slots: predictions[0] cross-attention maps (K, H, W) or (N, K, H, W), non-negative;
 * predictions[1], optional, self-attention (H·W, H·W) or (N, H·W, H·W), non-negative (row p holds
 * what pixel p attends to, pixels in row-major order); labels[0] layout masks of predictions[0]'s
 * shape, 0/1 of any numeric or boolean type, none empty. Parameters: {@code insideWeight} (1.0),
 * {@code outsideWeight} (1.0), {@code marginalWeight} (1.0), all ≥ 0; {@code alignWithSelfAttention}
 * (true: use predictions[1] when given; false: predictions[1] is ignored, so one pipeline serves
 * both settings); {@code reduction} (mean). By default value and gradient come from the fused kernel
 * of the inputs' device through the surrogate trick where that kernel is faster than the plain
 * autograd composition (the CPU kernel: with a self-attention), else from the composition; {@link
 * Builder#optFused(boolean) optFused(true)} always takes the kernel, {@code optFused(false)} always
 * the composition. The fused kernel's gradient is first order only (differentiating it again sees it as a
 * constant); the composition's is not.
 *
 * <p>Paper: Chen, Li, Zhuang, Vikalo, Lyu, "Training-Free Layout-to-Image Generation with Marginal
 * Attention Constraints" (BACON; v2 titled MAC, CVPR 2026 Workshops), 2024, arXiv 2411.10495. No
 * official code was found; layers, timesteps and step sizes are ours ({@link LatentGuidance}).
 */
public final class BoundaryConstrainedLayoutLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "bacon";

    /** ε added to each aligned map's total before normalising (ours; the paper gives none). */
    public static final double NORMALIZER_EPS = 1e-8;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, BoundaryConstrainedLayoutLoss.class)
                    .paper("Chen, Li, Zhuang, Vikalo, Lyu: Training-Free Layout-to-Image Generation with Marginal"
                            + " Attention Constraints (BACON/MAC, our form), 2024, arXiv 2411.10495")
                    .prediction("P0 cross-attention maps (K,H,W) or (N,K,H,W), non-negative")
                    .prediction("P1? self-attention (HW,HW) or (N,HW,HW), non-negative")
                    .label("L0 layout masks, shape of P0, 0/1, none empty")
                    .example("lossforge guide-demo")
                    .param(ParamSpec.number("insideWeight", 1.0, ">= 0, weight of the inside term"))
                    .param(ParamSpec.number("outsideWeight", 1.0, ">= 0, weight of the outside term"))
                    .param(ParamSpec.number("marginalWeight", 1.0, ">= 0, weight of the marginal term"))
                    .param(ParamSpec.bool("alignWithSelfAttention", true,
                            "refine the maps with predictions[1] when given"))
                    .factory(p -> builder()
                            .optInsideWeight(p.number("insideWeight"))
                            .optOutsideWeight(p.number("outsideWeight"))
                            .optMarginalWeight(p.number("marginalWeight"))
                            .optAlignWithSelfAttention(p.bool("alignWithSelfAttention"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final LayoutWeights weights;
    private final boolean align;
    private final Boolean fused;

    private BoundaryConstrainedLayoutLoss(Builder b) {
        super(ID, b.reduction(), true);
        this.weights = new LayoutWeights(check("insideWeight", b.insideWeight), check("outsideWeight", b.outsideWeight),
                check("marginalWeight", b.marginalWeight), NORMALIZER_EPS);
        this.align = b.align;
        this.fused = b.fused;
    }

    private static double check(String name, double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException(ID + ": " + name + " must be a finite number >= 0, got " + w);
        }
        return w;
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
        in.requireSlots(1, 1, 1, 2);
        Slot mapsSlot = AttentionMaps.requireNonNegative(
                in.prediction(0, "cross-attention maps").requireRank("(K, H, W) or (N, K, H, W)", 3, 4));
        NDArray maps = AttentionMaps.batched(mapsSlot);
        NDArray masks = masks(in, mapsSlot, maps.getShape());
        NDArray self = align && in.hasPrediction(1) ? selfAttention(in, mapsSlot, maps.getShape()) : null;
        Optional<AttentionKernel> kernel = AttentionMaps.kernel(maps, !Boolean.FALSE.equals(fused))
                .filter(k -> Boolean.TRUE.equals(fused) || k.fasterLayout(maps.getShape(), self != null));
        if (kernel.isPresent()) {
            return kernel.get().layoutSurrogate(maps, self, masks, weights);
        }
        return composition(maps, self, masks);
    }

    private static NDArray masks(LossInputs in, Slot maps, Shape batched) {
        Slot raw = in.label(0, "layout masks");
        if (!raw.shape().equals(maps.shape())) {
            throw raw.fail("has shape " + raw.shape() + ", expected the shape " + maps.shape()
                    + " of predictions[0] (cross-attention maps)");
        }
        Slot masks = AttentionMaps.requireBinary(in.floatLabel(0, "layout masks"));
        long k = batched.get(1);
        // an empty region is a value check (checks policy): the smallest area and where it is, read
        // with the call's other checks
        masks.requireValues(a -> {
            NDArray areas = a.reshape(batched).sum(new int[] {2, 3}).flatten();
            return new NDArray[] {areas.min(), areas.argMin()};
        }, v -> v[0] > 0 ? null
                : "has an empty mask for concept " + ((long) v[1] % k)
                        + (batched.get(0) > 1 ? " of image " + ((long) v[1] / k) : "")
                        + ", expected every concept to have a layout region");
        return masks.array().reshape(batched);
    }

    private static NDArray selfAttention(LossInputs in, Slot maps, Shape batched) {
        long p = batched.get(2) * batched.get(3);
        boolean single = maps.shape().dimension() == 3;
        Shape expected = single ? new Shape(p, p) : new Shape(batched.get(0), p, p);
        Slot self = AttentionMaps.requireNonNegative(in.prediction(1, "self-attention"))
                .requireShape(expected, single ? "(H·W, H·W)" : "(N, H·W, H·W)");
        return single ? self.array().expandDims(0) : self.array();
    }

    /** The plain autograd composition of the three terms, per image. */
    private NDArray composition(NDArray maps, NDArray self, NDArray masks) {
        Shape s = maps.getShape();
        long n = s.get(0);
        long k = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray flat = maps.reshape(n, k, h * w);
        NDArray aligned = self == null ? flat : flat.matMul(self.transpose(0, 2, 1));
        NDArray prob = aligned.div(aligned.sum(new int[] {2}, true).add(weights.eps()));
        NDArray m = masks.reshape(n, k, h * w);
        NDArray inside = m.mul(prob).sum(new int[] {2}).neg().add(1).square().sum(new int[] {1});
        NDArray othersCover = m.sum(new int[] {1}, true).sub(m).gt(0).toType(m.getDataType(), false);
        NDArray foreign = othersCover.mul(m.neg().add(1));
        NDArray outside = prob.mul(foreign).sum(new int[] {1, 2});
        NDArray p4 = prob.reshape(n, k, h, w);
        NDArray area = m.sum(new int[] {2}).reshape(n, k, 1);
        NDArray colTarget = masks.sum(new int[] {2}).div(area);
        NDArray rowTarget = masks.sum(new int[] {3}).div(area);
        NDArray marginal = p4.sum(new int[] {2}).sub(colTarget).square().sum(new int[] {1, 2})
                .add(p4.sum(new int[] {3}).sub(rowTarget).square().sum(new int[] {1, 2}));
        return Scalar.mul(inside, weights.inside())
                .add(Scalar.mul(outside, weights.outside()))
                .add(Scalar.mul(marginal, weights.marginal()));
    }

    /** Builds a {@link BoundaryConstrainedLayoutLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double insideWeight = 1.0;
        private double outsideWeight = 1.0;
        private double marginalWeight = 1.0;
        private boolean align = true;
        private Boolean fused;

        private Builder() {}

        /**
         * Sets w_in.
         *
         * @param insideWeight ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optInsideWeight(double insideWeight) {
            this.insideWeight = insideWeight;
            return this;
        }

        /**
         * Sets w_out.
         *
         * @param outsideWeight ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optOutsideWeight(double outsideWeight) {
            this.outsideWeight = outsideWeight;
            return this;
        }

        /**
         * Sets w_marg.
         *
         * @param marginalWeight ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optMarginalWeight(double marginalWeight) {
            this.marginalWeight = marginalWeight;
            return this;
        }

        /**
         * Sets whether predictions[1] (self-attention), when given, refines the maps.
         *
         * @param align true (default) to align, false to ignore predictions[1]
         * @return this
         */
        public Builder optAlignWithSelfAttention(boolean align) {
            this.align = align;
            return this;
        }

        /**
         * Forces the fused kernel of the inputs' device (when there is one) or the plain autograd
         * composition. Unset (the default), the kernel runs where it is faster than the composition
         * ({@code AttentionKernel.fasterLayout}).
         *
         * @param fused true for the fused kernel, false for the composition
         * @return this
         */
        public Builder optFused(boolean fused) {
            this.fused = fused;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public BoundaryConstrainedLayoutLoss build() {
            return new BoundaryConstrainedLayoutLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
