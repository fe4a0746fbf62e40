package io.github.lossforge.segmentation.image;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;

/**
 * The SSIM loss \( 1 - \mathrm{SSIM}(x, y) \), per sample averaged over channels.
 *
 * <p>Per channel, with local Gaussian statistics μ, σ² and σ_xy:
 * \( \mathrm{SSIM} = \operatorname{mean}_{map} \frac{(2\mu_x\mu_y + C_1)(2\sigma_{xy} + C_2)}
 * {(\mu_x^2 + \mu_y^2 + C_1)(\sigma_x^2 + \sigma_y^2 + C_2)} \), \( C_1 = (K_1 L)^2 \), \( C_2 = (K_2
 * L)^2 \). The window is a normalised 1-D Gaussian of {@code window} taps and standard deviation
 * {@code sigma}, applied separably with 'valid' convolution (no padding), as in the common
 * pytorch-msssim implementation; the value is not clamped (SSIM can be negative, so the loss can
 * exceed 1).
 *
 * <p>Slots: predictions[0] x (N, C, H, W); labels[0] y (N, C, H, W), same range as x (no gradient).
 * Both sides must be at least {@code window} pixels. Reduction {@code none} gives (N).
 *
 * <p>Parameters: {@code dataRange} L (1.0; pytorch-msssim's default is 255), {@code window} (11, odd),
 * {@code sigma} (1.5), {@code k1} (0.01), {@code k2} (0.03), {@code reduction} (mean).
 *
 * <p>Paper: Zhou Wang, Alan C. Bovik, Hamid R. Sheikh, Eero P. Simoncelli, "Image Quality Assessment:
 * From Error Visibility to Structural Similarity", IEEE TIP 2004 (no arXiv id).
 *
 * <p>Differs from pytorch-msssim: an image side shorter than the window is rejected with a clear
 * error (pytorch-msssim skips blurring along that side with a warning); the window is built in the
 * input's dtype (pytorch-msssim builds it in float32, a 6e-7 difference in float64).
 */
public final class SsimLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "ssim";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, SsimLoss.class)
                    .paper("Wang, Bovik, Sheikh, Simoncelli: Image Quality Assessment: From Error Visibility to"
                            + " Structural Similarity, IEEE TIP 2004")
                    .prediction("P0 x (N,C,H,W)")
                    .label("L0 y (N,C,H,W)")
                    .example("restored and clean images: examples/run-examples.sh segmentation.ImageDenoising")
                    .param(ParamSpec.number("dataRange", 1.0, "> 0: the dynamic range L of the images"))
                    .param(ParamSpec.integer("window", 11L, "odd number of Gaussian taps"))
                    .param(ParamSpec.number("sigma", 1.5, "> 0: standard deviation of the Gaussian window"))
                    .param(ParamSpec.number("k1", 0.01, "> 0: C1 = (k1·L)²"))
                    .param(ParamSpec.number("k2", 0.03, "> 0: C2 = (k2·L)²"))
                    .factory(p -> builder()
                            .optDataRange(p.number("dataRange"))
                            .optWindow((int) p.integer("window"))
                            .optSigma(p.number("sigma"))
                            .optK1(p.number("k1"))
                            .optK2(p.number("k2"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final int window;
    private final double[] taps;
    private final double c1;
    private final double c2;

    private SsimLoss(Builder b) {
        super(ID, b.reduction(), true);
        SsimWindowBuilder.SsimWindow sw = b.window(ID);
        this.window = sw.size();
        this.taps = sw.taps();
        this.c1 = sw.c1();
        this.c2 = sw.c2();
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
        SsimMath.requireSide(images.x(), window, "for the " + window + "-tap window");
        NDArray ssim = SsimMath.ssim(images.x().array(), images.y(), taps, c1, c2);
        return ssim.mean(new int[] {1}).neg().add(1);
    }

    /** Builds an {@link SsimLoss}. */
    public static final class Builder extends SsimWindowBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public SsimLoss build() {
            return new SsimLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
