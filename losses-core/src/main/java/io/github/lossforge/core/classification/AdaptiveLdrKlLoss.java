package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

import java.util.Arrays;

/**
 * The adaptive LDR-KL loss (ALDR-KL): {@link LdrKlLoss} with one λ per training sample, adapted in
 * closed form each time the sample is seen. With scores z (normalised logits), margin-shifted scores
 * \( m_k = c \cdot 1[k \ne y] + z_k - z_y \) and the sample's previous λ (λ₀ at the start):
 *
 * <p>\( p = \mathrm{renorm}\big(\mathrm{softmax}(z / \lambda_{prev}) + 10^{-5}\big),\quad \lambda =
 * \lambda_0 - \lambda_0 \frac{\mathrm{KL}(p \,\|\, 1/C)}{\alpha \log C},\quad \ell = \lambda \log\Big(\frac{1}{C}
 * \sum_k e^{m_k / \lambda}\Big) - \frac{\alpha \log C}{2 \lambda_0} (\lambda - \lambda_0)^2, \)
 *
 * <p>the maximiser over λ of LDR-KL_λ minus a quadratic penalty (envelope theorem), as in the official
 * update; λ ∈ [λ₀(1 − 1/α), λ₀], so α &gt; 1 keeps it positive. λ is stored per sample id and is a
 * <b>constant for backprop</b> (the penalty contributes no gradient); the state never takes part in
 * autograd.
 *
 * <p><b>State</b>: the loss holds a λ buffer of {@code numSamples} entries (initialised to λ₀), indexed
 * by the sample ids of labels[1], persisted across epochs; {@link #resetState()} restores λ₀, {@link
 * #lambdas()} and {@link #loadLambdas(double[])} save and restore it with a checkpoint. DJL's second
 * evaluation of a batch for its accumulators reuses the first value and does not update twice. For
 * validation passes call {@link #setUpdating(boolean) setUpdating(false)}: each sample then uses its
 * stored λ as is and nothing is written. Duplicate ids within a batch: the λ of the last occurrence is
 * stored and used for every row with that id (the official code reads the buffer back after writing).
 *
 * <p>Scores ({@code normalize}): {@code l1} (default, the official code) z = f / (‖f‖₁ / C);
 * {@code softplus-l1} (the official CIFAR-100 setting) the same after a softplus; {@code none} z = f.
 * The ‖f‖₁/C is clamped at 1e-12 (the official code has no guard and gives NaN for all-zero logits).
 *
 * <p>Slots: predictions[0] logits (N, C), C ≥ 2; labels[0] class indices (N), int64; labels[1] sample ids
 * (N), int64 in [0, numSamples). Parameters: {@code lambda0} (10.0, &gt; 0), {@code alpha} (2.0, &gt; 1),
 * {@code margin} (0.1), {@code numSamples} (required, ≥ 1: the training-set size), {@code normalize}
 * ({@code l1}), {@code reduction} (mean). The penalty follows the official code's scaling of α (by log
 * C / λ₀), not the paper's.
 *
 * <p>Paper: Dixian Zhu, Yiming Ying, Tianbao Yang, "Label Distributionally Robust Losses for Multi-class
 * Classification: Consistency, Robustness and Adaptivity", ICML 2023, arXiv 2112.14869. Official code:
 * Optimization-AI/ICML2023_LDR, {@code loss.py::ALDRLoss_V1}.
 */
public final class AdaptiveLdrKlLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "aldr-kl";

    /** The values of {@code normalize}, written as their words in the registry and {@code optNormalize(String)}. */
    public enum Normalize implements Choice {
        /** Scores divided by their L1 norm. */
        L1,
        /** Softplus of the scores, divided by its L1 norm. */
        SOFTPLUS_L1,
        /** The raw scores. */
        NONE
    }

    /** The default λ₀. */
    public static final double DEFAULT_LAMBDA0 = 10.0;

    /** The default α. */
    public static final double DEFAULT_ALPHA = 2.0;

    /** The default margin c. */
    public static final double DEFAULT_MARGIN = 0.1;

    /** Scores are the logits divided by their mean absolute value (the official code). */
    public static final String NORMALIZE_L1 = "l1";

    /** Scores are softplus(logits), divided by their mean. */
    public static final String NORMALIZE_SOFTPLUS_L1 = "softplus-l1";

    /** Scores are the raw logits. */
    public static final String NORMALIZE_NONE = "none";

    /** The smoothing added to p before renormalising, as in the official update. */
    private static final double P_SMOOTHING = 1e-5;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, AdaptiveLdrKlLoss.class)
                    .paper("Zhu, Ying, Yang: Label Distributionally Robust Losses for Multi-class"
                            + " Classification (adaptive ALDR-KL), ICML 2023, arXiv 2112.14869")
                    .prediction("P0 logits (N,C)")
                    .label("L0 target (N) int64")
                    .label("L1 sample ids (N) int64")
                    .example("labels are (target, sample id in [0, numSamples)),"
                            + " the ids from a dataset that yields each sample's index:"
                            + " examples/run-examples.sh classification.MulticlassClassification")
                    .param(ParamSpec.number("lambda0", DEFAULT_LAMBDA0, "> 0: the reference λ₀ and initial λ"))
                    .param(ParamSpec.number("alpha", DEFAULT_ALPHA, "> 1: strength of the penalty keeping λ near λ₀"))
                    .param(ParamSpec.number("margin", DEFAULT_MARGIN, "margin c on the classes k ≠ y"))
                    .param(ParamSpec.integer("numSamples", null, "≥ 1: the number of training samples (λ buffer size)"))
                    .param(ParamSpec.word("normalize", Normalize.L1,
                            "score normalisation before the loss"))
                    .factory(p -> builder()
                            .optLambda0(p.number("lambda0"))
                            .optAlpha(p.number("alpha"))
                            .optMargin(p.number("margin"))
                            .setNumSamples(p.integer("numSamples"))
                            .optNormalize(p.word("normalize"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double lambda0;
    private final double alpha;
    private final double margin;
    private final String normalize;
    private final double[] lambdas;
    private volatile boolean updating = true;

    private AdaptiveLdrKlLoss(Builder b) {
        super(ID, b.reduction(), true);
        if (!(b.lambda0 > 0) || Double.isInfinite(b.lambda0)) {
            throw new IllegalArgumentException(ID + ": lambda0 must be a finite number > 0, got " + b.lambda0);
        }
        if (!(b.alpha > 1) || Double.isInfinite(b.alpha)) {
            throw new IllegalArgumentException(
                    ID + ": alpha must be a finite number > 1 (λ ≥ λ₀(1 − 1/α) must stay positive), got " + b.alpha);
        }
        if (!Double.isFinite(b.margin)) {
            throw new IllegalArgumentException(ID + ": margin must be finite, got " + b.margin);
        }
        if (b.numSamples < 1 || b.numSamples > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(ID + ": numSamples is required and must be in [1, "
                    + (Integer.MAX_VALUE - 8) + "], got " + (b.numSamples == 0 ? "none" : b.numSamples));
        }
        this.lambda0 = b.lambda0;
        this.alpha = b.alpha;
        this.margin = b.margin;
        this.normalize = b.normalize.key();
        this.lambdas = new double[(int) b.numSamples];
        Arrays.fill(lambdas, lambda0);
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults ({@code numSamples} must still be set)
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Sets every sample's λ back to λ₀. */
    public synchronized void resetState() {
        Arrays.fill(lambdas, lambda0);
    }

    /**
     * A copy of the λ buffer, for a checkpoint.
     *
     * @return λ per sample id
     */
    public synchronized double[] lambdas() {
        return lambdas.clone();
    }

    /**
     * Restores the λ buffer from a checkpoint.
     *
     * @param values λ per sample id: {@code numSamples} finite values &gt; 0
     * @throws IllegalArgumentException for a wrong length or a value that is not finite and positive
     */
    public synchronized void loadLambdas(double[] values) {
        if (values.length != lambdas.length) {
            throw new IllegalArgumentException(
                    ID + ": got " + values.length + " λ values, expected numSamples = " + lambdas.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] > 0) || Double.isInfinite(values[i])) {
                throw new IllegalArgumentException(ID + ": λ of sample " + i + " is " + values[i]
                        + ", expected a finite number > 0");
            }
        }
        System.arraycopy(values, 0, lambdas, 0, values.length);
    }

    /**
     * Sets whether evaluations adapt and store λ (true, the default, for training) or use each
     * sample's stored λ as a constant and write nothing (false, for validation).
     *
     * @param updating whether to update the state
     */
    public void setUpdating(boolean updating) {
        this.updating = updating;
    }

    /**
     * Whether evaluations update the state.
     *
     * @return true when λ is adapted and stored
     */
    public boolean isUpdating() {
        return updating;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(2, 2, 1, 1);
        Slot logits = in.prediction(0, "logits").requireRank("(N, C)", 2);
        Slot target = in.label(0, "target").requireRank("(N)", 1).requireSameBatch(logits);
        Slot ids = in.label(1, "sample ids").requireRank("(N)", 1).requireSameBatch(logits).requireIntegers();
        long classes = logits.size(1);
        if (classes < 2) {
            throw logits.fail("has shape " + logits.shape() + ", expected at least 2 classes (log C > 0)");
        }
        target.requireClassIndices(classes);
        int[] index = sampleIndices(ids);
        NDArray scores = scores(logits.array());
        double[] lambda = lambdasFor(scores, index);
        int n = index.length;
        NDArray lambdaArray = Scalar.array(scores, lambda, new Shape(n));
        double penaltyScale = alpha * Math.log(classes) / (2 * lambda0);
        double[] penalty = new double[n];
        for (int i = 0; i < n; i++) {
            penalty[i] = penaltyScale * (lambda[i] - lambda0) * (lambda[i] - lambda0);
        }
        NDArray shifted = ClassificationMath.marginShiftedScores(scores, target.array(), margin);
        return ClassificationMath.lambdaLogMeanExp(shifted, lambdaArray)
                .sub(Scalar.array(scores, penalty, new Shape(n)));
    }

    private NDArray scores(NDArray logits) {
        switch (normalize) {
            case NORMALIZE_NONE:
                return logits;
            case NORMALIZE_SOFTPLUS_L1:
                return ClassificationMath.l1MeanNormalized(Numerics.softplus(logits));
            case NORMALIZE_L1:
            default:
                return ClassificationMath.l1MeanNormalized(logits);
        }
    }

    private int[] sampleIndices(Slot ids) {
        long[] raw = ids.array().toType(DataType.INT64, false).toLongArray();
        int[] index = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < 0 || raw[i] >= lambdas.length) {
                throw ids.fail("holds sample id " + raw[i] + " at position " + i + ", expected ids in [0, "
                        + lambdas.length + ") (numSamples = " + lambdas.length + ")");
            }
            index[i] = (int) raw[i];
        }
        return index;
    }

    /**
     * The λ of each row: the stored one when not updating, else the closed-form update from the stored
     * one, which is then stored. Computed from detached scores on the host side of the state.
     */
    private synchronized double[] lambdasFor(NDArray scores, int[] index) {
        int n = index.length;
        double[] previous = new double[n];
        for (int i = 0; i < n; i++) {
            previous[i] = lambdas[index[i]];
        }
        if (!updating) {
            return previous;
        }
        NDArray z = scores.stopGradient().toType(DataType.FLOAT64, false);
        NDArray p = z.div(Scalar.array(z, previous, new Shape(n, 1))).softmax(1).add(P_SMOOTHING);
        p = p.div(p.sum(new int[] {1}, true));
        long classes = z.getShape().get(1);
        double[] kl = p.mul(p.log().add(Math.log(classes))).sum(new int[] {1}).toDoubleArray();
        for (int i = 0; i < n; i++) {
            lambdas[index[i]] = lambda0 - lambda0 * kl[i] / (alpha * Math.log(classes));
        }
        // read back, as the official code does: rows sharing an id use the λ stored last
        double[] updated = new double[n];
        for (int i = 0; i < n; i++) {
            updated[i] = lambdas[index[i]];
        }
        return updated;
    }

    /** Builds an {@link AdaptiveLdrKlLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double lambda0 = DEFAULT_LAMBDA0;
        private double alpha = DEFAULT_ALPHA;
        private double margin = DEFAULT_MARGIN;
        private long numSamples;
        private Normalize normalize = Normalize.L1;

        private Builder() {}

        /**
         * Sets λ₀, the reference and initial λ.
         *
         * @param lambda0 &gt; 0 (default 10.0)
         * @return this
         */
        public Builder optLambda0(double lambda0) {
            this.lambda0 = lambda0;
            return this;
        }

        /**
         * Sets α, the strength of the penalty on λ − λ₀.
         *
         * @param alpha &gt; 1 (default 2.0)
         * @return this
         */
        public Builder optAlpha(double alpha) {
            this.alpha = alpha;
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
         * Sets the number of training samples, the size of the λ buffer (required).
         *
         * @param numSamples ≥ 1
         * @return this
         */
        public Builder setNumSamples(long numSamples) {
            this.numSamples = numSamples;
            return this;
        }

        /**
         * Sets the score normalisation.
         *
         * @param normalize the value (default {@link Normalize#L1})
         * @return this
         */
        public Builder optNormalize(Normalize normalize) {
            this.normalize = Choice.require(normalize, ID, "normalize");
            return this;
        }

        /**
         * Sets the score normalisation by its word (case-insensitive).
         *
         * @param normalize {@code l1} (default), {@code softplus-l1} or {@code none}
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
        public AdaptiveLdrKlLoss build() {
            return new AdaptiveLdrKlLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
