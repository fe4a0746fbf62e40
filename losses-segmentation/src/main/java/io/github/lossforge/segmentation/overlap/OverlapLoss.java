package io.github.lossforge.segmentation.overlap;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Choice;
import io.github.lossforge.core.ParamSpec;
import io.github.lossforge.core.Reduction;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * What the Dice-family losses share: the per-element numerators and denominators of a loss are
 * aggregated here ({@code token}: per token, summed over classes; {@code image}: per image and class
 * over the spatial positions, MONAI's region Dice; {@code batch}: per class over the whole batch),
 * values are reduced over kept tokens or images inside {@code compute} (the mask decides the
 * count), and {@code none} returns them shaped (N, S...) for {@code token}, (N) for {@code image}.
 */
abstract class OverlapLoss extends BaseLoss {

    /** The registry parameters every Dice-family loss takes, in order. */
    static final List<ParamSpec> AGGREGATION_PARAMETERS = List.of(
            ParamSpec.word("aggregation", Aggregation.AUTO,
                    "auto (C=1: batch, C>1: token), token, image (per image and class over the spatial axes,"
                            + " then the mean: MONAI's region Dice) or batch (per class over the batch)"),
            ParamSpec.bool("includeBackground", true, "false drops class 0 when C > 1"));

    private final Aggregation aggregation;
    private final boolean includeBackground;

    OverlapLoss(String id, OverlapBuilder<?> b) {
        super(id, b.reduction(), true);
        if (b.aggregation == Aggregation.BATCH) {
            requireBatchReduction(id, b.reduction(), "aggregation 'batch'");
        }
        this.aggregation = b.aggregation;
        this.includeBackground = b.includeBackground;
    }

    /**
     * The aggregation set by the builder ({@code auto} unless set).
     *
     * @return the aggregation
     */
    public Aggregation aggregation() {
        return aggregation;
    }

    /**
     * Requires a finite parameter ≥ 0.
     *
     * @param name the parameter
     * @param value its value
     */
    final void requireNonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(id() + ": " + name + " must be a finite number ≥ 0, got " + value);
        }
    }

    /**
     * Aggregates per-element fractions {@code num / (den + smooth)} as the aggregation says, and
     * reduces. With {@code auto}, a binary input (C = 1) takes {@code batch} unless
     * {@code binaryTokens}, and a multi-class input takes {@code token}. Classes are dropped first
     * when {@code includeBackground} is false and C &gt; 1.
     *
     * @param d the flattened inputs
     * @param num per-element numerators, the shape of p, 0 ≤ num ≤ den
     * @param den per-element denominators without the smoothing, the shape of p
     * @param smooth the smoothing s ≥ 0
     * @param binaryTokens whether {@code auto} means {@code token} for C = 1 (Dice's setLevel = false)
     * @param autoHint what the message names when {@code auto} resolves to {@code batch} and the
     *     reduction is not {@code mean}
     * @return the reduced value
     */
    final NDArray aggregate(OverlapInputs d, NDArray num, NDArray den, double smooth, boolean binaryTokens,
            String autoHint) {
        Aggregation resolved = aggregation;
        if (resolved == Aggregation.AUTO) {
            resolved = d.binary() && !binaryTokens ? Aggregation.BATCH : Aggregation.TOKEN;
            if (resolved == Aggregation.BATCH) {
                requireBatchReduction(id(), reduction(), autoHint);
            }
        }
        NDArray n = d.classes(num, includeBackground);
        NDArray m = d.classes(den, includeBackground);
        return switch (resolved) {
            case IMAGE -> reduceOver(OverlapInputs.fraction(d.imageSums(n), d.imageSums(m), smooth)
                    .mean(new int[] {1}), d.imagesKept());
            case BATCH -> OverlapInputs.fraction(d.batchSums(n), d.batchSums(m), smooth).mean();
            case TOKEN, AUTO -> overTokens(d.perToken(n, m, smooth), d); // AUTO is resolved above
        };
    }

    private static void requireBatchReduction(String id, Reduction reduction, String what) {
        if (reduction != Reduction.MEAN) {
            throw new IllegalArgumentException(id + ": reduction '" + reduction.key() + "' is not available with "
                    + what + ", which is one value per batch: use 'mean'");
        }
    }

    /**
     * Reduces per-token values over the kept tokens: the mean divides by the number kept (0 when
     * none is kept); {@code none} gives the values shaped (N, S...), 0 where masked out.
     *
     * @param perToken (T) values
     * @param inputs the flattened inputs (keep vector and token shape)
     * @return the reduced value
     */
    private NDArray overTokens(NDArray perToken, OverlapInputs inputs) {
        NDArray reduced = reduceOver(perToken, inputs.keep());
        return reduction() == Reduction.NONE ? reduced.reshape(inputs.tokenShape()) : reduced;
    }

    /**
     * Reduces over the kept entries ({@link #reduceKept}), or over all of them without a keep vector.
     *
     * @param values per-token or per-image values
     * @param keep 1 where a value counts, the shape of {@code values}; null when every value counts
     * @return the reduced value
     */
    private NDArray reduceOver(NDArray values, @Nullable NDArray keep) {
        if (keep != null) {
            return reduceKept(values, keep);
        }
        return switch (reduction()) {
            case SUM -> values.sum();
            case NONE -> values;
            case MEAN -> values.mean();
        };
    }

    /** Reduction happens in {@code compute}, over the kept tokens or images only. */
    @Override
    protected final NDArray reduce(NDArray values) {
        return values;
    }

    /**
     * The builder options every Dice-family loss shares.
     *
     * @param <B> the concrete builder
     */
    abstract static class OverlapBuilder<B extends OverlapBuilder<B>> extends BaseLoss.Builder<B> {
        private final String lossId;
        private Aggregation aggregation = Aggregation.AUTO;
        private boolean includeBackground = true;

        /**
         * Starts a builder of one loss.
         *
         * @param lossId the loss's registry id, for the messages
         */
        OverlapBuilder(String lossId) {
            this.lossId = lossId;
        }

        /**
         * Sets how per-element terms are aggregated.
         *
         * @param aggregation {@link Aggregation#AUTO} (default: C = 1 batch, C &gt; 1 token),
         *     {@link Aggregation#TOKEN}, {@link Aggregation#IMAGE} (per image and class over the spatial
         *     positions, then the mean: MONAI's {@code DiceLoss}) or {@link Aggregation#BATCH} (per class
         *     over the whole batch, then the mean; reduction {@code mean} only)
         * @return this
         */
        public B optAggregation(Aggregation aggregation) {
            this.aggregation = Choice.require(aggregation, lossId, "aggregation");
            return self();
        }

        /**
         * Sets the aggregation by its word (case-insensitive).
         *
         * @param aggregation {@code auto} (default), {@code token}, {@code image} or {@code batch}
         * @return this
         * @throws IllegalArgumentException when the word is none of {@link Aggregation}'s words
         */
        public B optAggregation(String aggregation) {
            return optAggregation(Choice.parse(Aggregation.class, lossId, "aggregation", aggregation));
        }

        /**
         * Whether class 0 (the background) takes part when C &gt; 1 (ignored for C = 1).
         *
         * @param includeBackground default true
         * @return this
         */
        public B optIncludeBackground(boolean includeBackground) {
            this.includeBackground = includeBackground;
            return self();
        }
    }
}
