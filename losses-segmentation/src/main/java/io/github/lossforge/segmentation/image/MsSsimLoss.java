package io.github.lossforge.segmentation.image;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;

import java.util.List;

/**
 * The multi-scale SSIM loss \( 1 - \text{MS-SSIM}(x, y) \), per sample averaged over channels.
 *
 * <p>Per channel, over M = {@code weights.length} scales (scale j+1 is scale j average-pooled 2×2
 * with stride 2): \( \text{MS-SSIM} = \prod_{j=1}^{M-1} \max(\overline{cs}_j, \epsilon)^{w_j} \cdot
 * \max(\overline{\mathrm{SSIM}}_M, \epsilon)^{w_M} \), where \( \overline{cs}_j \) is the mean
 * contrast-structure map \( \frac{2\sigma_{xy} + C_2}{\sigma_x^2 + \sigma_y^2 + C_2} \) at scale j and
 * \( \overline{\mathrm{SSIM}}_M \) the mean SSIM map at the coarsest scale, both as in {@link SsimLoss}
 * (separable 'valid' Gaussian window). Pooling pads with zeros by (H mod 2, W mod 2) and counts the
 * padding in the average, as pytorch-msssim does.
 *
 * <p>Slots: predictions[0] x (N, C, H, W); labels[0] y (N, C, H, W) (no gradient). The smaller side
 * must exceed (window − 1)·2^(M−1) (160 for the defaults). Reduction {@code none} gives (N).
 *
 * <p>Parameters: as {@link SsimLoss} ({@code dataRange} 1.0, {@code window} 11, {@code sigma} 1.5,
 * {@code k1} 0.01, {@code k2} 0.03), plus {@code weights} (the five standard weights 0.0448, 0.2856,
 * 0.3001, 0.2363, 0.1333; the registry takes the word {@code standard}, the builder any non-empty list
 * of weights ≥ 0) and {@code clampEps} ε (1e-6, &gt; 0), {@code reduction} (mean).
 *
 * <p>Papers: Zhou Wang, Eero P. Simoncelli, Alan C. Bovik, "Multiscale structural similarity for image
 * quality assessment", Asilomar 2003; used as a loss by Jake Snell et al., "Learning to Generate Images
 * with Perceptual Similarity Metrics", ICIP 2017, arXiv 1511.06409. Conventions of the common
 * pytorch-msssim implementation (Snell et al. released no code).
 *
 * <p>Differs from pytorch-msssim: negative contrast and SSIM terms are clamped at ε instead of
 * relu'd, so \( v^{w} \) with w &lt; 1 never meets its infinite derivative at 0 (the value differs from
 * pytorch-msssim's only where a term is below ε, where pytorch-msssim's is 0); the window is built in
 * the input's dtype.
 */
public final class MsSsimLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "ms-ssim";

    /** The five standard scale weights of Wang et al. 2003. */
    public static final List<Double> STANDARD_WEIGHTS = List.of(0.0448, 0.2856, 0.3001, 0.2363, 0.1333);

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, MsSsimLoss.class)
                    .paper("Snell, Ridgeway, Liao, Roads, Mozer, Zemel: Learning to Generate Images with Perceptual"
                            + " Similarity Metrics, ICIP 2017, arXiv 1511.06409")
                    .prediction("P0 x (N,C,H,W)")
                    .label("L0 y (N,C,H,W)")
                    .example("restored and clean images, side > (window - 1)·16:"
                            + " examples/run-examples.sh segmentation.ImageDenoising --loss ms-ssim")
                    .param(ParamSpec.number("dataRange", 1.0, "> 0: the dynamic range L of the images"))
                    .param(ParamSpec.integer("window", 11L, "odd number of Gaussian taps"))
                    .param(ParamSpec.number("sigma", 1.5, "> 0: standard deviation of the Gaussian window"))
                    .param(ParamSpec.number("k1", 0.01, "> 0: C1 = (k1·L)²"))
                    .param(ParamSpec.number("k2", 0.03, "> 0: C2 = (k2·L)²"))
                    .param(ParamSpec.word("weights", "standard", List.of("standard"),
                            "scale weights: standard = 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 (others: builder)"))
                    .param(ParamSpec.number("clampEps", 1e-6, "> 0: lower clamp of every scale's term"))
                    .factory(p -> builder()
                            .optDataRange(p.number("dataRange"))
                            .optWindow((int) p.integer("window"))
                            .optSigma(p.number("sigma"))
                            .optK1(p.number("k1"))
                            .optK2(p.number("k2"))
                            .optClampEps(p.number("clampEps"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final int window;
    private final double[] taps;
    private final double c1;
    private final double c2;
    private final double[] weights;
    private final double clampEps;

    private MsSsimLoss(Builder b) {
        super(ID, b.reduction(), true);
        SsimWindowBuilder.SsimWindow sw = b.window(ID);
        SsimMath.requirePositive(ID, "clampEps", b.clampEps);
        if (b.weights.length == 0) {
            throw new IllegalArgumentException(ID + ": weights must hold at least one scale weight");
        }
        for (double w : b.weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(ID + ": every weight must be a finite number ≥ 0, got "
                        + java.util.Arrays.toString(b.weights));
            }
        }
        this.window = sw.size();
        this.taps = sw.taps();
        this.c1 = sw.c1();
        this.c2 = sw.c2();
        this.weights = b.weights.clone();
        this.clampEps = b.clampEps;
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
        SsimMath.Images images = SsimMath.read(in);
        int scales = weights.length;
        long minSide = (long) (window - 1) * (1L << (scales - 1)) + 1;
        SsimMath.requireSide(images.x(), minSide,
                "(more than (window − 1)·2^(scales − 1) = " + (minSide - 1) + " for " + scales + " scales)");
        NDArray x = images.x().array();
        NDArray y = images.y();
        NDArray product = null;
        for (int j = 0; j < scales; j++) {
            // the contrast-structure term at every scale but the coarsest, the whole SSIM there
            NDArray term = j < scales - 1 ? SsimMath.contrast(x, y, taps, c1, c2) : SsimMath.ssim(x, y, taps, c1, c2);
            NDArray factor = Scalar.pow(Scalar.max(term, clampEps), weights[j]);
            product = product == null ? factor : product.mul(factor);
            if (j < scales - 1) {
                x = SsimMath.downsample(x);
                y = SsimMath.downsample(y);
            }
        }
        return product.mean(new int[] {1}).neg().add(1);
    }

    /** Builds an {@link MsSsimLoss}. */
    public static final class Builder extends SsimWindowBuilder<Builder> {
        private double[] weights = STANDARD_WEIGHTS.stream().mapToDouble(Double::doubleValue).toArray();
        private double clampEps = 1e-6;

        private Builder() {}

        /**
         * Sets the scale weights, finest first; their number is the number of scales.
         *
         * @param weights non-empty, each ≥ 0 (default the five standard weights)
         * @return this
         */
        public Builder optWeights(double... weights) {
            this.weights = weights.clone();
            return this;
        }

        /**
         * Sets the lower clamp ε of every scale's term.
         *
         * @param clampEps &gt; 0 (default 1e-6)
         * @return this
         */
        public Builder optClampEps(double clampEps) {
            this.clampEps = clampEps;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public MsSsimLoss build() {
            return new MsSsimLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
