package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * The Cauchy–Schwarz information bottleneck for regression: a conditional CS divergence between the
 * data's p(y|x) and the model's q(ŷ|x) as the prediction term, plus β times the normalised CS
 * quadratic mutual information between the input x and the representation t as the compression term,
 *
 * <p>\( L = \hat D_{CS}\big(p(y \mid x) \,\|\, q(\hat y \mid x)\big) + \beta\, \frac{I_{CS}(x; t)}{\sqrt{I_{CS}(x;
 * x)\, I_{CS}(t; t)}}, \)
 *
 * <p>with Gaussian kernels κ(u, v) = exp(−‖u − v‖²/2σ²): K = κ(x_j, x_i), L¹ = κ(y_j, y_i), L² = κ(ŷ_j,
 * ŷ_i), L²¹ = κ(ŷ_j, y_i), and
 *
 * <p>\( \hat D_{CS} = \log \sum_j \frac{\sum_i K_{ji} L^1_{ji}}{d_j} + \log \sum_j \frac{\sum_i K_{ji}
 * L^2_{ji}}{d_j} - 2 \log \sum_j \frac{\sum_i K_{ji} L^{21}_{ji}}{d_j}, \)
 *
 * <p>where {@code variant=paper} uses \( d_j = (\sum_i K_{ji})^2 \) and natural logarithms (Prop. 1 of
 * the paper), and {@code variant=code} the official code's \( d_j = \sum_i K_{ji}^2 \) and log base 2.
 * \( I_{CS}(x; t) = \log\frac{\mathrm{tr}(KQ)}{N^2} + \log\frac{\mathbf{1}^\top K\mathbf{1}\,
 * \mathbf{1}^\top Q\mathbf{1}}{N^4} - 2\log\frac{\mathbf{1}^\top K Q\mathbf{1}}{N^3} \) with Q = κ(t),
 * used in its normalised form (the code's {@code CS_QMI_normalized}; the ratio does not depend on the
 * log base).
 *
 * <p>Every \( \log\sum\prod e^{(\cdot)} \) is evaluated as a log-sum-exp of summed exponents, so high
 * dimensional inputs (where the official exp-then-sum gives log 0) stay finite. One-dimensional
 * slots (N) are read as (N, 1): the official code's {@code GaussianMatrix} on (N) tensors silently
 * collapses the divergence into a plain sum of squared errors, which cannot happen here. When x or t
 * is constant over the batch, I(x; x) or I(t; t) is 0 and so is I(x; t); the compression term is
 * then 0 (a product of the self-informations below 1e-12 counts as 0).
 *
 * <p>Slots: predictions[0] ŷ (N, D_y) or (N); predictions[1] representation t (N, D_t) or (N);
 * labels[0] y (N, D_y) or (N); labels[1] input x (N, D_x) or (N). Parameters: {@code beta} (0.01, ≥ 0,
 * the code's default), {@code sigma} (1.0, &gt; 0, the width of every kernel), {@code variant}
 * ({@code paper} | {@code code}), {@code reduction} ({@code mean} only: the whole batch forms one
 * loss).
 *
 * <p>Paper: Shujian Yu, Xi Yu, Sigurd Løkse, Robert Jenssen, José C. Príncipe, "Cauchy-Schwarz
 * Divergence Information Bottleneck for Regression", ICLR 2024, arXiv 2404.17951; official code
 * SJYuCNEL/Cauchy-Schwarz-Information-Bottleneck ({@code loss_cs.py}).
 */
public final class CauchySchwarzIbLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "cs-ib";

    /** The values of {@code variant}, written as their words in the registry and {@code optVariant(String)}. */
    public enum Variant implements Choice {
        /** (Σ_i K_ji)², natural log (the paper). */
        PAPER,
        /** Σ_i K_ji², log base 2 (the official code). */
        CODE
    }

    /** The default compression weight. */
    public static final double DEFAULT_BETA = 0.01;

    /** The default kernel width. */
    public static final double DEFAULT_SIGMA = 1.0;

    /** The default variant. */
    public static final String DEFAULT_VARIANT = "paper";

    /** Below this, I(x; x)·I(t; t) counts as 0 and the compression term is 0. */
    private static final double DEGENERATE = 1e-12;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, CauchySchwarzIbLoss.class)
                    .paper("Yu, Yu, Løkse, Jenssen, Príncipe: Cauchy-Schwarz Divergence Information Bottleneck"
                            + " for Regression, ICLR 2024, arXiv 2404.17951")
                    .prediction("P0 ŷ (N,Dy)")
                    .prediction("P1 representation t (N,Dt)")
                    .label("L0 y (N,Dy)")
                    .label("L1 x (N,Dx)")
                    .batchLevel()
                    .example("a regression network returning its prediction and its latent representation:"
                            + " examples/run-examples.sh regression.ScalarRegression")
                    .param(ParamSpec.number("beta", DEFAULT_BETA, "≥ 0: weight of the compression term"))
                    .param(ParamSpec.number("sigma", DEFAULT_SIGMA, "> 0: Gaussian kernel width"))
                    .param(ParamSpec.word("variant", Variant.PAPER,
                            "paper: (Σ_i K_ji)², natural log; code: Σ_i K_ji², log base 2"))
                    .factory(p -> builder()
                            .optBeta(p.number("beta"))
                            .optSigma(p.number("sigma"))
                            .optVariant(p.word("variant"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double beta;
    private final double sigma;
    private final boolean codeVariant;

    private CauchySchwarzIbLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.beta >= 0) || Double.isInfinite(b.beta)) {
            throw new IllegalArgumentException(ID + ": beta must be a finite number ≥ 0, got " + b.beta);
        }
        if (!(b.sigma > 0) || Double.isInfinite(b.sigma)) {
            throw new IllegalArgumentException(ID + ": sigma must be a finite number > 0, got " + b.sigma);
        }
        this.beta = b.beta;
        this.sigma = b.sigma;
        this.codeVariant = b.variant == Variant.CODE;
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
        in.requireSlots(2, 2, 2, 2);
        Slot yHat = in.prediction(0, "ŷ").requireRank("(N, D_y) or (N)", 1, 2);
        Slot t = in.prediction(1, "representation t").requireRank("(N, D_t) or (N)", 1, 2).requireSameBatch(yHat);
        Slot y = in.floatLabel(0, "y").requireRank("(N, D_y) or (N)", 1, 2).requireSameBatch(yHat);
        Slot x = in.floatLabel(1, "x").requireRank("(N, D_x) or (N)", 1, 2).requireSameBatch(yHat);
        NDArray yHatM = asMatrix(yHat.array());
        NDArray yM = asMatrix(y.array());
        if (yHatM.getShape().get(1) != yM.getShape().get(1)) {
            throw y.fail("has shape " + y.shape() + ", expected the width of predictions[0] (ŷ) " + yHat.shape());
        }
        NDArray logK = RegressionMath.gaussianLogKernel(asMatrix(x.array()), asMatrix(x.array()), sigma);
        NDArray divergence = conditionalDivergence(logK, yHatM, yM);
        if (beta == 0) {
            return divergence;
        }
        NDArray tM = asMatrix(t.array());
        NDArray logQ = RegressionMath.gaussianLogKernel(tM, tM, sigma);
        NDArray cross = quadraticMutualInformation(logQ, logK);
        NDArray selfX = quadraticMutualInformation(logK, logK);
        NDArray selfT = quadraticMutualInformation(logQ, logQ);
        NDArray product = selfT.mul(selfX);
        NDArray normalised = NDArrays.where(product.gt(DEGENERATE),
                cross.div(Scalar.max(product, DEGENERATE).sqrt()), cross.zerosLike());
        return divergence.add(Scalar.mul(normalised, beta));
    }

    /** D̂_CS from the log-kernels, in nats (paper) or bits (code). */
    private NDArray conditionalDivergence(NDArray logK, NDArray yHat, NDArray y) {
        NDArray logDenominator = codeVariant
                ? Numerics.logSumExp(logK.add(logK), 1)
                : Scalar.mul(Numerics.logSumExp(logK, 1), 2);
        NDArray selfY = conditionalTerm(logK, RegressionMath.gaussianLogKernel(y, y, sigma), logDenominator);
        NDArray selfYHat = conditionalTerm(logK, RegressionMath.gaussianLogKernel(yHat, yHat, sigma), logDenominator);
        NDArray crossTerm = conditionalTerm(logK, RegressionMath.gaussianLogKernel(yHat, y, sigma), logDenominator);
        // the prediction-side term first, so the result belongs to the batch's (predictions') manager
        NDArray nats = selfYHat.add(selfY).sub(crossTerm.add(crossTerm));
        return codeVariant ? Scalar.div(nats, Math.log(2)) : nats;
    }

    /** log Σ_j [Σ_i K_ji L_ji / d_j]. */
    private static NDArray conditionalTerm(NDArray logK, NDArray logL, NDArray logDenominator) {
        NDArray perRow = Numerics.logSumExp(logL.add(logK), 1).sub(logDenominator);
        return Numerics.logSumExp(perRow, 0);
    }

    /** I_CS from two log-kernels (natural log); the N powers cancel. */
    private static NDArray quadraticMutualInformation(NDArray logA, NDArray logB) {
        NDArray trace = logSumExpAll(logA.add(logB));
        NDArray totals = logSumExpAll(logA).add(logSumExpAll(logB));
        NDArray rows = Numerics.logSumExp(Numerics.logSumExp(logA, 1).add(Numerics.logSumExp(logB, 1)), 0);
        return trace.add(totals).sub(rows.add(rows));
    }

    private static NDArray logSumExpAll(NDArray x) {
        return Numerics.logSumExp(x.reshape(-1), 0);
    }

    private static NDArray asMatrix(NDArray a) {
        return a.getShape().dimension() == 1 ? a.reshape(-1, 1) : a;
    }

    /** Builds a {@link CauchySchwarzIbLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double beta = DEFAULT_BETA;
        private double sigma = DEFAULT_SIGMA;
        private Variant variant = Variant.PAPER;

        private Builder() {}

        /**
         * Sets the compression weight β.
         *
         * @param beta ≥ 0 (default 0.01)
         * @return this
         */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Sets the kernel width σ.
         *
         * @param sigma &gt; 0 (default 1.0)
         * @return this
         */
        public Builder optSigma(double sigma) {
            this.sigma = sigma;
            return this;
        }

        /**
         * Sets the variant.
         *
         * @param variant the value (default {@link Variant#PAPER})
         * @return this
         */
        public Builder optVariant(Variant variant) {
            this.variant = Choice.require(variant, ID, "variant");
            return this;
        }

        /**
         * Sets the variant by its word (case-insensitive).
         *
         * @param variant {@code paper} (default) or {@code code}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Variant}'s words
         */
        public Builder optVariant(String variant) {
            return optVariant(Choice.parse(Variant.class, ID, "variant", variant));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public CauchySchwarzIbLoss build() {
            return new CauchySchwarzIbLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
