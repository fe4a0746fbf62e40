package io.github.lossforge.core.sequence;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.DtypePolicy;

import org.jspecify.annotations.Nullable;

/**
 * The log-probability a language model assigns to whole answers: \( \log p(y^*) = \sum_t
 * \log\mathrm{softmax}(\ell_t)[y^*_t] \) over the answer tokens, the input of {@link
 * DirectCoverageLoss}.
 *
 * <p>Positions are aligned: {@code logits[b, t]} scores {@code targets[b, t]}. For a causal model whose
 * logits at t predict token t + 1, shift first ({@code logits.get(":, :-1")} with {@code
 * targets.get(":, 1:")}), as the official DCO code does. A token counts when its target is not {@link
 * #IGNORE_INDEX} (prompt and padding, as in Hugging Face labels) and, when a mask is given, the mask is
 * non-zero there. The result is differentiable in the logits.
 */
public final class SequenceLogProb {

    /** The target value of tokens that do not count (prompt, padding). */
    public static final long IGNORE_INDEX = -100;

    private SequenceLogProb() {}

    /**
     * The summed log-probability of each sequence's counted tokens.
     *
     * @param logits (B, T, V) logits, floating (float16 computed in float32)
     * @param targets (B, T) integer token ids, {@link #IGNORE_INDEX} where a token does not count
     * @param mask (B, T) 0/1 of any numeric or boolean type, or null
     * @return (B) log-probabilities, ≤ 0; 0 for a sequence without counted tokens
     * @throws IllegalArgumentException for bad shapes, dtypes or token ids
     */
    public static NDArray of(NDArray logits, NDArray targets, @Nullable NDArray mask) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray result = summedLogProb(logits, targets, mask);
            NDScope.unregister(result);
            return result;
        }
    }

    private static NDArray summedLogProb(NDArray logits, NDArray targets, @Nullable NDArray mask) {
        NDArray counted = countedTokens(logits, targets, mask);
        NDArray wide = DtypePolicy.widen(logits);
        NDArray safeTargets = NDArrays.where(counted, targets.toType(DataType.INT64, false),
                targets.zerosLike().toType(DataType.INT64, false));
        long b = wide.getShape().get(0);
        long t = wide.getShape().get(1);
        NDArray tokenLogP = wide.logSoftmax(2).gather(safeTargets.reshape(b, t, 1), 2).reshape(b, t);
        return tokenLogP.mul(counted.toType(tokenLogP.getDataType(), false)).sum(new int[] {1});
    }

    /**
     * The summed log-probability of each sequence's tokens, every target not equal to {@link
     * #IGNORE_INDEX} counting.
     *
     * @param logits (B, T, V) logits
     * @param targets (B, T) integer token ids
     * @return (B) log-probabilities
     */
    public static NDArray of(NDArray logits, NDArray targets) {
        return of(logits, targets, null);
    }

    /**
     * The number of counted tokens per sequence (the n_i of DCO's {@code weighted-ce} mode).
     *
     * @param targets (B, T) integer token ids
     * @param mask (B, T) 0/1, or null
     * @return (B) counts, float32
     */
    public static NDArray tokenCounts(NDArray targets, @Nullable NDArray mask) {
        requireTargets(targets);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray result = counted(targets, mask).toType(DataType.FLOAT32, false).sum(new int[] {1});
            NDScope.unregister(result);
            return result;
        }
    }

    private static NDArray countedTokens(NDArray logits, NDArray targets, @Nullable NDArray mask) {
        Shape ls = logits.getShape();
        if (ls.dimension() != 3) {
            throw new IllegalArgumentException("SequenceLogProb: logits have shape " + ls + ", expected (B, T, V)");
        }
        if (!DtypePolicy.isAcceptedFloat(logits.getDataType())) {
            throw new IllegalArgumentException(
                    "SequenceLogProb: logits have dtype " + logits.getDataType() + ", expected float16, float32 or float64");
        }
        requireTargets(targets);
        if (!targets.getShape().equals(new Shape(ls.get(0), ls.get(1)))) {
            throw new IllegalArgumentException("SequenceLogProb: targets have shape " + targets.getShape()
                    + ", expected (B, T) = (" + ls.get(0) + ", " + ls.get(1) + ") to match logits " + ls);
        }
        NDArray counted = counted(targets, mask);
        if (counted.any().getBoolean()) {
            NDArray ids = targets.toType(DataType.INT64, false);
            long lo = NDArrays.where(counted, ids, ids.zerosLike()).min().getLong();
            long hi = NDArrays.where(counted, ids, ids.zerosLike()).max().getLong();
            if (lo < 0 || hi >= ls.get(2)) {
                throw new IllegalArgumentException("SequenceLogProb: targets hold token id " + (lo < 0 ? lo : hi)
                        + ", expected ids in [0, " + ls.get(2) + ") or " + IGNORE_INDEX + " for ignored tokens");
            }
        }
        return counted;
    }

    private static void requireTargets(NDArray targets) {
        if (!DtypePolicy.isInteger(targets.getDataType())) {
            throw new IllegalArgumentException(
                    "SequenceLogProb: targets have dtype " + targets.getDataType() + ", expected integer token ids (int64)");
        }
        if (targets.getShape().dimension() != 2) {
            throw new IllegalArgumentException("SequenceLogProb: targets have shape " + targets.getShape()
                    + ", expected (B, T)");
        }
    }

    /** Boolean (B, T): target not ignored and mask non-zero. */
    private static NDArray counted(NDArray targets, @Nullable NDArray mask) {
        NDArray keep = targets.toType(DataType.INT64, false).neq(IGNORE_INDEX);
        if (mask == null) {
            return keep;
        }
        if (!mask.getShape().equals(targets.getShape())) {
            throw new IllegalArgumentException("SequenceLogProb: mask has shape " + mask.getShape()
                    + ", expected " + targets.getShape() + " to match the targets");
        }
        NDArray maskOn = mask.getDataType() == DataType.BOOLEAN ? mask : mask.neq(0);
        return keep.logicalAnd(maskOn);
    }
}
