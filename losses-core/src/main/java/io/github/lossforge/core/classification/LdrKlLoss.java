package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * The label-distributionally-robust loss with the KL regulariser (LDR-KL):
 *
 * <p>\( \psi(f, y) = \lambda \log\Big( \frac{1}{C} \sum_k \exp\big( (\delta_{k,y} + z_k - z_y) /
 * \lambda \big) \Big) \), with margin \( \delta_{k,y} = c \cdot 1[k \ne y] \) (the k = y term is 0)
 * and scores z = f ({@code normalize=none}) or, as in the official code, \( z = \mathrm{softplus}(f) /
 * \mathrm{mean}_k\, \mathrm{softplus}(f_k) \) ({@code normalize=softplus-mean}). The 1/C inside the
 * log means the loss can be negative (≥ −λ log C): that is the paper's definition, kept as is.
 * Limits: λ → 0 gives Crammer–Singer \( \max_k(\delta_{k,y} + z_k - z_y) \); λ → ∞ gives \(
 * \frac{1}{C} \sum_k (\delta_{k,y} + z_k - z_y) \); c = 0, λ = 1 gives cross-entropy − log C.
 *
 * <p>Slots: predictions[0] logits (N, C); labels[0] class indices (N), int64. Parameters: {@code
 * lambda} (1.0, &gt; 0), {@code margin} (0.1), {@code normalize} ({@code none} | {@code
 * softplus-mean}, default {@code none}: the paper's raw-logit form), {@code reduction} (mean). In the
 * softplus-mean form the mean is clamped at 1e-12 so logits far below 0 stay finite.
 *
 * <p>Paper: Dixian Zhu, Yiming Ying, Tianbao Yang, "Label Distributionally Robust Losses for
 * Multi-class Classification: Consistency, Robustness and Adaptivity", ICML 2023, arXiv 2112.14869.
 */
public final class LdrKlLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "ldr-kl";

    /** The values of {@code normalize}, written as their words in the registry and {@code optNormalize(String)}. */
    public enum Normalize implements Choice {
        /** The raw scores. */
        NONE,
        /** Softplus of the scores divided by their mean. */
        SOFTPLUS_MEAN
    }

    /** The default λ. */
    public static final double DEFAULT_LAMBDA = 1.0;

    /** The default margin c. */
    public static final double DEFAULT_MARGIN = 0.1;

    /** Scores are the raw logits (the paper's formula). */
    public static final String NORMALIZE_NONE = "none";

    /** Scores are softplus(f) divided by its mean over classes (the official code). */
    public static final String NORMALIZE_SOFTPLUS_MEAN = "softplus-mean";

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, LdrKlLoss.class)
                    .paper("Zhu, Ying, Yang: Label Distributionally Robust Losses for Multi-class"
                            + " Classification, ICML 2023, arXiv 2112.14869")
                    .prediction("P0 logits (N,C)")
                    .label("L0 target (N) int64")
                    .classifierLoss()
                    .param(ParamSpec.number("lambda", DEFAULT_LAMBDA, "> 0: KL regularisation strength"))
                    .param(ParamSpec.number("margin", DEFAULT_MARGIN, "margin c on the classes k ≠ y"))
                    .param(ParamSpec.word("normalize", Normalize.NONE,
                            "score normalisation before the loss"))
                    .factory(p -> builder()
                            .optLambda(p.number("lambda"))
                            .optMargin(p.number("margin"))
                            .optNormalize(p.word("normalize"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double lambda;
    private final double margin;
    private final boolean softplusMean;

    private LdrKlLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.lambda > 0) || Double.isInfinite(b.lambda)) {
            throw new IllegalArgumentException(ID + ": lambda must be a finite number > 0, got " + b.lambda);
        }
        if (!Double.isFinite(b.margin)) {
            throw new IllegalArgumentException(ID + ": margin must be finite, got " + b.margin);
        }
        this.lambda = b.lambda;
        this.margin = b.margin;
        this.softplusMean = b.normalize == Normalize.SOFTPLUS_MEAN;
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
        Slot logits = in.prediction(0, "logits").requireRank("(N, C)", 2);
        Slot target = in.label(0, "target").requireRank("(N)", 1).requireSameBatch(logits);
        long classes = logits.size(1);
        target.requireClassIndices(classes);
        if (softplusMean) {
            NDArray scores = softplusMeanScores(logits.array());
            NDArray shifted = ClassificationMath.marginShiftedScores(scores, target.array(), margin);
            return ClassificationMath.lambdaLogMeanExp(shifted, Scalar.of(shifted, lambda));
        }
        return rawScoreLoss(logits.array(), target.array(), classes);
    }

    /**
     * ψ on the raw logits, as the cross-entropy of the scores \( x - c\,e_y \) (softmax is blind to
     * the + c on every class) at temperature λ: \( -\lambda \big(\log \mathrm{softmax}\big((x -
     * c\,e_y)/\lambda\big)_y + \log C\big) \). With \( c' = c/\lambda \) and \( p_y = \mathrm{softmax}
     * (x/\lambda)_y \) that is \( \lambda\big(c' - \log p_y + \log(1 - (1 - e^{-c'})\,p_y) - \log
     * C\big) \): one log-softmax of the logits and no shifted (N, C) scores. Its last log loses up to
     * \( e^{c'} - 1 \) ulps to cancellation as p_y → 1, so for c' &gt; 1 the shifted scores are built.
     */
    private NDArray rawScoreLoss(NDArray logits, NDArray target, long classes) {
        NDArray at = target.toType(DataType.INT64, false).reshape(-1, 1);
        double shift = margin / lambda;
        NDArray scores = shift <= 1 ? logits
                : logits.scatter(at, logits.gather(at, 1).sub(Scalar.of(logits, margin)), 1);
        NDArray logPy = (lambda == 1 ? scores : Scalar.div(scores, lambda)).logSoftmax(1).gather(at, 1);
        NDArray psi;
        if (shift <= 1) {
            NDArray kept = Scalar.mul(logPy.exp(), Math.expm1(-shift)).add(Scalar.of(logPy, 1)).log();
            psi = kept.sub(logPy).add(Scalar.of(logPy, shift - Math.log(classes)));
        } else {
            psi = logPy.add(Scalar.of(logPy, Math.log(classes))).neg();
        }
        return (lambda == 1 ? psi : Scalar.mul(psi, lambda)).reshape(-1);
    }

    private static NDArray softplusMeanScores(NDArray logits) {
        return ClassificationMath.l1MeanNormalized(Numerics.softplus(logits));
    }

    /** Builds an {@link LdrKlLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double lambda = DEFAULT_LAMBDA;
        private double margin = DEFAULT_MARGIN;
        private Normalize normalize = Normalize.NONE;

        private Builder() {}

        /**
         * Sets λ.
         *
         * @param lambda &gt; 0 (default 1.0)
         * @return this
         */
        public Builder optLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /**
         * Sets the margin c applied to the classes k ≠ y.
         *
         * @param margin the margin (default 0.1)
         * @return this
         */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /**
         * Sets the score normalisation.
         *
         * @param normalize the value (default {@link Normalize#NONE})
         * @return this
         */
        public Builder optNormalize(Normalize normalize) {
            this.normalize = Choice.require(normalize, ID, "normalize");
            return this;
        }

        /**
         * Sets the score normalisation by its word (case-insensitive).
         *
         * @param normalize {@code none} (default) or {@code softplus-mean}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Normalize}'s words
         */
        public Builder optNormalize(String normalize) {
            return optNormalize(Choice.parse(Normalize.class, ID, "normalize", normalize));
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public LdrKlLoss build() {
            return new LdrKlLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
