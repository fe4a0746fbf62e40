package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.training.loss.Loss;

import org.jspecify.annotations.Nullable;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The base every LossForge loss extends. It supplies what a DJL {@link Loss} user expects from a
 * mature library, so a loss class holds only its own math:
 *
 * <ul>
 *   <li>reduction ({@link Reduction#MEAN} by default, {@code SUM}, or {@code NONE} = one value per
 *       sample where the loss is per-sample);
 *   <li>validated, dtype-normalised inputs through {@link LossInputs} and {@link Slot} (float16 is
 *       computed in float32 and the result is float32; bfloat16 is rejected);
 *   <li>an {@link NDScope} around the computation, so every temporary dies inside {@code evaluate};
 *       the returned array belongs to the manager of the first prediction;
 *   <li>a cache for DJL's {@code updateAccumulators}, which evaluates the loss a second time on the
 *       same arrays after the backward pass: the value computed for the gradient is reused.
 * </ul>
 *
 * <p>Subclasses implement {@link #compute(LossInputs)}, returning per-sample values of shape
 * {@code (N)} (or a scalar for batch-level losses, which pass {@code perSample = false}).
 *
 * <p>A batch-level loss produces one value per batch, so it has nothing to sum or to list per
 * sample: it takes only {@code mean}, and {@code sum} and {@code none} are refused when it is built.
 *
 * <h2>Checks and speed</h2>
 * Shape, rank, dtype and device checks read metadata only and always run; all inputs of one call
 * must be on one device ({@link IllegalArgumentException} naming the slots otherwise), and arrays a
 * loss creates are made on that device. Value checks (finiteness, class ranges, masks, probability
 * ranges) follow the {@link Checks} policy, set by {@code -Dlossforge.checks=full|shapes} or {@link
 * Checks#setLevel}: with {@code full} (the default on the CPU) they are computed on the device and
 * read together in <b>at most one host synchronisation per {@code evaluate}</b>, at the end of the
 * call; with {@code shapes} (the default on a GPU) they are skipped and {@code evaluate} never waits
 * for the device, except in the few losses whose algorithm is host-side by nature (their javadoc
 * says so).
 */
public abstract class BaseLoss extends Loss {

    private static final int CACHE_ENTRIES = 8;

    private final String id;
    private final Reduction reduction;
    private final boolean perSample;
    private final Deque<CachedValue> cache = new ArrayDeque<>();
    private final ThreadLocal<Boolean> reuseCached = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /**
     * Creates a loss.
     *
     * @param id the registry id, also the DJL evaluator name
     * @param reduction the reduction
     * @param perSample whether {@link #compute} returns one value per sample (else a scalar)
     * @throws IllegalArgumentException for {@code SUM} or {@code NONE} on a batch-level loss
     */
    protected BaseLoss(String id, Reduction reduction, boolean perSample) {
        super(id);
        this.id = id;
        this.reduction = reduction;
        this.perSample = perSample;
        if (reduction == null) {
            throw new IllegalArgumentException(id + ": reduction must not be null");
        }
        if (!perSample && reduction != Reduction.MEAN) {
            throw new IllegalArgumentException(id + ": reduction '" + reduction.key()
                    + "' is not available, the loss is batch-level (one value per batch): use 'mean'");
        }
    }

    /**
     * The registry id of this loss.
     *
     * @return the id, e.g. {@code comp-sum}
     */
    public String id() {
        return id;
    }

    /**
     * The reduction this loss applies.
     *
     * @return the reduction
     */
    public Reduction reduction() {
        return reduction;
    }

    /**
     * Computes the loss.
     *
     * @param labels the label slots, as documented by the loss
     * @param predictions the prediction slots, as documented by the loss
     * @return the reduced loss: a scalar for {@code mean}/{@code sum}, shape (N) for {@code none}
     * @throws IllegalArgumentException naming the loss, the slot and the shapes for bad input
     */
    @Override
    public final NDArray evaluate(NDList labels, NDList predictions) {
        if (reuseCached.get()) {
            NDArray cached = cachedValue(labels, predictions);
            if (cached != null) {
                return cached;
            }
        }
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            LossInputs inputs = new LossInputs(id, labels, predictions);
            NDArray values = computeChecked(inputs);
            result = perSample ? reduce(values) : values;
            NDScope.unregister(result);
        }
        remember(labels, predictions, result);
        return result;
    }

    /**
     * Runs {@link #compute} and then the deferred value checks (one host read). When the computation
     * fails first (a class index out of range reaching a gather, say), the checks are read before the
     * failure is rethrown, so the caller sees the clear message of the bad input.
     */
    private NDArray computeChecked(LossInputs inputs) {
        NDArray values;
        try {
            values = compute(inputs);
        } catch (RuntimeException failure) {
            try {
                inputs.verifyValues();
            } catch (IllegalArgumentException bad) {
                bad.addSuppressed(failure);
                throw bad;
            } catch (RuntimeException ignored) {
                failure.addSuppressed(ignored);
            }
            throw failure;
        }
        inputs.verifyValues();
        return values;
    }

    /**
     * Computes the per-sample loss values (or the batch-level scalar).
     *
     * @param inputs the validated inputs
     * @return per-sample values of shape (N), or a scalar when the loss is batch-level
     */
    protected abstract NDArray compute(LossInputs inputs);

    /**
     * Applies the reduction to per-sample values. Losses with ignored samples override this through
     * {@link #reduceKept}.
     *
     * @param values per-sample values (N)
     * @return the reduced value
     */
    protected NDArray reduce(NDArray values) {
        switch (reduction) {
            case SUM:
                return values.sum();
            case NONE:
                return values;
            case MEAN:
            default:
                return values.mean();
        }
    }

    /**
     * Applies the reduction to per-sample values of which only some are kept: the mean divides by
     * the number of kept samples, and a batch with none kept gives 0 (with zero gradients); with
     * {@code none}, dropped samples read 0.
     *
     * @param values per-sample values (N)
     * @param keep 1 where a sample counts, 0 where it is dropped, same shape and dtype as values
     * @return the reduced value
     */
    protected NDArray reduceKept(NDArray values, NDArray keep) {
        NDArray kept = values.mul(keep);
        switch (reduction) {
            case SUM:
                return kept.sum();
            case NONE:
                return kept;
            case MEAN:
            default:
                return Numerics.safeDivide(kept.sum(), keep.sum().stopGradient());
        }
    }

    /** {@inheritDoc} */
    @Override
    public void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
        reuseCached.set(Boolean.TRUE);
        try {
            super.updateAccumulators(keys, labels, predictions);
        } finally {
            reuseCached.set(Boolean.FALSE);
        }
    }

    private synchronized @Nullable NDArray cachedValue(NDList labels, NDList predictions) {
        for (CachedValue entry : cache) {
            if (entry.matches(labels, predictions)) {
                return entry.value.isReleased() ? null : entry.value;
            }
        }
        return null;
    }

    private synchronized void remember(NDList labels, NDList predictions, NDArray value) {
        cache.removeIf(e -> e.matches(labels, predictions));
        cache.addFirst(new CachedValue(labels, predictions, value));
        while (cache.size() > CACHE_ENTRIES) {
            cache.removeLast();
        }
    }

    /** The value computed for one (labels, predictions) pair, matched by array identity. */
    private static final class CachedValue {
        private final NDArray[] labels;
        private final NDArray[] predictions;
        private final NDArray value;

        CachedValue(NDList labels, NDList predictions, NDArray value) {
            this.labels = labels.toArray(new NDArray[0]);
            this.predictions = predictions.toArray(new NDArray[0]);
            this.value = value;
        }

        boolean matches(NDList otherLabels, NDList otherPredictions) {
            return sameArrays(labels, otherLabels) && sameArrays(predictions, otherPredictions);
        }

        private static boolean sameArrays(NDArray[] mine, NDList other) {
            if (other == null || mine.length != other.size()) {
                return false;
            }
            for (int i = 0; i < mine.length; i++) {
                if (mine[i] != other.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The part of every builder that all losses share.
     *
     * @param <B> the concrete builder type
     */
    public abstract static class Builder<B extends Builder<B>> {

        private Reduction reduction = Reduction.MEAN;

        /**
         * Sets the reduction.
         *
         * @param reduction {@code MEAN} (default), {@code SUM} or {@code NONE}
         * @return this builder
         */
        public B optReduction(Reduction reduction) {
            this.reduction = reduction;
            return self();
        }

        /**
         * Sets the reduction by name.
         *
         * @param reduction {@code mean} (default), {@code sum} or {@code none}
         * @return this builder
         */
        public B optReduction(String reduction) {
            return optReduction(Reduction.parse(reduction));
        }

        /**
         * The reduction set so far.
         *
         * @return the reduction
         */
        public Reduction reduction() {
            return reduction;
        }

        /**
         * This builder, typed.
         *
         * @return this
         */
        protected abstract B self();
    }
}
