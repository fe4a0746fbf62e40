package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * AnyLoss: a binary confusion-matrix metric made differentiable and used as a loss, 1 − metric. The
 * predicted probabilities p are pushed towards 0/1 by the amplifier
 *
 * <p>\( \hat y = A(p) = \frac{1}{1 + e^{-L (p - 0.5)}} \),
 *
 * <p>and the soft confusion matrix is summed over the batch: \( TP = \sum y \hat y,\; FN = n_1 - TP,\;
 * FP = \sum \hat y - TP,\; TN = N - n_1 - \sum \hat y + TP \), with n₁ = Σ y, n₀ = N − n₁ and N the
 * <em>batch</em> size (the official accuracy loss uses the training-set size, valid only for
 * full-batch training). Metrics ({@code metric}), each denominator + ε (ε = 1e-5):
 *
 * <ul>
 *   <li>{@code accuracy}: (TP + TN) / (N + ε);
 *   <li>{@code fbeta} (default {@code f1} is β = 1): (1 + β²) TP / (β² n₁ + Σŷ + ε);
 *   <li>{@code gmean}: \( \sqrt{\frac{TP}{n_1 + ε} \cdot \frac{TN}{n_0 + ε}} \) (the paper's form with the
 *       square root; the product under the root is floored at 1e-12 so that a batch without positives
 *       or negatives, where it is 0, has a finite gradient);
 *   <li>{@code balanced-accuracy}: ½ (TP / (n₁ + ε) + TN / (n₀ + ε)).
 * </ul>
 *
 * <p>The loss is defined on the whole batch (reduction {@code mean} only, which returns the scalar
 * 1 − metric). <b>Degenerate batches</b>: with no positives, TP = 0 and
 * F_β is 0 (loss 1, zero gradient); G-mean sits at its floor √1e-12 = 1e-6 (zero gradient); balanced
 * accuracy counts only its negative half; all values stay finite. Prefer batches large enough (or
 * stratified) to hold both classes. The gradient dA/dp = L·A(1 − A) vanishes for confident
 * predictions; the paper analyses which L keep the gradient from vanishing or exploding, and its
 * experiment notebooks use L = 73 (the default here). A model whose probabilities start saturated can
 * therefore get a zero float32 gradient.
 *
 * <p>Slots: predictions[0] probabilities (N) or (N, 1) in [0, 1] — or logits with {@code fromLogits =
 * true}, which applies a sigmoid first (the amplifier always acts on probabilities); labels[0] y of
 * the same shape (or (N)), 0/1. Parameters: {@code metric} ({@code f1}), {@code amplifier} L (73.0,
 * &gt; 0), {@code beta} (1.0, &gt; 0, used by {@code fbeta}), {@code fromLogits} (false), {@code
 * reduction} (mean).
 *
 * <p>Paper: Doheon Han, Nuno Moniz, Nitesh V. Chawla, "AnyLoss: Transforming Classification Metrics into
 * Loss Functions", 2024, arXiv 2405.14745. Official code (TF/Keras notebooks): doheonhan/anyloss_extension.
 */
public final class AnyLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "anyloss";

    /** The values of {@code metric}, written as their words in the registry and {@code optMetric(String)}. */
    public enum Metric implements Choice {
        /** F1 score. */
        F1,
        /** F-beta score. */
        FBETA,
        /** Accuracy. */
        ACCURACY,
        /** Geometric mean of sensitivity and specificity. */
        GMEAN,
        /** Balanced accuracy. */
        BALANCED_ACCURACY
    }

    /** F1 (F_β with β = 1, whatever {@code beta} says). */
    public static final String F1 = "f1";

    /** F_β with the {@code beta} parameter. */
    public static final String FBETA = "fbeta";

    /** Accuracy. */
    public static final String ACCURACY = "accuracy";

    /** Geometric mean of sensitivity and specificity. */
    public static final String GMEAN = "gmean";

    /** Balanced accuracy. */
    public static final String BALANCED_ACCURACY = "balanced-accuracy";

    /** The default amplifier L of the official experiments. */
    public static final double DEFAULT_AMPLIFIER = 73.0;

    /** The default β. */
    public static final double DEFAULT_BETA = 1.0;

    /** ε added to every denominator. */
    public static final double EPS = 1e-5;

    private static final double MIN_GMEAN_SQUARE = 1e-12;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AnyLoss.class)
                    .paper("Han, Moniz, Chawla: AnyLoss: Transforming Classification Metrics into Loss Functions,"
                            + " 2024, arXiv 2405.14745")
                    .prediction("P0 probabilities (N) or (N,1)")
                    .label("L0 y (N) 0/1")
                    .batchLevel()
                    .example("a binary classifier's sigmoid probabilities (or"
                            + " fromLogits=true) with 0/1 labels: examples/run-examples.sh classification.BinaryClassification")
                    .param(ParamSpec.word("metric", Metric.F1,
                            "the confusion-matrix metric; the loss is 1 − metric"))
                    .param(ParamSpec.number("amplifier", DEFAULT_AMPLIFIER, "> 0: L of 1/(1 + exp(−L (p − 0.5)))"))
                    .param(ParamSpec.number("beta", DEFAULT_BETA, "> 0: β of F_β (metric fbeta)"))
                    .param(ParamSpec.bool("fromLogits", false, "apply a sigmoid to predictions[0] first"))
                    .factory(p -> builder()
                            .optMetric(p.word("metric"))
                            .optAmplifier(p.number("amplifier"))
                            .optBeta(p.number("beta"))
                            .optFromLogits(p.bool("fromLogits"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final String metric;
    private final double amplifier;
    private final double beta;
    private final boolean fromLogits;

    private AnyLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.amplifier > 0) || Double.isInfinite(b.amplifier)) {
            throw new IllegalArgumentException(ID + ": amplifier must be a finite number > 0, got " + b.amplifier);
        }
        if (!(b.beta > 0) || Double.isInfinite(b.beta)) {
            throw new IllegalArgumentException(ID + ": beta must be a finite number > 0, got " + b.beta);
        }
        this.metric = b.metric.key();
        this.amplifier = b.amplifier;
        this.beta = b.metric == Metric.F1 ? 1.0 : b.beta;
        this.fromLogits = b.fromLogits;
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
        Slot scores = in.prediction(0, fromLogits ? "logits" : "probabilities").requireRank("(N) or (N, 1)", 1, 2);
        if (scores.shape().dimension() == 2 && scores.size(1) != 1) {
            throw scores.fail("has shape " + scores.shape() + ", expected (N) or (N, 1)");
        }
        Slot y = in.floatLabel(0, "y").requireRank("(N) or (N, 1)", 1, 2).requireSameBatch(scores);
        if (y.shape().size() != scores.shape().size()) {
            throw y.fail("has shape " + y.shape() + ", expected (N) or (N, 1) like predictions[0] " + scores.shape());
        }
        NDArray labels = y.array().reshape(-1);
        y.requireBinary("0/1 labels");
        NDArray p = scores.array().reshape(-1);
        if (fromLogits) {
            p = Activation.sigmoid(p);
        } else {
            scores.requireWithin(0, 1, "probabilities (set fromLogits=true for logits)");
        }
        NDArray amplified = Activation.sigmoid(Scalar.mul(p.sub(0.5), amplifier));
        NDArray value = metric(amplified, labels);
        return Scalar.of(value, 1).sub(value);
    }

    /**
     * The metric from the soft confusion matrix. Every constant enters through {@link Scalar}: the
     * sums are 0-dimensional, and a Java number added to a 0-dimensional float32 array would promote
     * the result to float64.
     */
    private NDArray metric(NDArray yHat, NDArray y) {
        long n = y.getShape().get(0);
        NDArray tp = yHat.mul(y).sum();
        NDArray positives = y.sum();
        NDArray negatives = positives.neg().add(Scalar.of(positives, n));
        NDArray predicted = yHat.sum();
        NDArray tn = tp.sub(predicted).sub(positives).add(Scalar.of(tp, n));
        switch (metric) {
            case ACCURACY:
                return Scalar.div(tp.add(tn), n + EPS);
            case GMEAN:
                NDArray product = tp.div(plusEps(positives)).mul(tn.div(plusEps(negatives)));
                return Scalar.max(product, MIN_GMEAN_SQUARE).sqrt();
            case BALANCED_ACCURACY:
                return Scalar.mul(tp.div(plusEps(positives)).add(tn.div(plusEps(negatives))), 0.5);
            case F1:
            case FBETA:
            default:
                double b2 = beta * beta;
                return Scalar.mul(tp, 1 + b2).div(plusEps(Scalar.mul(positives, b2).add(predicted)));
        }
    }

    private static NDArray plusEps(NDArray denominator) {
        return denominator.add(Scalar.of(denominator, EPS));
    }

    /** Builds an {@link AnyLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private Metric metric = Metric.F1;
        private double amplifier = DEFAULT_AMPLIFIER;
        private double beta = DEFAULT_BETA;
        private boolean fromLogits;

        private Builder() {}

        /**
         * Sets the metric.
         *
         * @param metric the value (default {@link Metric#F1})
         *     balanced-accuracy}
         * @return this
         */
        public Builder optMetric(Metric metric) {
            this.metric = Choice.require(metric, ID, "metric");
            return this;
        }

        /**
         * Sets the metric by its word (case-insensitive).
         *
         * @param metric {@code f1} (default), {@code fbeta}, {@code accuracy}, {@code gmean} or {@code
         *     balanced-accuracy}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Metric}'s words
         */
        public Builder optMetric(String metric) {
            return optMetric(Choice.parse(Metric.class, ID, "metric", metric));
        }

        /**
         * Sets the amplifier L.
         *
         * @param amplifier &gt; 0 (default 73.0)
         * @return this
         */
        public Builder optAmplifier(double amplifier) {
            this.amplifier = amplifier;
            return this;
        }

        /**
         * Sets β of F_β (used by {@code fbeta}; {@code f1} is always β = 1).
         *
         * @param beta &gt; 0 (default 1.0)
         * @return this
         */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Sets whether predictions[0] holds logits (a sigmoid is applied first).
         *
         * @param fromLogits false (default: probabilities) or true
         * @return this
         */
        public Builder optFromLogits(boolean fromLogits) {
            this.fromLogits = fromLogits;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public AnyLoss build() {
            return new AnyLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
