package io.github.lossforge.contrastive.selfsupervised;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.github.lossforge.contrastive.BlockedSimilarity;
import io.github.lossforge.contrastive.LogitSurrogate;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.Surrogate;

/**
 * InfoNCE: the cross-entropy of each query against all keys, the positive of query i being key i.
 *
 * <p>\( L_{ij} = s\,\langle \hat q_i, \hat k_j \rangle \) with \( s = 1/\tau \) (or \( s =
 * e^{P_2} \) when the learnable log-scale slot is given, which then replaces the temperature), \(
 * \ell_i = -\sum_j t_{ij} \log \mathrm{softmax}_j(L_i) \) with label-smoothed targets \( t_{ij} =
 * (1-\varepsilon)\,\delta_{ij} + \varepsilon/M \) (PyTorch's {@code label_smoothing}: ε spread over
 * all M keys). With {@code symmetric} (CLIP; Sample4Geo with ε = 0.1), the per-sample value is \(
 * \tfrac12(\ell_i + \ell'_i) \), \( \ell'_i \) the same cross-entropy on the columns of L (needs M =
 * N). The registry also offers the Sample4Geo preset as {@code symmetric-info-nce}.
 *
 * <p>Slots: predictions[0] queries (N, D); predictions[1] keys (M ≥ N, D); optional predictions[2]
 * log-scale, a scalar (shape () or (1)) that receives a gradient; labels: none are read (one
 * optional label array, such as instance ids, is accepted and ignored, since DJL's {@code
 * EasyTrain} needs one). Parameters: {@code
 * temperature} (0.07, &gt; 0), {@code symmetric} (false), {@code labelSmoothing} (0.0, in [0, 1)),
 * {@code normalize} (true: L2-normalise queries and keys), {@code chunk} (0 = the whole N×M matrix
 * with plain autograd; k &gt; 0 = {@link BlockedSimilarity} k query rows at a time, for the mean
 * and sum reductions only), {@code reduction} (mean).
 *
 * <p>With {@code chunk} 0 and no label smoothing the value and its gradient with respect to the
 * logits are computed in closed form and attached by {@code core.Surrogate}: only first-order
 * derivatives are carried (no gradient of the gradient).
 *
 * <p>Papers: van den Oord, Li, Vinyals, "Representation Learning with Contrastive Predictive
 * Coding", 2018, arXiv 1807.03748; Deuser, Habel, Oswald, "Sample4Geo: Hard Negative Sampling For
 * Cross-View Geo-Localisation", ICCV 2023, arXiv 2303.11851. Sample4Geo does not clamp the log-scale
 * and CLIP clamps it at log 100; we clamp it at {@link #MAX_LOG_SCALE} = 50, far above any trained
 * value, only so that a huge log-scale gives finite logits (e^{log-scale} overflows float64 beyond
 * 709, and the logits overflow float32 well before): above it the log-scale gets no gradient.
 */
public final class InfoNceLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "info-nce";

    /** The registry id of the Sample4Geo preset: symmetric, label smoothing 0.1. */
    public static final String SYMMETRIC_ID = "symmetric-info-nce";

    /** The default temperature τ. */
    public static final double DEFAULT_TEMPERATURE = 0.07;

    /** The label smoothing of the symmetric preset (Sample4Geo). */
    public static final double PRESET_LABEL_SMOOTHING = 0.1;

    /**
     * The ceiling of the learnable log-scale: e^50 ≈ 5·10²¹ keeps the logits and their gradients finite
     * in float32, and no trained model comes near it (CLIP clamps at log 100 ≈ 4.6).
     */
    public static final double MAX_LOG_SCALE = 50;

    private static final String SLOTS_Q = "P0 queries (N,D)";
    private static final String SLOTS_K = "P1 keys (M>=N,D)";
    private static final String SLOTS_S = "P2? log-scale () learnable, replaces 1/temperature";
    private static final String CHUNK_DOC = "0 = whole matrix; k > 0 = k query rows at a time (mean/sum only)";

    /** What the registry knows of {@code info-nce}. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, InfoNceLoss.class)
                    .paper("van den Oord, Li, Vinyals: Representation Learning with Contrastive Predictive"
                            + " Coding, 2018, arXiv 1807.03748")
                    .prediction(SLOTS_Q)
                    .prediction(SLOTS_K)
                    .prediction(SLOTS_S)
                    .example("two-view embeddings: examples/run-examples.sh contrastive.ContrastivePretraining --loss info-nce")
                    .param(ParamSpec.number("temperature", DEFAULT_TEMPERATURE, "> 0: logits are cosines / temperature"))
                    .param(ParamSpec.bool("symmetric", false, "average with the key-to-query direction (CLIP)"))
                    .param(ParamSpec.number("labelSmoothing", 0.0, "in [0, 1): mass spread over all keys"))
                    .param(ParamSpec.bool("normalize", true, "L2-normalise queries and keys"))
                    .param(ParamSpec.integer("chunk", 0L, CHUNK_DOC))
                    .factory(p -> builder()
                            .optTemperature(p.number("temperature"))
                            .optSymmetric(p.bool("symmetric"))
                            .optLabelSmoothing(p.number("labelSmoothing"))
                            .optNormalize(p.bool("normalize"))
                            .optChunk(p.integer("chunk"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    /** What the registry knows of the {@code symmetric-info-nce} preset. */
    public static final LossInfo SYMMETRIC_INFO =
            LossInfo.builder(SYMMETRIC_ID, InfoNceLoss.class)
                    .paper("Deuser, Habel, Oswald: Sample4Geo: Hard Negative Sampling For Cross-View"
                            + " Geo-Localisation, ICCV 2023, arXiv 2303.11851")
                    .prediction(SLOTS_Q)
                    .prediction("P1 keys (N,D)")
                    .prediction(SLOTS_S)
                    .example("two-view embeddings: examples/run-examples.sh contrastive.ContrastivePretraining --loss symmetric-info-nce")
                    .param(ParamSpec.number("temperature", DEFAULT_TEMPERATURE, "> 0: logits are cosines / temperature"))
                    .param(ParamSpec.number("labelSmoothing", PRESET_LABEL_SMOOTHING,
                            "in [0, 1): mass spread over all keys"))
                    .param(ParamSpec.integer("chunk", 0L, CHUNK_DOC))
                    .factory(p -> symmetricBuilder()
                            .optTemperature(p.number("temperature"))
                            .optLabelSmoothing(p.number("labelSmoothing"))
                            .optChunk(p.integer("chunk"))
                            .optReduction(p.reduction())
                            .build())
                    .build();

    private final double temperature;
    private final boolean symmetric;
    private final double labelSmoothing;
    private final boolean normalize;
    private final long chunk;

    private InfoNceLoss(Builder b) {
        super(b.id, b.reduction(), true);
        String id = b.id;
        if (!(b.temperature > 0) || Double.isInfinite(b.temperature)) {
            throw new IllegalArgumentException(id + ": temperature must be a finite number > 0, got " + b.temperature);
        }
        if (!(b.labelSmoothing >= 0 && b.labelSmoothing < 1)) {
            throw new IllegalArgumentException(id + ": labelSmoothing must be in [0, 1), got " + b.labelSmoothing);
        }
        BlockedSimilarity.requireChunk(id, b.chunk, b.reduction());
        if (SYMMETRIC_ID.equals(id) && (!b.symmetric || !b.normalize)) {
            throw new IllegalArgumentException(id + ": the preset is symmetric and normalised by definition");
        }
        this.temperature = b.temperature;
        this.symmetric = b.symmetric;
        this.labelSmoothing = b.labelSmoothing;
        this.normalize = b.normalize;
        this.chunk = b.chunk;
    }

    /**
     * Starts a builder of {@code info-nce}.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder(ID, false, 0.0);
    }

    /**
     * Starts a builder of the Sample4Geo preset {@code symmetric-info-nce}: symmetric, label
     * smoothing 0.1.
     *
     * @return a builder with the preset's defaults
     */
    public static Builder symmetricBuilder() {
        return new Builder(SYMMETRIC_ID, true, PRESET_LABEL_SMOOTHING);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray compute(LossInputs in) {
        // labels[0] may hold anything (DJL's trainer needs one label array); it is not read.
        in.requireSlots(0, 1, 2, 3);
        Slot queries = in.prediction(0, "queries").requireRank("(N, D)", 2);
        Slot keys = in.prediction(1, "keys").requireRank("(M, D)", 2);
        if (keys.size(1) != queries.size(1)) {
            throw keys.fail("has shape " + keys.shape() + ", expected an embedding size of " + queries.size(1)
                    + " to match " + queries.describe() + " " + queries.shape());
        }
        long n = queries.size(0);
        long m = keys.size(0);
        if (symmetric ? m != n : m < n) {
            throw keys.fail("has shape " + keys.shape() + ", expected " + (symmetric ? "" : "at least ") + n
                    + " keys (key i is the positive of query i" + (symmetric ? ", and the loss is symmetric)" : ")"));
        }
        NDArray scale;
        if (in.hasPrediction(2)) {
            Slot logScale = in.prediction(2, "log-scale");
            if (logScale.shape().size() != 1 || logScale.shape().dimension() > 1) {
                throw logScale.fail("has shape " + logScale.shape() + ", expected a scalar: shape () or (1)");
            }
            scale = Scalar.min(logScale.array().reshape(), MAX_LOG_SCALE).exp();
        } else {
            scale = Scalar.of(queries.array(), 1 / temperature);
        }
        NDArray q = normalize ? PairMath.l2Normalize(queries.array()) : queries.array();
        NDArray k = normalize ? PairMath.l2Normalize(keys.array()) : keys.array();
        return chunk == 0 ? wholeMatrix(q, k, scale, !in.hasPrediction(2)) : blocked(q, k, scale);
    }

    private NDArray wholeMatrix(NDArray q, NDArray k, NDArray scale, boolean fixedScale) {
        long n = q.getShape().get(0);
        long m = k.getShape().get(0);
        if (labelSmoothing == 0) {
            return oneHotTargets(q, k, scale, fixedScale && LogitSurrogate.gramAttachable(reduction()));
        }
        NDArray logits = PairMath.dotMatrix(q, k).mul(scale);
        NDArray rows = PairMath.softTargetCrossEntropy(logits, null, targets(logits, 0, n, m));
        if (!symmetric) {
            return rows;
        }
        NDArray columns = PairMath.softTargetCrossEntropy(logits.transpose(), null, targets(logits, 0, n, n));
        return Scalar.mul(rows.add(columns), 0.5);
    }

    private NDArray blocked(NDArray q, NDArray k, NDArray scale) {
        long m = k.getShape().get(0);
        if (!symmetric) {
            return BlockedSimilarity.rowValues(q, k, scale, chunk, (from, to, logits) -> {
                NDArray t = targets(logits, from, to - from, m);
                return new BlockedSimilarity.RowBlock(
                        PairMath.softTargetCrossEntropy(logits, null, t),
                        () -> PairMath.softTargetCrossEntropyGradient(logits, null, t));
            });
        }
        // Column direction: its log-sum-exps need whole columns, so a first blocked pass collects
        // them; the smoothing term needs column sums, which are s·(Σ_i q_i)·k_j directly.
        NDArray columnLse = BlockedSimilarity.columnLogSumExp(q, k, scale, chunk).reshape(1, -1);
        NDArray columnSums = PairMath.dotMatrix(q.stopGradient().sum(new int[] {0}, true), k.stopGradient())
                .mul(scale.stopGradient()).reshape(-1);
        return BlockedSimilarity.rowValues(q, k, scale, chunk, (from, to, logits) -> {
            NDArray t = targets(logits, from, to - from, m);
            NDArray rowValues = PairMath.softTargetCrossEntropy(logits, null, t);
            NDArray diagonal = logits.mul(PairMath.diagonal(logits, from, to - from, m).toType(logits.getDataType(), false))
                    .sum(new int[] {1});
            NDIndex rows = new NDIndex(from + ":" + to);
            NDArray columnValues = columnLse.reshape(-1).get(rows)
                    .sub(Scalar.mul(diagonal, 1 - labelSmoothing))
                    .sub(Scalar.mul(columnSums.get(rows), labelSmoothing / m));
            return new BlockedSimilarity.RowBlock(Scalar.mul(rowValues.add(columnValues), 0.5),
                    () -> Scalar.mul(PairMath.softTargetCrossEntropyGradient(logits, null, t)
                            .add(logits.sub(columnLse).exp().sub(t)), 0.5));
        });
    }

    /**
     * The one-hot (unsmoothed) loss, value and gradient in closed form on detached arrays: −log
     * softmax at the positives (i, i), read from one {@code logSoftmax} per direction through a
     * strided view of the diagonal, and ∂/∂L = softmax − I, attached to the logits by {@link
     * LogitSurrogate} (autograd then records only the products that made L).
     */
    private NDArray oneHotTargets(NDArray q, NDArray k, NDArray scale, boolean direct) {
        long n = q.getShape().get(0);
        long m = k.getShape().get(0);
        NDArray qd = q.stopGradient();
        NDArray kd = k.stopGradient();
        NDArray scaledQ = (direct ? qd : q).mul(scale);
        NDArray logits = PairMath.dotMatrix(scaledQ, direct ? kd : k);
        NDArray detached = logits.stopGradient();
        // (i, i) for i < n, flat: i·(m + 1)
        NDIndex positives = new NDIndex("0:" + (n * (m + 1)) + ":" + (m + 1));
        NDArray rowLog = detached.logSoftmax(1);
        NDArray rowPositive = rowLog.reshape(-1).get(positives);
        boolean withGradient = Surrogate.isNeeded(q);
        NDArray half = Scalar.of(detached, 0.5);
        NDArray values;
        NDArray rows = null;
        NDArray columns = null;
        if (symmetric) {
            NDArray columnLog = detached.logSoftmax(0);
            NDArray columnPositive = columnLog.reshape(-1).get(positives);
            values = rowPositive.add(columnPositive).mul(half).neg();
            if (withGradient) {
                rows = softmaxMinusPositives(rowLog, positives, rowPositive).muli(half);
                columns = softmaxMinusPositives(columnLog, positives, columnPositive).muli(half);
            }
        } else {
            values = rowPositive.neg();
            if (withGradient) {
                rows = softmaxMinusPositives(rowLog, positives, rowPositive);
            }
        }
        if (rows == null) {
            return values;
        }
        if (!direct) {
            return LogitSurrogate.attach(values, logits, rows, columns == null ? null : columns.transpose(),
                    reduction());
        }
        // every sample weighed alike: the summed gradient goes to q and k directly, s·G k and Gᵀ (s q)
        NDArray gradient = columns == null ? rows : rows.addi(columns);
        return Surrogate.attach(values, new NDArray[] {q, k},
                new NDArray[] {gradient.matMul(kd).muli(scale), gradient.transpose().matMul(scaledQ)});
    }

    /** e^(log-softmax) − 1 at the positives, the log-softmax closed. */
    private static NDArray softmaxMinusPositives(NDArray logSoftmax, NDIndex positives, NDArray atPositives) {
        NDArray p = PairMath.expClosing(logSoftmax);
        p.reshape(-1).set(positives, atPositives.exp().sub(1));
        return p;
    }

    /** Rows [from, from + rows) of the smoothed one-hot targets (1 − ε)·δ_ij + ε/columns. */
    private NDArray targets(NDArray like, long from, long rows, long columns) {
        NDArray diagonal = PairMath.diagonal(like, from, rows, columns).toType(like.getDataType(), false);
        return Scalar.mul(diagonal, 1 - labelSmoothing).add(labelSmoothing / columns);
    }

    /** Builds an {@link InfoNceLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private final String id;
        private double temperature = DEFAULT_TEMPERATURE;
        private boolean symmetric;
        private double labelSmoothing;
        private boolean normalize = true;
        private long chunk;

        private Builder(String id, boolean symmetric, double labelSmoothing) {
            this.id = id;
            this.symmetric = symmetric;
            this.labelSmoothing = labelSmoothing;
        }

        /**
         * Sets the temperature τ (logits are similarities / τ); unused when the log-scale slot is given.
         *
         * @param temperature &gt; 0 (default 0.07)
         * @return this
         */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Sets whether the key-to-query direction is averaged in (CLIP).
         *
         * @param symmetric default false ({@code true} for {@code symmetric-info-nce})
         * @return this
         */
        public Builder optSymmetric(boolean symmetric) {
            this.symmetric = symmetric;
            return this;
        }

        /**
         * Sets the label smoothing ε, spread over all keys as PyTorch's cross-entropy does.
         *
         * @param labelSmoothing in [0, 1) (default 0, 0.1 for {@code symmetric-info-nce})
         * @return this
         */
        public Builder optLabelSmoothing(double labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            return this;
        }

        /**
         * Sets whether queries and keys are L2-normalised.
         *
         * @param normalize default true
         * @return this
         */
        public Builder optNormalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /**
         * Sets the blocked evaluation.
         *
         * @param chunk 0 (default) for the whole matrix, k &gt; 0 for k query rows at a time
         * @return this
         */
        public Builder optChunk(long chunk) {
            this.chunk = chunk;
            return this;
        }

        /**
         * Builds the loss.
         *
         * @return the loss
         */
        public InfoNceLoss build() {
            return new InfoNceLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
