package io.github.lossforge.segmentation.pansharpening;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.LossParams;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.segmentation.DenseSlots;

import java.util.Arrays;
import java.util.List;

/**
 * The λ-PNN unsupervised pansharpening loss
 * \( L = \alpha\,\text{R-ERGAS}(D(\hat y), MS) + \beta\,D_\lambda(D(\hat y), MS) + \gamma\,L_S(\hat y,
 * PAN) \), per sample.
 *
 * <ul>
 *   <li>D is the MTF-matched degradation: replicate padding by 20, each band filtered with its
 *       sensor's 41×41 MTF kernel, decimation keeping rows and columns ratio/2, ratio/2 + ratio, ….
 *       By default ({@code mtf = toolbox}) the kernels are the official {@code gen_mtf} of the
 *       pansharpening toolbox, which the literature's quality figures are computed with: the Gaussian
 *       \( e^{-(u^2 + v^2)/2a^2} \), \( a = \frac{40}{2r}/\sqrt{-2\ln G} \), sampled on the frequency
 *       grid u, v ∈ {−20, …, 20} (so it is G at u = 20/r, meant as the MS Nyquist frequency) and cut
 *       to 0 below the float64 epsilon, its 41-point inverse DFT centred, each column multiplied by
 *       a 1-D Kaiser(β = 0.5) window (the rows are not windowed, as in the official code), negatives
 *       clipped, unit sum; the kernel is not separable and filters in 2-D. On the DFT's grid u = 20/r
 *       lies slightly below the MS Nyquist frequency, so the actual response at Nyquist is about
 *       0.93–0.95·G, an artefact of the official construction kept on purpose.
 *       {@code mtf = gaussian} instead takes a separable 41-tap spatial Gaussian with σ =
 *       r·√(−2 ln G)/π, whose response at Nyquist is exactly G.
 *   <li>R-ERGAS \( = \frac{100}{r}\sqrt{\frac{1}{B}\sum_b \operatorname{mean}((D_b - MS_b)^2) /
 *       \operatorname{mean}(MS_b)^2} \).
 *   <li>\( D_\lambda = 1 - Q2^n(2048\,D(\hat y), 2048\,MS) \): the hypercomplex quality index of
 *       Garzelli and Nencini on non-overlapping blocks, the modulus of each block's index averaged
 *       over the blocks (bands zero-padded to a power of two, sides replicate-padded to powers of two,
 *       as the official code).
 *   <li>\( L_S = \operatorname{mean}_{b,h,w}\, x\,[x > \theta] \), \( x = 1 - \max(\rho_w(\hat y_b,
 *       PAN), -1) \) with the official local correlation field ρ of half-width w = ⌈r/2⌉ (window
 *       rows/columns [p − w + 1, p + w], zero padding, each pixel centred with its own local mean), and
 *       the threshold map \( \theta = 1 - \rho_8(PAN_{lp}, MS_{up}) \), PAN_lp being PAN filtered with
 *       the first band's MTF kernel after reflect padding (θ has no gradient). Gradient flows only where
 *       the output's correlation with PAN is below the reference correlation; the mean divides by all
 *       B·H·W elements.
 * </ul>
 *
 * <p>Slots: predictions[0] the fused image (N, B, H, W); labels[0] PAN (N, 1, H, W), labels[1] the
 * multispectral image MS (N, B, H/r, W/r), labels[2] MS upsampled to PAN resolution (N, B, H, W) (the
 * official 23-tap interpolation; used only by the threshold map). H and W must be multiples of r, at
 * least 21 (the MTF kernel's reflect padding of 20 needs more than 20 pixels) and at least 2r; every
 * MS band mean must be non-zero (R-ERGAS divides by it). Data are expected as in the official code,
 * 11-bit values divided by 2048 (this matters only to the rounded D_λ, which rounds 2048·x; the other
 * terms are scale-free). Reduction {@code none} gives (N).
 *
 * <p>Parameters: {@code sensor} (WV3; WV3, WV2 or GE1: the MTF gains at Nyquist WV3 (0.325, 0.355,
 * 0.360, 0.350, 0.365, 0.360, 0.335, 0.315), WV2 (0.35 ×7, 0.27), GE1 (0.23 ×4), and the training
 * weights); {@code alpha}, {@code beta}, {@code gamma} (the sensor's training weights WV3 (0.05, 1.25,
 * 3.75), WV2 (0.05, 1.0, 4.25), GE1 (0.075, 1.5, 4.0); the official target-adaptive fine-tuning uses γ
 * = 5.0, 6.0 and 7.0 instead: pass {@code gamma}); {@code ratio} r (4, ≥ 2); {@code differentiableQ} (false)
 * (true: D_λ on the unrounded images, so β·D_λ takes part in training; false: the official rounding to
 * integers, under which D_λ contributes a value but exactly zero gradient, so training is driven by
 * R-ERGAS and L_S alone); {@code nyquistGain} (the sensor's gains; a number: that gain for every band,
 * for sensors outside the presets and any band count; the builder also takes one gain per band);
 * {@code mtf} ({@code toolbox}: the official {@code gen_mtf} kernels; {@code gaussian}: the analytic
 * separable Gaussian); {@code reduction} (mean).
 *
 * <p>Paper: Matteo Ciotola, Giovanni Poggi, Giuseppe Scarpa, "Unsupervised Deep Learning-based
 * Pansharpening with Jointly-Enhanced Spectral and Spatial Fidelity", IEEE TGRS 2023, arXiv 2307.14403;
 * official code matciotola/Lambda-PNN ({@code loss.StructuralLoss}, {@code metrics.DowngradeProtocol,
 * ERGAS, ReproDLambdaKhan, Q2n}, {@code tools.cross_correlation.xcorr_torch},
 * {@code tools.utils.local_corr_mask}, {@code tools.spectral_tools.gen_mtf}).
 *
 * <p>Differs from the official code:
 * <ul>
 *   <li>Only with {@code mtf = gaussian} (not the default): the MTF kernels are built directly in the
 *       spatial domain, a separable 41-tap Gaussian with σ = r·√(−2 ln G)/π whose frequency response
 *       at the MS Nyquist frequency 1/(2r) is exactly the gain G, normalised to unit sum. The official
 *       {@code gen_mtf} kernels (the default {@code toolbox}) have σ 41/40 times larger, a response at
 *       Nyquist of about 0.94·G (0.307 for WV3's first band, G = 0.325), and differ from these by up to
 *       5% of the kernel's peak (measured on the official {@code gen_mtf} for WV3, WV2 and GE1 at
 *       ratio 4). The default kernels are the official ones to 1e-12, in float64 before the cast to
 *       the input's dtype (the official casts them to float32).
 *   <li>Q2^n blocks are min(32, padded side) pixels square: the official fixed 32-pixel blocks crash on
 *       MS images of 16 pixels or fewer. Sides are replicate-padded to the next power of two as in the
 *       official code, but each axis by its own difference (the official pads the columns by the rows'
 *       difference and vice versa, which only agrees for square images).
 *   <li>A reference band that is flat over a Q2^n block (standard deviation 0) is normalised by 1, not
 *       by the official tiny floor: the floor multiplies that band's test values by 10¹⁰ or more, which
 *       overflows float32 gradients (NaN) and leaves only rounding noise in the block's covariance. When
 *       the whole reference block is flat the index is the same (its covariance is 0 either way).
 *   <li>{@code differentiableQ} (default false, as the contract fixes: the official rounded D_λ, which
 *       contributes no gradient); true skips the rounding so D_λ trains the network too.
 *   <li>The decimation offset is ratio/2 (the official hard-codes 2, its ratio being 4); the
 *       misregistration shift ({@code fineshift}) is not applied (the official training passes a zero
 *       shift, the identity).
 *   <li>Everything is computed in the input's dtype (the official computes the correlation fields and
 *       the degradation in float64, the threshold map in float32); R-ERGAS's square root takes its
 *       argument floored at 1e-30 so a perfect match gives a zero, not an undefined, gradient.
 *   <li>The threshold map is computed inside the loss from labels[0] and labels[2] (the official
 *       precomputes it in its data set).
 * </ul>
 */
public final class LambdaPnnLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "pansharpening";

    /** How the MTF kernels are built, written as their words in the registry and {@code optMtf(String)}. */
    public enum Mtf implements Choice {
        /** The pansharpening toolbox's {@code gen_mtf} kernels (the default, as the official code). */
        TOOLBOX,
        /** The analytic separable Gaussian kernels whose response at Nyquist is exactly the gain. */
        GAUSSIAN
    }

    private static final String SENSOR_DEFAULT = "sensor";

    /** The sensors with presets: MTF gains at Nyquist per band and the training weights (α, β, γ). */
    public enum Sensor implements Choice {
        /** WorldView-3, 8 bands. */
        WV3(new double[] {0.325, 0.355, 0.360, 0.350, 0.365, 0.360, 0.335, 0.315}, 0.05, 1.25, 3.75),
        /** WorldView-2, 8 bands. */
        WV2(new double[] {0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.27}, 0.05, 1.0, 4.25),
        /** GeoEye-1, 4 bands. */
        GE1(new double[] {0.23, 0.23, 0.23, 0.23}, 0.075, 1.5, 4.0);

        private final double[] gains;
        private final double alpha;
        private final double beta;
        private final double gamma;

        Sensor(double[] gains, double alpha, double beta, double gamma) {
            this.gains = gains;
            this.alpha = alpha;
            this.beta = beta;
            this.gamma = gamma;
        }

        /**
         * The MTF gains at Nyquist, one per band.
         *
         * @return a copy of the gains
         */
        public double[] gains() {
            return gains.clone();
        }

        /**
         * The training weight of R-ERGAS.
         *
         * @return α
         */
        public double alpha() {
            return alpha;
        }

        /**
         * The training weight of D_λ.
         *
         * @return β
         */
        public double beta() {
            return beta;
        }

        /**
         * The training weight of the structural loss.
         *
         * @return γ
         */
        public double gamma() {
            return gamma;
        }
    }

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, LambdaPnnLoss.class)
                    .paper("Ciotola, Poggi, Scarpa: Unsupervised Deep Learning-based Pansharpening with Jointly-Enhanced"
                            + " Spectral and Spatial Fidelity, IEEE TGRS 2023, arXiv 2307.14403")
                    .prediction("P0 fused (N,B,H,W)")
                    .label("L0 PAN (N,1,H,W)")
                    .label("L1 MS (N,B,H/ratio,W/ratio)")
                    .label("L2 MS upsampled (N,B,H,W)")
                    .example("a fused image trained from PAN and MS alone: examples/run-examples.sh segmentation.Pansharpening")
                    .param(ParamSpec.word("sensor", Sensor.WV3,
                            "sensor presets (MTF gains, weights): WV3, WV2 or GE1"))
                    .param(ParamSpec.wordOrNumber("alpha", SENSOR_DEFAULT, List.of(SENSOR_DEFAULT),
                            "≥ 0: weight of R-ERGAS (sensor: WV3 0.05, WV2 0.05, GE1 0.075)"))
                    .param(ParamSpec.wordOrNumber("beta", SENSOR_DEFAULT, List.of(SENSOR_DEFAULT),
                            "≥ 0: weight of D_λ (sensor: WV3 1.25, WV2 1.0, GE1 1.5)"))
                    .param(ParamSpec.wordOrNumber("gamma", SENSOR_DEFAULT, List.of(SENSOR_DEFAULT),
                            "≥ 0: weight of the structural loss (sensor: WV3 3.75, WV2 4.25, GE1 4.0)"))
                    .param(ParamSpec.integer("ratio", 4L, "≥ 2: PAN/MS resolution ratio"))
                    .param(ParamSpec.bool("differentiableQ", false,
                            "D_λ without the official rounding (false: rounded, zero gradient)"))
                    .param(ParamSpec.wordOrNumber("nyquistGain", SENSOR_DEFAULT, List.of(SENSOR_DEFAULT),
                            "MTF gain at Nyquist in (0, 1): the sensor's per band, or one gain for every band"))
                    .param(ParamSpec.word("mtf", Mtf.TOOLBOX,
                            "MTF kernels: the toolbox's gen_mtf (official) or the analytic Gaussian"))
                    .factory(LambdaPnnLoss::fromParams)
                    .build();

    private final double alpha;
    private final double beta;
    private final double gamma;
    private final int ratio;
    private final boolean differentiableQ;
    private final double[] gains;
    private final MtfKernels mtf;

    private LambdaPnnLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (b.sensor == null) {
            throw new IllegalArgumentException(ID + ": sensor must not be null, expected WV3, WV2 or GE1");
        }
        this.alpha = requireWeight("alpha", b.alpha == null ? b.sensor.alpha() : b.alpha);
        this.beta = requireWeight("beta", b.beta == null ? b.sensor.beta() : b.beta);
        this.gamma = requireWeight("gamma", b.gamma == null ? b.sensor.gamma() : b.gamma);
        if (b.ratio < 2) {
            throw new IllegalArgumentException(ID + ": ratio must be a whole number ≥ 2, got " + b.ratio);
        }
        this.ratio = b.ratio;
        this.differentiableQ = b.differentiableQ;
        this.gains = b.gains == null ? b.sensor.gains() : b.gains.clone();
        if (gains.length == 0) {
            throw new IllegalArgumentException(ID + ": nyquistGains must hold at least one gain");
        }
        for (double g : gains) {
            if (!(g > 0 && g < 1)) {
                throw new IllegalArgumentException(ID + ": every MTF gain at Nyquist must lie in (0, 1), got "
                        + Arrays.toString(gains));
            }
        }
        this.mtf = switch (b.mtf) {
            case TOOLBOX -> MtfKernels.toolbox(gains, ratio);
            case GAUSSIAN -> MtfKernels.gaussian(gains, ratio);
        };
    }

    private static double requireWeight(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(ID + ": " + name + " must be a finite number ≥ 0, got " + value);
        }
        return value;
    }

    private static BaseLoss fromParams(LossParams p) {
        Builder b = builder()
                .optSensor(p.word("sensor"))
                .optRatio((int) p.integer("ratio"))
                .optDifferentiableQ(p.bool("differentiableQ"))
                .optMtf(p.word("mtf"))
                .optReduction(p.reduction());
        if (p.get("alpha") instanceof Number) {
            b.optAlpha(((Number) p.get("alpha")).doubleValue());
        }
        if (p.get("beta") instanceof Number) {
            b.optBeta(((Number) p.get("beta")).doubleValue());
        }
        if (p.get("gamma") instanceof Number) {
            b.optGamma(((Number) p.get("gamma")).doubleValue());
        }
        if (p.get("nyquistGain") instanceof Number) {
            b.optNyquistGains(((Number) p.get("nyquistGain")).doubleValue());
        }
        return b.build();
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
        in.requireSlots(3, 3, 1, 1);
        Slot fused = in.prediction(0, "fused").requireRank("(N, B, H, W)", 4);
        long n = fused.size(0);
        long bands = fused.size(1);
        long h = fused.size(2);
        long w = fused.size(3);
        if (gains.length != 1 && bands != gains.length) {
            throw fused.fail("has shape " + fused.shape() + " with " + bands + " bands, expected " + gains.length
                    + " bands, one per MTF gain");
        }
        requireSides(fused, h, w);
        Slot pan = in.floatLabel(0, "PAN").requireShape(new Shape(n, 1, h, w), "(N, 1, H, W) to match the fused image");
        Slot ms = in.floatLabel(1, "MS")
                .requireShape(new Shape(n, bands, h / ratio, w / ratio), "(N, B, H/ratio, W/ratio) with ratio " + ratio);
        Slot msUp = DenseSlots.requireShapeOf(in.floatLabel(2, "MS upsampled"), fused);
        requireNonZeroBandMeans(ms);
        MtfKernels bandKernels = mtf.forBands((int) bands);
        NDArray x = fused.array();
        NDArray degraded = PansharpeningMath.degrade(x, bandKernels, ratio);
        NDArray msArray = ms.array().stopGradient();
        NDArray threshold = PansharpeningMath.thresholdMap(pan.array().stopGradient(), msUp.array().stopGradient(),
                bandKernels);
        NDArray loss = Scalar.mul(PansharpeningMath.relativeErgas(degraded, msArray, ratio), alpha);
        NDArray dLambda = PansharpeningMath.q2n(degraded, msArray, !differentiableQ).neg().add(1);
        loss = loss.add(Scalar.mul(dLambda, beta));
        NDArray structural = PansharpeningMath.structural(x, pan.array().stopGradient(), threshold, ratio);
        return loss.add(Scalar.mul(structural, gamma));
    }

    private void requireSides(Slot fused, long h, long w) {
        long min = Math.max(MtfKernels.TAPS / 2 + 1, 2L * ratio);
        if (h < min || w < min) {
            throw fused.fail("has shape " + fused.shape() + ": images of " + h + "×" + w + " are too small, expected"
                    + " H and W ≥ " + min + " (the " + MtfKernels.TAPS + "-tap MTF kernel's reflect"
                    + " padding needs more than " + MtfKernels.TAPS / 2 + " pixels, and MS sides ≥ 2)");
        }
        if (h % ratio != 0 || w % ratio != 0) {
            throw fused.fail("has shape " + fused.shape() + ": H and W must be multiples of the ratio " + ratio);
        }
    }

    private static void requireNonZeroBandMeans(Slot ms) {
        Shape s = ms.shape();
        ms.requireValues(a -> {
            NDArray absMeans = a.reshape(s.get(0), s.get(1), -1).mean(new int[] {2}).abs().reshape(-1);
            return new NDArray[] {absMeans.min(), absMeans.argMin()};
        }, v -> {
            long at = (long) v[1];
            return v[0] == 0 ? "has a band of mean 0 (sample " + at / s.get(1) + ", band " + at % s.get(1)
                    + "), expected non-zero band means: R-ERGAS divides by the squared band mean" : null;
        });
    }

    /** Builds a {@link LambdaPnnLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private Sensor sensor = Sensor.WV3;
        private Double alpha;
        private Double beta;
        private Double gamma;
        private int ratio = 4;
        private boolean differentiableQ = false;
        private double[] gains;
        private Mtf mtf = Mtf.TOOLBOX;

        private Builder() {}

        /**
         * Sets the sensor whose MTF gains and training weights are the defaults.
         *
         * @param sensor WV3, WV2 or GE1 (default WV3)
         * @return this
         */
        public Builder optSensor(Sensor sensor) {
            this.sensor = Choice.require(sensor, ID, "sensor");
            return this;
        }

        /**
         * Chooses the sensor by its word (case-insensitive).
         *
         * @param sensor {@code wv3} (default), {@code wv2} or {@code ge1}
         * @return this
         * @throws IllegalArgumentException when the word names no sensor
         */
        public Builder optSensor(String sensor) {
            return optSensor(Choice.parse(Sensor.class, ID, "sensor", sensor));
        }

        /**
         * Sets the weight of R-ERGAS.
         *
         * @param alpha ≥ 0 (default the sensor's: WV3 0.05, WV2 0.05, GE1 0.075)
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Sets the weight of D_λ.
         *
         * @param beta ≥ 0 (default the sensor's: WV3 1.25, WV2 1.0, GE1 1.5)
         * @return this
         */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Sets the weight of the structural loss.
         *
         * @param gamma ≥ 0 (default the sensor's training weight: WV3 3.75, WV2 4.25, GE1 4.0)
         * @return this
         */
        public Builder optGamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /**
         * Sets the PAN/MS resolution ratio.
         *
         * @param ratio ≥ 2 (default 4)
         * @return this
         */
        public Builder optRatio(int ratio) {
            this.ratio = ratio;
            return this;
        }

        /**
         * Chooses between the differentiable D_λ and the official rounded one.
         *
         * @param differentiableQ false (default): the official rounding, zero gradient; true: no rounding
         * @return this
         */
        public Builder optDifferentiableQ(boolean differentiableQ) {
            this.differentiableQ = differentiableQ;
            return this;
        }

        /**
         * Overrides the sensor's MTF gains at Nyquist.
         *
         * @param gains one gain in (0, 1) for every band, or one per band (default the sensor's)
         * @return this
         */
        public Builder optNyquistGains(double... gains) {
            this.gains = gains.clone();
            return this;
        }

        /**
         * Chooses how the MTF kernels are built.
         *
         * @param mtf {@link Mtf#TOOLBOX} (default: the official {@code gen_mtf}) or {@link Mtf#GAUSSIAN}
         *     (the analytic separable Gaussian)
         * @return this
         */
        public Builder optMtf(Mtf mtf) {
            this.mtf = Choice.require(mtf, ID, "mtf");
            return this;
        }

        /**
         * Chooses how the MTF kernels are built, by its word (case-insensitive).
         *
         * @param mtf {@code toolbox} (default) or {@code gaussian}
         * @return this
         * @throws IllegalArgumentException when the word is neither
         */
        public Builder optMtf(String mtf) {
            return optMtf(Choice.parse(Mtf.class, ID, "mtf", mtf));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public LambdaPnnLoss build() {
            return new LambdaPnnLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
