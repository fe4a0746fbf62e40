package io.github.lossforge.contrastive.retrieval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.Surrogate;

import java.util.List;

/**
 * The MW loss: a smoothed Mann–Whitney U statistic (AUC) over positive–negative score pairs.
 *
 * <p>\( L = \frac{1}{|\mathcal{P}|} \sum_{(p, n) \in \mathcal{P}} \mathrm{softplus}\big((s_n -
 * s_p)/T\big) = \mathrm{mean} -\log \sigma((s_p - s_n)/T) \). With {@code pairing=global} (the
 * paper's Fig. 2) \( \mathcal{P} \) holds every positive entry of the score matrix against every
 * negative entry, across queries — a batch-level AUC that also penalises miscalibration between
 * queries; with {@code per-query} the pairs stay within a row, each row's mean is taken and rows
 * with at least one positive and one negative are averaged (RankNet style). The loss is batch-level:
 * reduction {@code mean} only, which returns L (the definition is a mean over pairs; a sum would grow
 * as B³).
 *
 * <p>Memory: the pairs are visited {@code chunk} candidate negatives at a time without autograd,
 * with the exact gradient \( \partial L/\partial s_p = -\frac{1}{T|\mathcal{P}|}\sum_n
 * \sigma((s_n - s_p)/T) \), \( \partial L/\partial s_n = \frac{1}{T|\mathcal{P}|}\sum_p \sigma(\cdot)
 * \) attached through the surrogate \( L + \sum S \odot \mathrm{sg}(G) - \mathrm{sg}(\sum S \odot
 * G) \) (spec §3): peak memory O(Q·K·chunk), never O(|P|·|N|). With {@code global} the positive and
 * negative entries are gathered first, so the work is |P|·|N| pair values rather than (QK)² (the
 * gather's size is data-dependent: on a GPU, libtorch's {@code nonzero} waits for the device).
 *
 * <p>Slots: predictions[0] scores (Q, K) (cosine or dot); labels[0] positive mask (Q, K), 0/1 of
 * any numeric or boolean type. Parameters: {@code temperature} T (1.0, &gt; 0; the paper's value is
 * not confirmed: for cosine scores a T near 0.05 is likely needed), {@code pairing} ({@code global}
 * | {@code per-query}, default {@code global}), {@code chunk} ({@code auto}: about 4M pair values per
 * block; or a number of negative columns per block, ≥ 1), {@code reduction} (mean).
 *
 * <p>Paper: "Optimizing What Matters: AUC-Driven Learning for Robust Neural Retrieval" (ServiceNow),
 * 2025, arXiv 2510.00137. No official code was found; the form follows the paper's definition.
 */
public final class MannWhitneyLoss extends BaseLoss {

    /** The registry id. */
    public static final String ID = "mw";

    /** The values of {@code pairing}, written as their words in the registry and {@code optPairing(String)}. */
    public enum Pairing implements Choice {
        /** Every positive against every negative of the batch. */
        GLOBAL,
        /** Positives against negatives of the same query only. */
        PER_QUERY
    }

    /** Every positive of the batch against every negative of the batch. */
    public static final String GLOBAL = "global";

    /** Pairs within each query's row. */
    public static final String PER_QUERY = "per-query";

    /** Automatic chunk size. */
    public static final String AUTO = "auto";

    /** Pair values per block for {@code chunk=auto}. */
    private static final long AUTO_BUDGET = 1L << 22;

    /** What the registry knows of this loss. */
    public static final LossInfo INFO =
            LossInfo.builder(ID, MannWhitneyLoss.class)
                    .paper("Optimizing What Matters: AUC-Driven Learning for Robust Neural Retrieval (ServiceNow),"
                            + " 2025, arXiv 2510.00137")
                    .prediction("P0 scores (Q,K)")
                    .label("L0 positive mask (Q,K)")
                    .batchLevel()
                    .example("query-candidate scores (Q,K) with a positive mask:"
                            + " examples/run-examples.sh contrastive.MetricLearning --loss mw")
                    .param(ParamSpec.number("temperature", 1.0, "> 0: pairs compare (s_n - s_p) / temperature"))
                    .param(ParamSpec.word("pairing", Pairing.GLOBAL,
                            "pairs across the whole batch or within each query"))
                    .param(ParamSpec.wordOrNumber("chunk", AUTO, List.of(AUTO),
                            "negative columns per block: auto or a number >= 1"))
                    .factory(p -> {
                        Builder b = builder()
                                .optTemperature(p.number("temperature"))
                                .optPairing(p.word("pairing"))
                                .optReduction(p.reduction());
                        Object chunk = p.get("chunk");
                        if (chunk instanceof Number) {
                            double c = ((Number) chunk).doubleValue();
                            if (c != Math.rint(c)) {
                                throw new IllegalArgumentException(ID + ": chunk must be auto or a whole number, got " + c);
                            }
                            b.optChunk((long) c);
                        }
                        return b.build();
                    })
                    .build();

    private final double temperature;
    private final boolean perQuery;
    private final long chunk;

    private MannWhitneyLoss(Builder b) {
        super(ID, b.reduction(), false);
        if (!(b.temperature > 0) || Double.isInfinite(b.temperature)) {
            throw new IllegalArgumentException(ID + ": temperature must be a finite number > 0, got " + b.temperature);
        }
        if (b.chunk < 0) {
            throw new IllegalArgumentException(ID + ": chunk must be auto (0) or a column count >= 1, got " + b.chunk);
        }
        this.temperature = b.temperature;
        this.perQuery = b.pairing == Pairing.PER_QUERY;
        this.chunk = b.chunk;
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
        Slot scores = in.prediction(0, "scores").requireRank("(Q, K)", 2);
        NDArray positives = PositiveMasks.read(in.label(0, "positive mask"), scores);
        NDArray s = scores.array();
        return perQuery ? perQuery(s, positives) : global(s, positives);
    }

    /**
     * Global pairing on the compacted entries: the positive and the negative scores are gathered
     * first, so the work is |P|·|N| pair values (|P|·(QK − |P|)), not (QK)² of a dense mask. The
     * gradients of the two groups are put back in place.
     */
    private NDArray global(NDArray s, NDArray positives) {
        NDArray flat = s.stopGradient().reshape(-1);
        NDArray mask = positives.reshape(-1);
        NDArray posIndex = mask.nonzero().reshape(-1);
        NDArray negIndex = mask.logicalNot().nonzero().reshape(-1);
        NDArray sp = flat.take(posIndex);
        NDArray sn = flat.take(negIndex);
        long p = sp.getShape().get(0);
        long n = sn.getShape().get(0);
        long block = chunk > 0 ? chunk : Math.max(1, AUTO_BUDGET / Math.max(1, p));
        NDArray total = flat.zerosLike().sum();
        NDArray positiveGradient = sp.zerosLike();
        NDList negativeGradients = new NDList();
        for (long from = 0; from < n; from += block) {
            NDArray blockNegativeGradient;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray negatives = sn.get(from + ":" + Math.min(n, from + block));
                // z[p, n] = (s_n − s_p)/T for the block's negatives n.
                NDArray z = Scalar.div(negatives.expandDims(0).sub(sp.expandDims(1)), temperature);
                total.addi(Numerics.softplus(z).sum());
                NDArray weights = Scalar.div(Activation.sigmoid(z), temperature);
                positiveGradient.subi(weights.sum(new int[] {1}));
                blockNegativeGradient = weights.sum(new int[] {0});
                NDScope.unregister(blockNegativeGradient);
            }
            NDScope.register(blockNegativeGradient);
            negativeGradients.add(blockNegativeGradient);
        }
        NDArray negativeGradient = negativeGradients.isEmpty() ? sn.zerosLike()
                : negativeGradients.size() == 1 ? negativeGradients.head() : NDArrays.concat(negativeGradients);
        NDArray gradient = flat.zerosLike().put(posIndex, positiveGradient).put(negIndex, negativeGradient);
        // the pair count is known from the gathered shapes; without pairs the loss is 0 with zero gradients
        double pairs = Math.max(1.0, (double) p * n);
        return Surrogate.attach(Scalar.div(total, pairs), s, Scalar.div(gradient, pairs).reshape(s.getShape()));
    }

    /** Pairs within each query's row, blocked over the row's candidate negatives. */
    private NDArray perQuery(NDArray s, NDArray pos) {
        NDArray neg = pos.logicalNot();
        NDArray detached = s.stopGradient();
        long r = s.getShape().get(0);
        long c = s.getShape().get(1);
        long block = chunk > 0 ? chunk : Math.max(1, AUTO_BUDGET / Math.max(1, r * c));
        NDArray posFloat = pos.toType(s.getDataType(), false);
        NDArray rowSums = detached.zerosLike().sum(new int[] {1});
        NDArray positiveGradient = detached.zerosLike();
        NDList negativeGradients = new NDList();
        for (long from = 0; from < c; from += block) {
            long to = Math.min(c, from + block);
            NDArray blockNegativeGradient;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                String columns = ":, " + from + ":" + to;
                // z[r, p, n] = (s_n − s_p)/T for the block's candidate negatives n.
                NDArray z = Scalar.div(detached.get(columns).expandDims(1).sub(detached.expandDims(2)), temperature);
                NDArray pairs = posFloat.expandDims(2).mul(neg.get(columns).toType(s.getDataType(), false).expandDims(1));
                rowSums.addi(Numerics.softplus(z).mul(pairs).sum(new int[] {1, 2}));
                NDArray weights = Scalar.div(Activation.sigmoid(z).mul(pairs), temperature);
                positiveGradient.subi(weights.sum(new int[] {2}));
                blockNegativeGradient = weights.sum(new int[] {1});
                NDScope.unregister(blockNegativeGradient);
            }
            NDScope.register(blockNegativeGradient);
            negativeGradients.add(blockNegativeGradient);
        }
        NDArray pairCounts = posFloat.sum(new int[] {1}).mul(neg.toType(s.getDataType(), false).sum(new int[] {1}));
        NDArray counted = pairCounts.gt(0).toType(s.getDataType(), false);
        NDArray queries = counted.sum();
        NDArray value = Numerics.safeDivide(Numerics.safeDivide(rowSums, pairCounts).sum(), queries);
        NDArray negativeGradient = negativeGradients.size() == 1 ? negativeGradients.head()
                : NDArrays.concat(negativeGradients, 1);
        NDArray rowWeights = Numerics.safeDivide(counted, pairCounts.mul(queries)).reshape(-1, 1);
        return Surrogate.attach(value, s, positiveGradient.add(negativeGradient).mul(rowWeights));
    }

    /** Builds a {@link MannWhitneyLoss}. */
    public static final class Builder extends BaseLoss.Builder<Builder> {
        private double temperature = 1.0;
        private Pairing pairing = Pairing.GLOBAL;
        private long chunk;

        private Builder() {}

        /**
         * Sets the temperature T.
         *
         * @param temperature &gt; 0 (default 1)
         * @return this
         */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Sets the pairing.
         *
         * @param pairing the value (default {@link Pairing#GLOBAL})
         * @return this
         */
        public Builder optPairing(Pairing pairing) {
            this.pairing = Choice.require(pairing, ID, "pairing");
            return this;
        }

        /**
         * Sets the pairing by its word (case-insensitive).
         *
         * @param pairing {@code global} (default) or {@code per-query}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Pairing}'s words
         */
        public Builder optPairing(String pairing) {
            return optPairing(Choice.parse(Pairing.class, ID, "pairing", pairing));
        }

        /**
         * Sets the number of candidate-negative columns per block.
         *
         * @param chunk 0 for automatic (default), or ≥ 1
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
        public MannWhitneyLoss build() {
            return new MannWhitneyLoss(this);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }
}
