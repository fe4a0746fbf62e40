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

/**
 * Attend-and-Excite's loss: the most neglected subject token's maximum attention, \( L = \max_{s \in
 * S} \max(0, 1 - \max_{ij} G * \tilde A_s) \), where \( \tilde A = \mathrm{softmax}(c \cdot A_{:,:,1:})
 * \) over the tokens without the start token (c = {@code softmaxScale}), \(G\) is a k×k Gaussian
 * with the official code's weights \( \exp(-((x-\mu)/(2\sigma))^2) \) per axis, normalised (an
 * effective standard deviation of σ√2: 0.0449 / 0.1221 / 0.3319 for 3×3, σ = 0.5), applied with
 * reflect padding (k−1)/2 so the map keeps its size. The gradient reaches only the worst token's
 * smoothed argmax neighbourhood.
 *
 * <p>Slots: predictions[0] cross-attention probabilities, head- and layer-averaged: (H·W, T) for a
 * square map, (H, W, T), or (N, H, W, T) for N images; labels[0] the subject tokens' indices S in
 * the full token axis, each in [1, T) (0 is the start token, which the softmax drops): (K) for all
 * images or (N, K) per image, int64 (int32 accepted). One value per image ({@code none}: (N), N = 1
 * for one image). Parameters: {@code softmaxScale} (100, &gt; 0), {@code smoothKernel} (3, odd ≥ 1;
 * 1 turns smoothing off), {@code smoothSigma} (0.5, &gt; 0), {@code reduction} (mean). The maps must
 * be larger than the padding: H, W &gt; (k−1)/2.
 *
 * <p>Differences from the official code ({@code yuval-alaluf/Attend-and-Excite}, {@code
 * _compute_max_attention_per_index} and {@code _compute_loss}): the softmax runs over every token
 * but the start token (the official code also drops the last of SD's 77 positions, {@code last_idx =
 * -1}; pass the token axis you want to include); a zero loss is a zero array with a zero gradient,
 * not the Python int 0. The latent update (α_t = 20·√linspace(1, 0.5, 50)[t] for t &lt; 25, iterative
 * refinement at t ∈ {0, 10, 20} to max attentions {0.05, 0.5, 0.8}) is {@link
 * LatentGuidance#attendAndExcite}.
 *
 * <p>Paper: Hila Chefer, Yuval Alaluf, Yael Vinker, Lior Wolf, Daniel Cohen-Or, "Attend-and-Excite:
 * Attention-Based Semantic Guidance for Text-to-Image Diffusion Models", SIGGRAPH 2023, arXiv 2301.13826.
 */
public final class AttendExciteLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "attend-excite";

    /** The default softmax scale. */
    public static final double DEFAULT_SOFTMAX_SCALE = 100;

    /** The default Gaussian kernel size. */
    public static final int DEFAULT_SMOOTH_KERNEL = 3;

    /** The default Gaussian σ (of the official formula; the effective σ is √2 larger). */
    public static final double DEFAULT_SMOOTH_SIGMA = 0.5;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AttendExciteLoss.class)
                    .paper("Chefer, Alaluf, Vinker, Wolf, Cohen-Or: Attend-and-Excite: Attention-Based Semantic"
                            + " Guidance for Text-to-Image Diffusion Models, SIGGRAPH 2023, arXiv 2301.13826")
                    .prediction("P0 cross-attention (H·W,T), (H,W,T) or (N,H,W,T)")
                    .label("L0 token indices (K) or (N,K) int64, in [1, T)")
                    .example("lossforge guide-demo (LatentGuidance)")
                    .param(ParamSpec.number("softmaxScale", DEFAULT_SOFTMAX_SCALE, "> 0, multiplies A before the softmax"))
                    .param(ParamSpec.integer("smoothKernel", (long) DEFAULT_SMOOTH_KERNEL,
                            "odd >= 1, Gaussian kernel size (1: no smoothing)"))
                    .param(ParamSpec.number("smoothSigma", DEFAULT_SMOOTH_SIGMA, "> 0, Gaussian sigma (official formula)"))
                    .factory(p -> builder()
                            .optSoftmaxScale(p.number("softmaxScale"))
                            .optSmoothKernel((int) p.integer("smoothKernel"))
                            .optSmoothSigma(p.number("smoothSigma"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double softmaxScale;
    private final int smoothKernel;
    private final double smoothSigma;

    private AttendExciteLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.softmaxScale > 0) || Double.isInfinite(b.softmaxScale)) {
            throw new IllegalArgumentException(ID + ": softmaxScale must be a finite number > 0, got " + b.softmaxScale);
        }
        if (b.smoothKernel < 1 || b.smoothKernel % 2 == 0) {
            throw new IllegalArgumentException(ID + ": smoothKernel must be odd and >= 1, got " + b.smoothKernel);
        }
        if (!(b.smoothSigma > 0) || Double.isInfinite(b.smoothSigma)) {
            throw new IllegalArgumentException(ID + ": smoothSigma must be a finite number > 0, got " + b.smoothSigma);
        }
        this.softmaxScale = b.softmaxScale;
        this.smoothKernel = b.smoothKernel;
        this.smoothSigma = b.smoothSigma;
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
        Slot slot = in.prediction(0, "cross-attention").requireRank("(H·W, T), (H, W, T) or (N, H, W, T)", 2, 3, 4);
        NDArray attention = imageBatch(slot);
        Shape s = attention.getShape();
        int n = (int) s.get(0);
        int h = (int) s.get(1);
        int w = (int) s.get(2);
        int t = (int) s.get(3);
        if (t < 2) {
            throw slot.fail("has shape " + slot.shape() + ": expected at least 2 tokens (the start token and one more)");
        }
        int pad = smoothKernel / 2;
        if (h <= pad || w <= pad) {
            throw slot.fail("has " + h + "×" + w + " maps, expected both sides > " + pad
                    + " for the reflect padding of smoothKernel " + smoothKernel);
        }
        long[][] tokens = tokenIndices(in, slot, n, t);
        NDArray text = attention.get(":, :, :, 1:");
        NDArray probabilities = Scalar.mul(text, softmaxScale).softmax(-1);
        NDArray maps = pick(probabilities, tokens, t - 1).reshape(n, tokens[0].length, h, w);
        NDArray smoothed = smooth(maps, h, w);
        NDArray maxima = smoothed.reshape(n, tokens[0].length, -1).max(new int[] {2});
        return Scalar.max(maxima.neg().add(1), 0).max(new int[] {1});
    }

    /** The slot as (N, H, W, T). */
    private static NDArray imageBatch(Slot slot) {
        NDArray a = slot.array();
        switch (slot.shape().dimension()) {
            case 2:
                long hw = slot.size(0);
                long side = Math.round(Math.sqrt(hw));
                if (side * side != hw) {
                    throw slot.fail("has shape " + slot.shape() + ": " + hw
                            + " positions do not form a square map; pass (H, W, T)");
                }
                return a.reshape(1, side, side, slot.size(1));
            case 3:
                return a.expandDims(0);
            default:
                return a;
        }
    }

    /** labels[0] as one row of token indices per image, each checked to lie in [1, T). */
    private static long[][] tokenIndices(LossInputs in, Slot attention, int n, int t) {
        Slot labels = in.label(0, "token indices").requireRank("(K) or (N, K)", 1, 2).requireIntegers();
        boolean perImage = labels.shape().dimension() == 2;
        if (perImage && (attention.shape().dimension() != 4 || labels.size(0) != n)) {
            throw labels.fail("has shape " + labels.shape() + ", expected (K) or (" + n + ", K) for "
                    + attention.describe() + " " + attention.shape());
        }
        int k = (int) labels.size(-1);
        if (k == 0) {
            throw labels.fail("has shape " + labels.shape() + ": no token to excite, expected at least one index");
        }
        labels.requireClassIndices(t);
        long[] flat = labels.array().toType(DataType.INT64, false).toLongArray();
        long[][] rows = new long[n][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                long idx = flat[perImage ? i * k + j : j];
                if (idx == 0) {
                    throw labels.fail("holds token index 0, the start token, which the softmax excludes;"
                            + " expected indices in [1, " + t + ")");
                }
                rows[i][j] = idx;
            }
        }
        return rows;
    }

    /** (N, K, H·W): the softmaxed maps of each image's tokens (index i of the full axis is i − 1 here). */
    private static NDArray pick(NDArray probabilities, long[][] tokens, int textTokens) {
        int n = tokens.length;
        int k = tokens[0].length;
        double[] select = new double[n * k * textTokens];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                select[(i * k + j) * textTokens + (int) tokens[i][j] - 1] = 1;
            }
        }
        NDArray selection = Scalar.array(probabilities, select, new Shape(n, k, textTokens));
        NDArray flat = probabilities.reshape(n, -1, textTokens);
        return selection.matMul(flat.transpose(0, 2, 1));
    }

    /** Separable Gaussian smoothing with reflect padding as two matrix products: S_H · X · S_Wᵀ. */
    private NDArray smooth(NDArray maps, int h, int w) {
        if (smoothKernel == 1) {
            return maps;
        }
        double[] weights = smoothingWeights(smoothKernel, smoothSigma);
        NDArray rows = Scalar.array(maps, reflectConvolution(weights, h), new Shape(h, h));
        NDArray cols = Scalar.array(maps, reflectConvolution(weights, w), new Shape(w, w));
        return rows.matMul(maps).matMul(cols.transpose());
    }

    /**
     * The 1-D weights of the official Gaussian, \( \exp(-((x-\mu)/(2\sigma))^2) \) normalised to sum
     * 1; the 2-D kernel is their outer product (the official code normalises the product, which is
     * the same).
     *
     * @param size the odd kernel size
     * @param sigma σ of the official formula
     * @return the weights
     */
    static double[] smoothingWeights(int size, double sigma) {
        double[] g = new double[size];
        double mean = (size - 1) / 2.0;
        double total = 0;
        for (int x = 0; x < size; x++) {
            double z = (x - mean) / (2 * sigma);
            g[x] = Math.exp(-z * z);
            total += g[x];
        }
        for (int x = 0; x < size; x++) {
            g[x] /= total;
        }
        return g;
    }

    /** The (n, n) matrix of a 1-D convolution with reflect padding: row i gathers its reflected neighbours. */
    private static double[] reflectConvolution(double[] weights, int n) {
        int pad = weights.length / 2;
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int d = -pad; d <= pad; d++) {
                int j = i + d;
                j = j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
                m[i * n + j] += weights[d + pad];
            }
        }
        return m;
    }

    /** Builds an {@link AttendExciteLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double softmaxScale = DEFAULT_SOFTMAX_SCALE;
        private int smoothKernel = DEFAULT_SMOOTH_KERNEL;
        private double smoothSigma = DEFAULT_SMOOTH_SIGMA;

        private Builder() {}

        /**
         * Sets the factor applied to the attention before the softmax over tokens.
         *
         * @param softmaxScale &gt; 0 (default 100)
         * @return this
         */
        public Builder optSoftmaxScale(double softmaxScale) {
            this.softmaxScale = softmaxScale;
            return this;
        }

        /**
         * Sets the Gaussian kernel size.
         *
         * @param smoothKernel odd, ≥ 1 (default 3; 1 turns smoothing off)
         * @return this
         */
        public Builder optSmoothKernel(int smoothKernel) {
            this.smoothKernel = smoothKernel;
            return this;
        }

        /**
         * Sets σ of the official Gaussian formula.
         *
         * @param smoothSigma &gt; 0 (default 0.5)
         * @return this
         */
        public Builder optSmoothSigma(double smoothSigma) {
            this.smoothSigma = smoothSigma;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public AttendExciteLoss build() {
            return new AttendExciteLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
