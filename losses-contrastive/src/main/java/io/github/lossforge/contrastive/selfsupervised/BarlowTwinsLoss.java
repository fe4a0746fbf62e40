package io.github.lossforge.contrastive.selfsupervised;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * Barlow Twins: make the cross-correlation matrix of two views' standardised embeddings the
 * identity.
 *
 * <p>\( \hat z = (z - \mu_{batch}) / \sqrt{\sigma^2_{batch} + \epsilon} \) per feature (biased
 * variance: {@code BatchNorm1d(affine=False)} in training mode), \( C = \hat z_1^\top \hat z_2 / N
 * \) (D×D), and \( L = \mathrm{scale} \cdot \big[\sum_i (1 - C_{ii})^2 + \lambda \sum_{i \ne j}
 * C_{ij}^2\big] \), a sum (no mean) as in the official code. The gradient flows through the batch
 * mean and variance (they are not detached). Batch-level: reduction {@code mean} only, which
 * returns L.
 *
 * <p>Slots: predictions[0] z1 (N, D), predictions[1] z2 (N, D), N ≥ 2; labels: none are read (one
 * optional label array is accepted and ignored, since DJL's {@code EasyTrain} needs one).
 * Parameters: {@code lambda} (0.0051, ≥ 0, the official code's value; the paper states 5e-3),
 * {@code scale} (1.0, &gt; 0; the first release multiplied the loss by a {@code --scale-loss}
 * of 1/32), {@code eps} (1e-5, &gt; 0: a constant feature then standardises to 0 instead of 0/0),
 * {@code reduction} (mean). Multi-GPU training needs the global batch (C summed over
 * devices), which is the caller's business.
 *
 * <p>Paper: Jure Zbontar, Li Jing, Ishan Misra, Yann LeCun, Stéphane Deny, "Barlow Twins:
 * Self-Supervised Learning via Redundancy Reduction", ICML 2021, arXiv 2103.03230.
 */
public final class BarlowTwinsLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "barlow-twins";

    /** The default off-diagonal weight λ (official code). */
    public static final double DEFAULT_LAMBDA = 0.0051;

    /** The default variance epsilon of the batch normalisation. */
    public static final double DEFAULT_EPS = 1e-5;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, BarlowTwinsLoss.class)
                    .paper("Zbontar, Jing, Misra, LeCun, Deny: Barlow Twins: Self-Supervised Learning via Redundancy"
                            + " Reduction, ICML 2021, arXiv 2103.03230")
                    .prediction("P0 z1 (N,D)")
                    .prediction("P1 z2 (N,D)")
                    .batchLevel()
                    .example("two-view embeddings: examples/run-examples.sh contrastive.ContrastivePretraining --loss barlow-twins")
                    .param(ParamSpec.number("lambda", DEFAULT_LAMBDA, ">= 0: weight of the off-diagonal terms"))
                    .param(ParamSpec.number("scale", 1.0, "> 0: factor on the whole loss"))
                    .param(ParamSpec.number("eps", DEFAULT_EPS, "> 0: added to the batch variance"))
                    .factory(p -> builder()
                            .optLambda(p.number("lambda"))
                            .optScale(p.number("scale"))
                            .optEps(p.number("eps"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double lambda;
    private final double scale;
    private final double eps;

    private BarlowTwinsLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.lambda >= 0) || Double.isInfinite(b.lambda)) {
            throw new IllegalArgumentException(ID + ": lambda must be a finite number >= 0, got " + b.lambda);
        }
        if (!(b.scale > 0) || Double.isInfinite(b.scale)) {
            throw new IllegalArgumentException(ID + ": scale must be a finite number > 0, got " + b.scale);
        }
        if (!(b.eps > 0) || Double.isInfinite(b.eps)) {
            throw new IllegalArgumentException(ID + ": eps must be a finite number > 0, got " + b.eps);
        }
        this.lambda = b.lambda;
        this.scale = b.scale;
        this.eps = b.eps;
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
        in.requireSlots(0, 1, 2, 2);
        Slot z1 = in.prediction(0, "z1").requireRank("(N, D)", 2);
        Slot z2 = in.prediction(1, "z2").requireShape(z1.shape(), "(N, D) like predictions[0]");
        long n = z1.size(0);
        if (n < 2) {
            throw z1.fail("has shape " + z1.shape() + ": batch statistics need at least 2 samples");
        }
        NDArray a = standardize(z1.array());
        // 1/N folded into the (N, D) side; C's diagonal Σ_n a_ni b_ni / N straight from the rows
        NDArray b = Scalar.div(standardize(z2.array()), n);
        NDArray c = a.transpose().matMul(b);
        NDArray diagonal = a.mul(b).sum(new int[] {0});
        NDArray onDiagonal = diagonal.neg().add(1).square().sum();
        NDArray offDiagonal = c.square().sum().sub(diagonal.square().sum());
        return Scalar.mul(onDiagonal.add(Scalar.mul(offDiagonal, lambda)), scale);
    }

    /** (z − mean) / sqrt(biased var + eps) per feature, with the gradient through both statistics. */
    private NDArray standardize(NDArray z) {
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray variance = centred.square().mean(new int[] {0}, true);
        return centred.div(variance.add(eps).sqrt());
    }

    /** Builds a {@link BarlowTwinsLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double lambda = DEFAULT_LAMBDA;
        private double scale = 1.0;
        private double eps = DEFAULT_EPS;

        private Builder() {}

        /**
         * Sets λ, the weight of the off-diagonal (redundancy) terms.
         *
         * @param lambda ≥ 0 (default 0.0051)
         * @return this
         */
        public Builder optLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /**
         * Sets the factor on the whole loss.
         *
         * @param scale &gt; 0 (default 1)
         * @return this
         */
        public Builder optScale(double scale) {
            this.scale = scale;
            return this;
        }

        /**
         * Sets the epsilon added to the batch variance.
         *
         * @param eps &gt; 0 (default 1e-5)
         * @return this
         */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public BarlowTwinsLoss build() {
            return new BarlowTwinsLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
