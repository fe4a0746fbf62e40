package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.github.lossforge.core.Scalar;

/**
 * A DJL block that maps Euclidean features onto the Poincaré ball (hyptorch's {@code ToPoincare}):
 * optionally clip \( x \leftarrow x \min(1, r/(\lVert x\rVert + 10^{-5})) \), then \( z =
 * \mathrm{proj}(\exp_0(x)) \), or with a learnable base point \( z = \mathrm{proj}(\exp_b(x)) \), \( b
 * = \mathrm{proj}(\exp_0(b_{raw})) \) (\( b_{raw} \) initialised to 0, so training starts from
 * \( \exp_0 \)). With {@code riemannian} (default) the backward pass rescales the gradient by the
 * inverse metric \( (1 - c\lVert z\rVert^2)^2/4 \) ({@link PoincareBall#withRiemannianGradient}).
 *
 * <p>Input (N, d) features; output (N, d) points of the ball of curvature −c, ready for {@code
 * hyp-pc}, {@code hyp-ce} or {@link HyperbolicMlr}. Hyp-OC uses c = 0.1, r = 2 and a learnable base
 * point. Paper: Ganea, Bécigneul, Hofmann, "Hyperbolic Neural Networks", NeurIPS 2018, arXiv
 * 1805.09112; Khrulkov et al., "Hyperbolic Image Embeddings", CVPR 2020, arXiv 1904.02239 (hyptorch).
 */
public final class ToPoincare extends AbstractBlock {

    private static final byte VERSION = 1;

    /** The constant hyptorch adds to the norm of the clip factor. */
    private static final double CLIP_EPS = 1e-5;

    private final PoincareBall ball;
    private final double clipRadius;
    private final boolean riemannian;
    private final Parameter basePoint;

    private ToPoincare(Builder b) {
        super(VERSION);
        if (!(b.clipRadius > 0)) {
            throw new IllegalArgumentException("ToPoincare: clipRadius must be > 0 (or infinite for none), got "
                    + b.clipRadius);
        }
        this.ball = new PoincareBall(b.curvature);
        this.clipRadius = b.clipRadius;
        this.riemannian = b.riemannian;
        this.basePoint = b.trainBasePoint
                ? addParameter(Parameter.builder().setName("basePoint").setType(Parameter.Type.OTHER)
                        .optInitializer(Initializer.ZEROS).build())
                : null;
    }

    /**
     * Starts a builder.
     *
     * @return a builder: c = 0.1, no clipping, fixed base point 0, Riemannian gradient on
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The ball this block maps onto.
     *
     * @return the ball
     */
    public PoincareBall ball() {
        return ball;
    }

    /** {@inheritDoc} */
    @Override
    protected void prepare(Shape[] inputShapes) {
        if (basePoint != null) {
            basePoint.setShape(new Shape(inputShapes[0].get(inputShapes[0].dimension() - 1)));
        }
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (!Double.isInfinite(clipRadius)) {
            NDArray norm = PoincareBall.norm(x).add(CLIP_EPS);
            x = x.mul(Scalar.min(Scalar.of(norm, clipRadius).div(norm), 1));
        }
        NDArray z;
        if (basePoint == null) {
            z = ball.project(ball.expMap0(x));
        } else {
            NDArray value = store.getValue(basePoint, x.getDevice(), training);
            NDArray b = ball.project(ball.expMap0(HyperbolicMlr.onBatch(x, value).reshape(1, -1)));
            z = ball.project(ball.expMap(b, x));
        }
        return new NDList(riemannian ? ball.withRiemannianGradient(z) : z);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Builds a {@link ToPoincare}. */
    public static final class Builder {
        private double curvature = HyperbolicPairwiseConfusionLoss.DEFAULT_CURVATURE;
        private double clipRadius = Double.POSITIVE_INFINITY;
        private boolean trainBasePoint;
        private boolean riemannian = true;

        private Builder() {}

        /**
         * Sets the curvature magnitude c.
         *
         * @param curvature &gt; 0 (default 0.1)
         * @return this
         */
        public Builder optCurvature(double curvature) {
            this.curvature = curvature;
            return this;
        }

        /**
         * Sets the feature clipping radius r (Hyp-OC: 2).
         *
         * @param clipRadius &gt; 0 (default: no clipping)
         * @return this
         */
        public Builder optClipRadius(double clipRadius) {
            this.clipRadius = clipRadius;
            return this;
        }

        /**
         * Makes the base point of the exponential map learnable.
         *
         * @param trainBasePoint true for \( \exp_b \) with learnable b (default false: \( \exp_0 \))
         * @return this
         */
        public Builder optTrainBasePoint(boolean trainBasePoint) {
            this.trainBasePoint = trainBasePoint;
            return this;
        }

        /**
         * Sets whether the backward pass applies the Riemannian rescaling.
         *
         * @param riemannian true (default) or false (plain Euclidean gradient)
         * @return this
         */
        public Builder optRiemannian(boolean riemannian) {
            this.riemannian = riemannian;
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the block
         */
        public ToPoincare build() {
            return new ToPoincare(this);
        }
    }
}
