package io.github.lossforge.contrastive.hyperbolic;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * Hyp-CE: cross-entropy over the logits of hyperbolic multinomial logistic regression (Ganea et
 * al.'s hyperbolic MLR), as the classification term of Hyp-OC.
 *
 * <p>For a point z of the ball of curvature −c and class k with offset \( p_k \) (on the ball) and
 * normal \( a_k \) (tangent at \( p_k \)), with \( w = (-p_k) \oplus z \):
 * \[ \operatorname{logit}_k(z) = \frac{\lambda_{p_k} \lVert a_k\rVert}{\sqrt c}
 * \operatorname{asinh}\!\left( \frac{2\sqrt c\, \langle w, a_k\rangle}{(1 - c\lVert w\rVert^2)
 * \lVert a_k\rVert} \right), \qquad \ell_i = -\log \operatorname{softmax}_k(\operatorname{logit}(z_i))_{y_i} \]
 * (\( \lambda_p = 2/(1 - c\lVert p\rVert^2) \)). The {@code HyperbolicMlr} parametrisation maps raw
 * parameters to these slots as \( p = \exp_0(p_{raw}) \), \( a = a_{raw}(1 - c\lVert p\rVert^2) \)
 * (spec §6). Guards: \( 1 - c\lVert w\rVert^2 \) and \( \lVert a_k\rVert \) are floored at
 * \( 10^{-15} \); asinh is {@link PoincareBall#asinh}.
 *
 * <p>Slots: predictions[0] ball embeddings z (N, d), predictions[1] MLR offsets p (K, d) on the
 * ball, predictions[2] MLR normals a (K, d); labels[0] classes (N) in [0, K) (Hyp-OC: real = 0,
 * pseudo-negative = 1). Points outside the ball are rejected. Parameters: {@code curvature} c (0.1,
 * &gt; 0), {@code reduction} (mean). Returns the per-sample cross-entropy (N).
 *
 * <p>Papers: Narayan, Patel, "Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing",
 * FG 2024, arXiv 2404.14406; Ganea, Bécigneul, Hofmann, "Hyperbolic Neural Networks", NeurIPS 2018,
 * arXiv 1805.09112. Differs from hyptorch's {@code HyperbolicMLR} in taking p and a already mapped
 * (so they can come from any parametrisation) and in the guards of {@link PoincareBall}.
 */
public final class HyperbolicCrossEntropyLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "hyp-ce";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, HyperbolicCrossEntropyLoss.class)
                    .paper("Narayan, Patel: Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing,"
                            + " FG 2024, arXiv 2404.14406")
                    .prediction("P0 ball embeddings (N,d)")
                    .prediction("P1 MLR offsets p on the ball (K,d)")
                    .prediction("P2 MLR normals a (K,d)")
                    .label("L0 classes (N) int64")
                    .example("ball embeddings (ToPoincare) and the offsets and normals of a HyperbolicMlr head:"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss hyp-ce")
                    .param(ParamSpec.number("curvature", HyperbolicPairwiseConfusionLoss.DEFAULT_CURVATURE,
                            "> 0: the ball has curvature -c"))
                    .factory(p -> builder()
                            .optCurvature(p.number("curvature"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final PoincareBall ball;

    private HyperbolicCrossEntropyLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.curvature > 0) || Double.isInfinite(b.curvature)) {
            throw new IllegalArgumentException(ID + ": curvature must be a finite number > 0, got " + b.curvature);
        }
        this.ball = new PoincareBall(b.curvature);
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
        in.requireSlots(1, 1, 3, 3);
        Slot z = in.prediction(0, "ball embeddings").requireRank("(N, d)", 2);
        Slot p = in.prediction(1, "MLR offsets").requireRank("(K, d)", 2);
        Slot a = in.prediction(2, "MLR normals").requireRank("(K, d)", 2);
        if (p.size(1) != z.size(1)) {
            throw p.fail("has shape " + p.shape() + ", expected a dimension of " + z.size(1) + " to match "
                    + z.describe() + " " + z.shape());
        }
        if (!a.shape().equals(p.shape())) {
            throw a.fail("has shape " + a.shape() + ", expected " + p.shape() + " to match " + p.describe());
        }
        Slot y = in.label(0, "classes").requireIntegers().requireRank("(N)", 1).requireSameBatch(z)
                .requireClassIndices(p.size(0));
        HyperbolicInputs.requireInsideBall(z, ball);
        HyperbolicInputs.requireInsideBall(p, ball);
        NDArray logits = mlrLogits(z.array(), p.array(), a.array());
        return Numerics.logProbabilityOf(logits, y.array()).neg();
    }

    /**
     * The hyperbolic MLR logits.
     *
     * @param z (N, d) points of the ball
     * @param p (K, d) offsets on the ball
     * @param a (K, d) normals
     * @return (N, K) logits
     */
    NDArray mlrLogits(NDArray z, NDArray p, NDArray a) {
        double c = ball.curvature();
        double sqrtC = Math.sqrt(c);
        NDArray w = ball.mobiusAdd(p.neg().expandDims(0), z.expandDims(1));
        NDArray aNorm = PoincareBall.norm(a).reshape(1, -1);
        NDArray wa = w.mul(a.expandDims(0)).sum(new int[] {-1});
        NDArray wScale = Scalar.max(Scalar.mul(PoincareBall.squaredNorm(w).squeeze(-1), -c).add(1), PoincareBall.MIN_NORM);
        NDArray argument = Scalar.mul(wa, 2 * sqrtC).div(wScale.mul(aNorm));
        NDArray lambda = ball.conformalFactor(p).reshape(1, -1);
        return Scalar.div(lambda.mul(aNorm), sqrtC).mul(PoincareBall.asinh(argument));
    }

    /** Builds a {@link HyperbolicCrossEntropyLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double curvature = HyperbolicPairwiseConfusionLoss.DEFAULT_CURVATURE;

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
         * Builds the loss.
         *
         * @return the loss
         */
        public HyperbolicCrossEntropyLoss build() {
            return new HyperbolicCrossEntropyLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
