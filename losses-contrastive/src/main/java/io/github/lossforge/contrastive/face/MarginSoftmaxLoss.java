package io.github.lossforge.contrastive.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;

/**
 * Additive-margin softmax losses for face recognition: ArcFace ({@code arcface}) and CosFace
 * ({@code cosface}).
 *
 * <p>With unit embeddings \( \hat x_i \) and unit class weights \( \hat W_j \), \( c_{ij} = \cos
 * \theta_{ij} = \langle \hat x_i, \hat W_j \rangle \). The target logit is replaced by a margin
 * cosine \( P(c_{iy_i}) \) and every logit is scaled by s:
 * \[ \ell_i = -\log \frac{e^{s P(c_{iy_i})}}{e^{s P(c_{iy_i})} + \sum_{j \ne y_i} e^{s c_{ij}}} \]
 * ArcFace: \( P(c) = \cos(\theta + m) = c \cos m - \sqrt{\max(1 - c^2, 10^{-12})}\, \sin m \),
 * computed without {@code acos} (whose slope is infinite at ±1). With {@code fallback} (default,
 * as insightface and pytorch-metric-learning) a target whose angle exceeds π − m (that is \( c &lt;
 * \cos(\pi - m) \)) uses \( c - m \sin m \) instead, which keeps the target logit decreasing in θ.
 * CosFace: \( P(c) = c - m \). With m = 0 both are the softmax cross-entropy of \( s\,c \).
 *
 * <p>Slots: predictions[0] embeddings (N, D), predictions[1] class weights (C, D) (both
 * L2-normalised by the loss, so they may be raw); labels[0] classes (N), integers in [0, C).
 * Parameters: {@code scale} s (64, &gt; 0), {@code margin} m (ArcFace 0.5 rad, in [0, π/2]; CosFace
 * 0.35, ≥ 0), {@code fallback} (ArcFace only, true), {@code reduction} (mean). Returns the per-sample
 * cross-entropy (N) before the reduction.
 *
 * <p>Papers: Deng, Guo, Xue, Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face
 * Recognition", CVPR 2019, arXiv 1801.07698; Wang, Wang, Zhou, Ji, Gong, Zhou, Li, Liu, "CosFace:
 * Large Margin Cosine Loss for Deep Face Recognition", CVPR 2018, arXiv 1801.09414. Differs from
 * pytorch-metric-learning in taking the ArcFace margin in radians (PML takes degrees) and the
 * weights as (C, D) (PML stores (D, C)).
 */
public final class MarginSoftmaxLoss extends BaseLoss {

    /** The registry id of ArcFace. */
    public static final String ARCFACE_ID = "arcface";

    /** The registry id of CosFace. */
    public static final String COSFACE_ID = "cosface";

    /** The default scale s of both heads. */
    public static final double DEFAULT_SCALE = 64;

    /** The default ArcFace margin (radians). */
    public static final double DEFAULT_ARC_MARGIN = 0.5;

    /** The default CosFace margin. */
    public static final double DEFAULT_COS_MARGIN = 0.35;

    /** The floor of \( \sin^2\theta = 1 - c^2 \), where the slope of the square root stays finite. */
    static final double SIN_SQUARED_FLOOR = 1e-12;

    /** Which margin a head applies to the target cosine. */
    public enum Head implements Choice {
        /** Additive angular margin: cos(θ + m). */
        ARCFACE,
        /** Additive cosine margin: cos θ − m. */
        COSFACE
    }

    private static final String SLOT_X = "P0 embeddings (N,D)";
    private static final String SLOT_W = "P1 class weights (C,D)";
    private static final String SLOT_Y = "L0 classes (N) int64";
    private static final String EXAMPLE = "embeddings (N,D) and learnable class weights (C,D) with classes (N):"
            + " examples/run-examples.sh contrastive.MetricLearning --loss ";

    /** What the registry knows of {@code arcface}. */
    public static final LossInfo ARCFACE_INFO =
            LossInfo.builder(ARCFACE_ID, MarginSoftmaxLoss.class)
                    .paper("Deng, Guo, Xue, Zafeiriou: ArcFace: Additive Angular Margin Loss for Deep Face"
                            + " Recognition, CVPR 2019, arXiv 1801.07698")
                    .prediction(SLOT_X)
                    .prediction(SLOT_W)
                    .label(SLOT_Y)
                    .example(EXAMPLE + ARCFACE_ID)
                    .param(ParamSpec.number("scale", DEFAULT_SCALE, "> 0: the logit scale s"))
                    .param(ParamSpec.number("margin", DEFAULT_ARC_MARGIN, "in [0, pi/2]: the angular margin m (radians)"))
                    .param(ParamSpec.bool("fallback", true, "use cos(theta) - m sin(m) where theta > pi - m"))
                    .factory(p -> arcFace()
                            .optScale(p.number("scale"))
                            .optMargin(p.number("margin"))
                            .optFallback(p.bool("fallback"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    /** What the registry knows of {@code cosface}. */
    public static final LossInfo COSFACE_INFO =
            LossInfo.builder(COSFACE_ID, MarginSoftmaxLoss.class)
                    .paper("Wang, Wang, Zhou, Ji, Gong, Zhou, Li, Liu: CosFace: Large Margin Cosine Loss for Deep"
                            + " Face Recognition, CVPR 2018, arXiv 1801.09414")
                    .prediction(SLOT_X)
                    .prediction(SLOT_W)
                    .label(SLOT_Y)
                    .example(EXAMPLE + COSFACE_ID)
                    .param(ParamSpec.number("scale", DEFAULT_SCALE, "> 0: the logit scale s"))
                    .param(ParamSpec.number("margin", DEFAULT_COS_MARGIN, ">= 0: the cosine margin m"))
                    .factory(p -> cosFace()
                            .optScale(p.number("scale"))
                            .optMargin(p.number("margin"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final Head head;
    private final double scale;
    private final double margin;
    private final boolean fallback;

    private MarginSoftmaxLoss(Builder b) {
        super(b.head == Head.ARCFACE ? ARCFACE_ID : COSFACE_ID, b.reduction(), true);
        requireScaleAndMargin(id(), b.head, b.scale, b.margin);
        if (b.head == Head.COSFACE && !b.fallback) {
            throw new IllegalArgumentException(id() + ": fallback applies to arcface only");
        }
        this.head = b.head;
        this.scale = b.scale;
        this.margin = b.margin;
        this.fallback = b.fallback && b.head == Head.ARCFACE;
    }

    /**
     * Starts a builder of {@code arcface} (s = 64, m = 0.5, fallback on).
     *
     * @return a builder with ArcFace's defaults
     */
    public static Builder arcFace() {
        return new Builder(Head.ARCFACE, DEFAULT_ARC_MARGIN);
    }

    /**
     * Starts a builder of {@code cosface} (s = 64, m = 0.35).
     *
     * @return a builder with CosFace's defaults
     */
    public static Builder cosFace() {
        return new Builder(Head.COSFACE, DEFAULT_COS_MARGIN);
    }

    /**
     * Checks a head's scale and margin.
     *
     * @param id the loss id, for messages
     * @param head the head
     * @param scale s, finite and &gt; 0
     * @param margin m: ArcFace in [0, π/2], CosFace finite and ≥ 0
     * @throws IllegalArgumentException naming the loss for a bad value
     */
    static void requireScaleAndMargin(String id, Head head, double scale, double margin) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException(id + ": scale must be a finite number > 0, got " + scale);
        }
        if (head == Head.ARCFACE && !(margin >= 0 && margin <= Math.PI / 2)) {
            throw new IllegalArgumentException(id + ": margin must be in [0, pi/2] radians, got " + margin);
        }
        if (head == Head.COSFACE && (!(margin >= 0) || Double.isInfinite(margin))) {
            throw new IllegalArgumentException(id + ": margin must be a finite number >= 0, got " + margin);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        ClassifiedEmbeddings batch = ClassifiedEmbeddings.read(in, 1);
        NDArray cosines = PairMath.cosineMatrix(batch.embeddings(), batch.weights());
        NDArray logits = Scalar.mul(withTargetMargin(cosines, batch.classes(), head, margin, fallback), scale);
        return Numerics.logProbabilityOf(logits, batch.classes()).neg();
    }

    /**
     * The cosine matrix with each row's target entry replaced by its margin cosine \( P(c) \).
     *
     * @param cosines (N, C) cosines
     * @param classes (N) target classes, validated
     * @param head the margin form
     * @param margin m
     * @param fallback ArcFace's θ &gt; π − m switch
     * @return (N, C) margin cosines
     */
    static NDArray withTargetMargin(NDArray cosines, NDArray classes, Head head, double margin, boolean fallback) {
        NDArray target = Numerics.gatherRows(cosines, classes);
        NDArray marginTarget = head == Head.ARCFACE ? angularMargin(target, margin, fallback) : target.sub(margin);
        // the target entries replaced by a scatter: no (N, C) one-hot (C is 10^5 in face recognition)
        NDArray at = classes.toType(DataType.INT64, false).reshape(-1, 1);
        return cosines.scatter(at, marginTarget.reshape(-1, 1), 1);
    }

    /** cos(θ + m) from c = cos θ, with the optional fallback below cos(π − m). */
    private static NDArray angularMargin(NDArray c, double margin, boolean fallback) {
        NDArray sine = Scalar.max(c.square().neg().add(1), SIN_SQUARED_FLOOR).sqrt();
        NDArray shifted = Scalar.mul(c, Math.cos(margin)).sub(Scalar.mul(sine, Math.sin(margin)));
        if (!fallback) {
            return shifted;
        }
        NDArray linear = c.sub(margin * Math.sin(margin));
        return NDArrays.where(c.gt(-Math.cos(margin)), shifted, linear);
    }

    /** Builds a {@link MarginSoftmaxLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private final Head head;
        private double scale = DEFAULT_SCALE;
        private double margin;
        private boolean fallback = true;

        private Builder(Head head, double margin) {
            this.head = head;
            this.margin = margin;
        }

        /**
         * Sets the logit scale s.
         *
         * @param scale &gt; 0 (default 64)
         * @return this
         */
        public Builder optScale(double scale) {
            this.scale = scale;
            return this;
        }

        /**
         * Sets the margin m.
         *
         * @param margin ArcFace: radians in [0, π/2] (default 0.5); CosFace: ≥ 0 (default 0.35)
         * @return this
         */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /**
         * Sets ArcFace's fallback for targets with θ &gt; π − m.
         *
         * @param fallback true (default) uses cos θ − m·sin m there; false keeps cos(θ + m)
         * @return this
         */
        public Builder optFallback(boolean fallback) {
            this.fallback = fallback;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public MarginSoftmaxLoss build() {
            return new MarginSoftmaxLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
