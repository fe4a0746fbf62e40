package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * A hybrid multi-label loss: class-weighted binary cross-entropy, a label-correlation term and a
 * contrastive term on embeddings,
 *
 * <p>\( L = L_{wbce} + \lambda_{corr} L_{corr} + \lambda_{con} L_{con} \), where
 *
 * <p>\( L_{wbce} = \frac{1}{NC}\sum_{i,c} -\big[w_c\, y_{ic} \log \sigma(x_{ic}) + (1 - y_{ic}) \log(1 -
 * \sigma(x_{ic}))\big] \), \( L_{corr} = \frac{1}{N}\sum_i \frac{\sum_{j \ne k} M^+_{jk} (\sigma_{ij} -
 * \sigma_{ik})^2}{\sum_{j \ne k} M^+_{jk}} \), \( L_{con} = \frac{2}{N(N-1)} \sum_{a &lt; b} s_{ab}
 * d_{ab}^2 + (1 - s_{ab}) \max(0, m - d_{ab})^2 \),
 *
 * <p>with w_c the positive-class weights (as PyTorch's {@code pos_weight}), M⁺ = max(M, 0) the positive
 * part of the label correlation matrix (correlated labels are pushed towards equal probabilities), s_ab
 * = 1 when samples a and b share at least one label, and d_ab = ‖e_a − e_b‖₂ (its gradient at d = 0 is
 * taken as 0). Without class weights every w_c = 1; without a correlation matrix (or when M⁺ has no
 * off-diagonal mass) the correlation term is 0; without embeddings (predictions[1] absent) or with N = 1
 * the contrastive term is 0. {@link #statisticsOf(double[][])} derives w_c = n_neg,c / n_pos,c and M =
 * the Pearson correlation of the label columns from a training label matrix (only ever from training
 * labels). The loss is defined on the whole batch (reduction {@code mean} only, which returns this
 * scalar).
 *
 * <p><b>The form of each term is ours.</b> The paper states only that its hybrid loss combines class
 * weighting, a label-correlation matrix and contrastive learning; its equations, weights and
 * hyperparameters were not available and no code was published. The terms above are a plain,
 * documented reading of those three ingredients, not a reproduction.
 *
 * <p>Slots: predictions[0] logits (N, C); predictions[1] embeddings (N, E), optional; labels[0] Y (N, C),
 * 0/1. Parameters: {@code lambdaCorrelation} (0.1, ≥ 0), {@code lambdaContrastive} (0.1, ≥ 0), {@code
 * margin} m (1.0, ≥ 0), {@code reduction} (mean); builder only: class weights (C) and correlation
 * matrix (C, C), or both from {@link #statisticsOf}.
 *
 * <p>Paper: "Improving Arabic Multi-Label Emotion Classification using Stacked Embeddings and Hybrid Loss
 * Function", Aslam et al., 2024, arXiv 2410.03979.
 */
public final class HybridMultiLabelLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "hybrid-multilabel";

    /** The default weight of the correlation term. */
    public static final double DEFAULT_LAMBDA_CORRELATION = 0.1;

    /** The default weight of the contrastive term. */
    public static final double DEFAULT_LAMBDA_CONTRASTIVE = 0.1;

    /** The default contrastive margin. */
    public static final double DEFAULT_MARGIN = 1.0;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, HybridMultiLabelLoss.class)
                    .paper("Aslam et al.: Improving Arabic Multi-Label Emotion Classification using Stacked"
                            + " Embeddings and Hybrid Loss Function (our form), 2024, arXiv 2410.03979")
                    .prediction("P0 logits (N,C)")
                    .prediction("P1? embeddings (N,E)")
                    .label("L0 Y (N,C) 0/1")
                    .batchLevel()
                    .example("(logits, embeddings) with a 0/1 label matrix;"
                            + " HybridMultiLabelLoss.statisticsOf(training labels) gives class weights and correlation:"
                            + " examples/run-examples.sh classification.MultiLabelClassification")
                    .param(ParamSpec.number("lambdaCorrelation", DEFAULT_LAMBDA_CORRELATION,
                            "≥ 0: weight of the label-correlation term"))
                    .param(ParamSpec.number("lambdaContrastive", DEFAULT_LAMBDA_CONTRASTIVE,
                            "≥ 0: weight of the contrastive term on embeddings"))
                    .param(ParamSpec.number("margin", DEFAULT_MARGIN, "≥ 0: contrastive margin m"))
                    .factory(p -> builder()
                            .optLambdaCorrelation(p.number("lambdaCorrelation"))
                            .optLambdaContrastive(p.number("lambdaContrastive"))
                            .optMargin(p.number("margin"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double lambdaCorrelation;
    private final double lambdaContrastive;
    private final double margin;
    private final double @Nullable [] classWeights;
    private final double @Nullable [] correlation;
    private final int correlationClasses;
    private final double correlationMass;

    /**
     * Class weights and label correlation derived from a training label matrix.
     *
     * @param classWeights w_c = n_neg,c / n_pos,c (1 for a class without positives)
     * @param correlation the Pearson correlation of the label columns (C × C; 0 against a constant
     *     column, 1 on the diagonal)
     */
    public record LabelStatistics(double[] classWeights, double[][] correlation) {}

    private HybridMultiLabelLoss(Builder b) {
        super(ID, b.reduction(), false);
        requireNonNegative("lambdaCorrelation", b.lambdaCorrelation);
        requireNonNegative("lambdaContrastive", b.lambdaContrastive);
        requireNonNegative("margin", b.margin);
        this.lambdaCorrelation = b.lambdaCorrelation;
        this.lambdaContrastive = b.lambdaContrastive;
        this.margin = b.margin;
        if (b.classWeights != null) {
            for (int c = 0; c < b.classWeights.length; c++) {
                if (!(b.classWeights[c] >= 0) || Double.isInfinite(b.classWeights[c])) {
                    throw new IllegalArgumentException(ID + ": class weight " + c + " is " + b.classWeights[c]
                            + ", expected a finite number ≥ 0");
                }
            }
            this.classWeights = b.classWeights.clone();
        } else {
            this.classWeights = null;
        }
        if (b.correlation != null) {
            int c = b.correlation.length;
            double[] flat = new double[c * c];
            for (int j = 0; j < c; j++) {
                if (b.correlation[j].length != c) {
                    throw new IllegalArgumentException(ID + ": correlation row " + j + " has " + b.correlation[j].length
                            + " entries, expected a square " + c + " × " + c + " matrix");
                }
                for (int k = 0; k < c; k++) {
                    double v = b.correlation[j][k];
                    if (!Double.isFinite(v)) {
                        throw new IllegalArgumentException(ID + ": correlation[" + j + "][" + k + "] is " + v
                                + ", expected finite");
                    }
                    // only positive correlations between distinct labels take part
                    flat[j * c + k] = j == k ? 0 : Math.max(v, 0);
                }
            }
            double mass = 0;
            for (double v : flat) {
                mass += v;
            }
            this.correlation = flat;
            this.correlationClasses = c;
            this.correlationMass = mass;
        } else {
            this.correlation = null;
            this.correlationClasses = 0;
            this.correlationMass = 0;
        }
    }

    private static void requireNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(ID + ": " + name + " must be a finite number ≥ 0, got " + value);
        }
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Derives class weights and the label correlation matrix from training labels.
     *
     * @param labels the training label matrix, N rows of C values in {0, 1}
     * @return the statistics
     * @throws IllegalArgumentException for an empty or ragged matrix or values other than 0 and 1
     */
    public static LabelStatistics statisticsOf(double[][] labels) {
        if (labels.length == 0 || labels[0].length == 0) {
            throw new IllegalArgumentException(ID + ": the training label matrix is empty, expected (N, C) with N, C ≥ 1");
        }
        int n = labels.length;
        int c = labels[0].length;
        double[] mean = new double[c];
        for (int i = 0; i < n; i++) {
            if (labels[i].length != c) {
                throw new IllegalArgumentException(ID + ": training label row " + i + " has " + labels[i].length
                        + " values, expected " + c);
            }
            for (int k = 0; k < c; k++) {
                double v = labels[i][k];
                if (v != 0 && v != 1) {
                    throw new IllegalArgumentException(ID + ": training label [" + i + "][" + k + "] is " + v
                            + ", expected 0 or 1");
                }
                mean[k] += v / n;
            }
        }
        double[] weights = new double[c];
        for (int k = 0; k < c; k++) {
            double positives = Math.round(mean[k] * n);
            weights[k] = positives == 0 ? 1.0 : (n - positives) / positives;
        }
        double[][] covariance = new double[c][c];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                for (int k = 0; k < c; k++) {
                    covariance[j][k] += (labels[i][j] - mean[j]) * (labels[i][k] - mean[k]);
                }
            }
        }
        double[][] correlation = new double[c][c];
        for (int j = 0; j < c; j++) {
            for (int k = 0; k < c; k++) {
                double scale = Math.sqrt(covariance[j][j] * covariance[k][k]);
                correlation[j][k] = j == k ? 1 : scale > 0 ? covariance[j][k] / scale : 0;
            }
        }
        return new LabelStatistics(weights, correlation);
    }

    /**
     * Derives class weights and the label correlation matrix from training labels held in an array.
     *
     * @param labels the training label matrix (N, C), 0/1, any numeric dtype
     * @return the statistics
     * @throws IllegalArgumentException for an array that is not (N, C) or values other than 0 and 1
     */
    public static LabelStatistics statisticsOf(NDArray labels) {
        Shape shape = labels.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException(ID + ": the training label matrix has shape " + shape + ", expected (N, C)");
        }
        double[] flat = labels.toType(DataType.FLOAT64, false).toDoubleArray();
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * c, (i + 1) * c);
        }
        return statisticsOf(rows);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        in.requireSlots(1, 1, 1, 2);
        Slot logits = in.prediction(0, "logits").requireRank("(N, C)", 2);
        Slot y = in.floatLabel(0, "Y").requireShape(logits.shape(), "(N, C) like predictions[0] (logits)");
        y.requireBinary("a 0/1 label matrix");
        long classes = logits.size(1);
        if (classWeights != null && classWeights.length != classes) {
            throw logits.fail("has " + classes + " classes, but the loss was built with " + classWeights.length
                    + " class weights");
        }
        if (correlation != null && correlationClasses != classes) {
            throw logits.fail("has " + classes + " classes, but the loss was built with a " + correlationClasses
                    + " × " + correlationClasses + " correlation matrix");
        }
        NDArray x = logits.array();
        NDArray labels = y.array();
        NDArray loss = weightedBce(x, labels);
        if (correlation != null && correlationMass > 0 && lambdaCorrelation > 0) {
            loss = loss.add(Scalar.mul(correlationTerm(Activation.sigmoid(x)), lambdaCorrelation));
        }
        if (in.hasPrediction(1) && lambdaContrastive > 0) {
            Slot embeddings = in.prediction(1, "embeddings").requireRank("(N, E)", 2).requireSameBatch(logits);
            if (embeddings.size(0) > 1) {
                loss = loss.add(Scalar.mul(contrastiveTerm(embeddings.array(), labels), lambdaContrastive));
            }
        } else if (in.hasPrediction(1)) {
            in.prediction(1, "embeddings").requireRank("(N, E)", 2).requireSameBatch(logits);
        }
        return loss;
    }

    /** mean over (i, c) of −[w_c y log σ(x) + (1 − y) log(1 − σ(x))] = softplus(x)(1 − y + w y) − w y x. */
    private NDArray weightedBce(NDArray x, NDArray y) {
        if (classWeights == null) {
            return ClassificationMath.bceWithLogits(x, y).mean();
        }
        NDArray w = Scalar.array(x, classWeights, new Shape(1, classWeights.length));
        NDArray positive = ClassificationMath.bceWithLogits(x, y.onesLike()).mul(y).mul(w);
        NDArray negative = ClassificationMath.bceWithLogits(x, y.zerosLike()).mul(y.neg().add(1));
        return positive.add(negative).mean();
    }

    /** (1/N) Σ_i Σ_{j≠k} M⁺_jk (σ_ij − σ_ik)² / Σ M⁺ (only called when Σ M⁺ &gt; 0). */
    private NDArray correlationTerm(NDArray probabilities) {
        int c = correlationClasses;
        NDArray m = Scalar.array(probabilities, correlation, new Shape(1, c, c));
        NDArray gap = probabilities.expandDims(2).sub(probabilities.expandDims(1));
        return Scalar.div(gap.square().mul(m).sum(new int[] {1, 2}).mean(), correlationMass);
    }

    /** Mean over pairs a ≠ b of s d² + (1 − s) max(0, m − d)². */
    private NDArray contrastiveTerm(NDArray embeddings, NDArray y) {
        long n = embeddings.getShape().get(0);
        // d² from the Gram matrix (N × N memory, not the N × N × E differences), clamped at 0 where
        // rounding makes it slightly negative
        NDArray norms = embeddings.square().sum(new int[] {1}, true);
        NDArray squared = Scalar.max(norms.add(norms.transpose())
                .sub(Scalar.mul(embeddings.matMul(embeddings.transpose()), 2)), 0);
        NDArray distance = ClassificationMath.safeSqrt(squared);
        NDArray similar = y.matMul(y.transpose()).gt(0).toType(distance.getDataType(), false);
        NDArray hinge = Scalar.max(distance.neg().add(Scalar.of(distance, margin)), 0);
        NDArray pairLoss = similar.mul(squared).add(similar.neg().add(1).mul(hinge.square()));
        NDArray offDiagonal = embeddings.getManager().eye((int) n, (int) n, 0, distance.getDataType(), distance.getDevice()).neg().add(1);
        return Scalar.div(pairLoss.mul(offDiagonal).sum(), (double) n * (n - 1));
    }

    /** Builds a {@link HybridMultiLabelLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double lambdaCorrelation = DEFAULT_LAMBDA_CORRELATION;
        private double lambdaContrastive = DEFAULT_LAMBDA_CONTRASTIVE;
        private double margin = DEFAULT_MARGIN;
        private double @Nullable [] classWeights;
        private double @Nullable [][] correlation;

        private Builder() {}

        /**
         * Sets the weight of the label-correlation term.
         *
         * @param lambdaCorrelation ≥ 0 (default 0.1)
         * @return this
         */
        public Builder optLambdaCorrelation(double lambdaCorrelation) {
            this.lambdaCorrelation = lambdaCorrelation;
            return this;
        }

        /**
         * Sets the weight of the contrastive term.
         *
         * @param lambdaContrastive ≥ 0 (default 0.1)
         * @return this
         */
        public Builder optLambdaContrastive(double lambdaContrastive) {
            this.lambdaContrastive = lambdaContrastive;
            return this;
        }

        /**
         * Sets the contrastive margin m.
         *
         * @param margin ≥ 0 (default 1.0)
         * @return this
         */
        public Builder optMargin(double margin) {
            this.margin = margin;
            return this;
        }

        /**
         * Sets the positive-class weights w_c (PyTorch's {@code pos_weight}).
         *
         * @param classWeights C finite values ≥ 0 (default: all 1)
         * @return this
         */
        public Builder optClassWeights(double[] classWeights) {
            this.classWeights = classWeights;
            return this;
        }

        /**
         * Sets the label correlation matrix M (its positive off-diagonal part is used).
         *
         * @param correlation C × C finite values (default: none, the correlation term is 0)
         * @return this
         */
        public Builder optCorrelation(double[][] correlation) {
            this.correlation = correlation;
            return this;
        }

        /**
         * Sets class weights and correlation from {@link HybridMultiLabelLoss#statisticsOf}.
         *
         * @param statistics the statistics of the training labels
         * @return this
         */
        public Builder optLabelStatistics(LabelStatistics statistics) {
            return optClassWeights(statistics.classWeights()).optCorrelation(statistics.correlation());
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public HybridMultiLabelLoss build() {
            return new HybridMultiLabelLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
