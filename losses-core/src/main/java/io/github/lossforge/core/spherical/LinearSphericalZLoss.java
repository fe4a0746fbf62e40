package io.github.lossforge.core.spherical;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * The spherical Z-loss of a linear output layer \( o = W h + b \) (V outputs), computed without
 * forming the N×V outputs: the loss depends on them only through their mean, their variance and the
 * target output, and each of those is a small quadratic form in h,
 *
 * <p>\( W_c = W - \tfrac{1}{V}\mathbf{1}\bar w^\top,\ \bar w = W^\top \mathbf{1},\ b_c = b - \bar b,\
 * o_c - \mu = (W_c)_c \cdot h + (b_c)_c,\ \sigma^2 = \tfrac{1}{V}\big(h^\top W_c^\top W_c h + 2 h^\top
 * W_c^\top b_c + \|b_c\|^2\big), \)
 *
 * <p>then the Z-loss \( L = \frac{1}{a}\log(1 + e^{a(b - z_c)}) \) with \( z_c = (o_c - \mu)/\sqrt{\sigma^2
 * + \varepsilon^2} \), exactly as {@code z-loss-spherical} ({@link
 * SphericalZLoss}) on the materialised outputs. Cost O(V·d² +
 * N·d²); extra memory O(d² + N·d): nothing of size V beyond W itself and the bias, and never N×V. The
 * Gram matrix of the centred columns is formed as \( W^\top W - V m m^\top \) (m the mean row of W), so
 * no centred copy of W is made; the bias is centred exactly. The subtraction loses relative precision
 * of about ε·|m|²/σ_W² (σ_W² the spread of W's rows around m): harmless for trained output layers in
 * float64 and in float32 while their mean row is small against the spread; if it is not, centre W
 * first (the loss does not change when the same vector is added to every row of W).
 *
 * <p>Slots: predictions[0] hidden h (N, d); predictions[1] weight W (V, d); predictions[2] (optional)
 * bias b (V); labels[0] target indices (N), int64 in [0, V). Parameters: {@code a} (1.0, &gt; 0),
 * {@code b} (0.0), {@code eps} (1e-6, ≥ 0), {@code reduction} (mean).
 *
 * <p>Paper: Alexandre de Brébisson, Pascal Vincent, "The Z-loss: a shift and scale invariant
 * classification loss belonging to the Spherical Family", 2016, arXiv 1604.08859; the Gram-matrix
 * evaluation follows Vincent, de Brébisson, Bouthillier, "Efficient Exact Gradient Update for training
 * Deep Networks with Very Large Sparse Targets", NIPS 2015, arXiv 1412.7091. The authors' O(d²) exact
 * SGD update of W itself (factored W = V U) is not part of this loss: gradients flow to W through
 * DJL's autograd as usual, so any optimizer works.
 */
public final class LinearSphericalZLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "z-loss-spherical-linear";

    /** The default sharpness a. */
    public static final double DEFAULT_A = ZLossBuilder.DEFAULT_A;

    /** The default saturation z-score b. */
    public static final double DEFAULT_B = ZLossBuilder.DEFAULT_B;

    /** The default ε added (squared) to the variance. */
    public static final double DEFAULT_EPS = ZLossBuilder.DEFAULT_EPS;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, LinearSphericalZLoss.class)
                    .paper("de Brébisson, Vincent: The Z-loss: a shift and scale invariant classification"
                            + " loss belonging to the Spherical Family, 2016, arXiv 1604.08859")
                    .prediction("P0 hidden (N,d)")
                    .prediction("P1 weight (V,d)")
                    .prediction("P2? bias (V)")
                    .label("L0 target (N) int64")
                    .example("a large-vocabulary output layer, the model returns hidden states and the head's W (and b):"
                            + " examples/run-examples.sh lm.TinyLanguageModel --loss z-loss-spherical-linear")
                    .params(ZLossBuilder.PARAMETERS)
                    .factory(p -> builder().fromParams(p).build())
                    .build();

    private final double a;
    private final double b;
    private final double eps;

    private LinearSphericalZLoss(Builder builder) {
        super(ID, builder.reduction(), true);
        SphericalZ.validate(ID, builder.a(), builder.b(), builder.eps());
        this.a = builder.a();
        this.b = builder.b();
        this.eps = builder.eps();
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
        in.requireSlots(1, 1, 2, 3);
        Slot hidden = in.prediction(0, "hidden").requireRank("(N, d)", 2);
        Slot weight = in.prediction(1, "weight").requireRank("(V, d)", 2);
        if (weight.size(1) != hidden.size(1)) {
            throw weight.fail("has shape " + weight.shape() + ", expected (V, " + hidden.size(1)
                    + ") to match the hidden size of predictions[0] (hidden) " + hidden.shape());
        }
        long vocabulary = weight.size(0);
        Slot target = in.label(0, "target").requireRank("(N)", 1).requireSameBatch(hidden);
        target.requireClassIndices(vocabulary);

        NDArray h = hidden.array();
        NDArray w = weight.array();
        // Gram matrix of the centred columns without a centred copy of W: W_cᵀW_c = WᵀW − V·m mᵀ
        NDArray rowMean = w.mean(new int[] {0}, true);
        NDArray gram = w.transpose().matMul(w).sub(Scalar.mul(rowMean.transpose().matMul(rowMean), vocabulary));
        NDArray targetIndex = target.array().toType(DataType.INT64, false);
        NDArray targetRows = w.gather(targetIndex.reshape(-1, 1).broadcast(h.getShape()), 0);
        // the batch-side operand comes first, so the result belongs to the batch's manager, not W's
        NDArray centredTarget = h.mul(targetRows.sub(rowMean)).sum(new int[] {1});
        NDArray spread = h.matMul(gram).mul(h).sum(new int[] {1});
        if (in.hasPrediction(2)) {
            Slot bias = in.prediction(2, "bias").requireRank("(V)", 1);
            if (bias.size(0) != vocabulary) {
                throw bias.fail("has shape " + bias.shape() + ", expected (" + vocabulary
                        + ") to match predictions[1] (weight) " + weight.shape());
            }
            NDArray centredB = bias.array().sub(bias.array().mean());
            centredTarget = centredTarget.add(centredB.gather(targetIndex, 0));
            // W_cᵀ b_c = Wᵀ b_c, since the entries of b_c sum to 0
            NDArray cross = h.matMul(w.transpose().matMul(centredB.reshape(-1, 1))).reshape(-1);
            spread = spread.add(cross.add(cross)).add(centredB.square().sum());
        }
        return SphericalZ.loss(centredTarget, Scalar.div(spread, vocabulary), a, b, eps);
    }

    /** Builds a {@link LinearSphericalZLoss}. */
    public static final class Builder extends ZLossBuilder<Builder> {

        private Builder() {}

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public LinearSphericalZLoss build() {
            return new LinearSphericalZLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
