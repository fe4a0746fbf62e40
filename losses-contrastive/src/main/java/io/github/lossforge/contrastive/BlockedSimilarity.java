package io.github.lossforge.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.engine.PtEngineAdapter;

import java.util.function.Supplier;

/**
 * Row-blocked evaluation of a loss defined on a similarity matrix \( L = s \cdot A B^\top \) that
 * never holds the whole R×C matrix, nor its gradient, at once (spec §3, the surrogate-gradient
 * pattern of the Cut Cross-Entropy issue).
 *
 * <p>Under no autograd, {@code chunk} rows of L are formed at a time; the loss turns them into
 * per-row values and \( G = \partial(\sum_r \ell_r)/\partial L \) for those rows, from which \(
 * \partial/\partial A = s\,G B \), \( \partial/\partial B \mathrel{+}= s\,G^\top A \) and \(
 * \partial/\partial s \mathrel{+}= \sum G \odot A B^\top \) are accumulated. The result is
 * \( v_r = \mathrm{sg}(\ell_r) + (S - \mathrm{sg}(S))/R \) with the surrogate \( S = \sum A \odot
 * \mathrm{sg}(\partial A) + \sum B \odot \mathrm{sg}(\partial B) + s\,\mathrm{sg}(\partial s) \):
 * each value is exact, and the gradient of \( \sum_r v_r \) (hence of any mean or sum with equal
 * row weights) is exactly that of \( \sum_r \ell_r \), flowing on through whatever made A, B and s
 * (e.g. the L2 normalisation). A and B may be the same array (a batch against itself); the two
 * contributions then add up. Peak extra memory is O(chunk·C + (R + C)·D).
 *
 * <p>Per-row values are therefore not individually differentiable: losses offer this path for the
 * {@code mean} and {@code sum} reductions only.
 */
public final class BlockedSimilarity {

    private BlockedSimilarity() {}

    /**
     * Checks a loss's {@code chunk} option: 0 (the whole matrix, plain autograd) or a positive row
     * count, the latter only with the {@code mean} and {@code sum} reductions.
     *
     * @param lossId the loss id, for messages
     * @param chunk the option
     * @param reduction the loss's reduction
     * @throws IllegalArgumentException for a negative chunk, or a positive one with {@code none}
     */
    public static void requireChunk(String lossId, long chunk, Reduction reduction) {
        if (chunk < 0) {
            throw new IllegalArgumentException(
                    lossId + ": chunk must be 0 (whole matrix) or a row count > 0, got " + chunk);
        }
        if (chunk > 0 && reduction == Reduction.NONE) {
            throw new IllegalArgumentException(
                    lossId + ": chunk > 0 evaluates the batch as a whole; reduction 'none' needs chunk = 0");
        }
    }

    /**
     * The per-row values of one block of rows and the gradient of their sum with respect to the
     * block's logits, computed without autograd.
     *
     * @param values (b) per-row values
     * @param logitGradient computes (b, C) \( \partial(\sum \ell)/\partial L \) for the block's rows;
     *     called only when autograd is recording
     */
    public record RowBlock(NDArray values, Supplier<NDArray> logitGradient) {}

    /** A loss evaluated on a block of rows of the logit matrix. */
    @FunctionalInterface
    public interface RowBlockLoss {
        /**
         * Evaluates rows {@code [from, to)}.
         *
         * @param from the first row
         * @param to one past the last row
         * @param logits (to − from, C) logits of those rows, detached
         * @return the values and the logit gradient
         */
        RowBlock evaluate(long from, long to, NDArray logits);
    }

    /**
     * Per-row values of a similarity loss, evaluated {@code chunk} rows at a time, carrying the
     * exact gradient through the surrogate described in the class comment.
     *
     * @param rows A (R, D), with its graph
     * @param columns B (C, D), with its graph; may be the same array as {@code rows}
     * @param scale s, a 0-dimensional array (with a graph when learnable)
     * @param chunk the rows per block, ≥ 1
     * @param loss the loss on a block of rows
     * @return (R) values
     */
    public static NDArray rowValues(NDArray rows, NDArray columns, NDArray scale, long chunk, RowBlockLoss loss) {
        NDArray a = rows.stopGradient();
        NDArray b = columns.stopGradient();
        NDArray s = scale.stopGradient();
        long r = a.getShape().get(0);
        if (!PtEngineAdapter.isGradientRecording(rows)) {
            return valuesOnly(a, b, s, chunk, loss);
        }
        NDArray columnGradient = b.zerosLike();
        NDArray scaleGradient = s.zerosLike();
        NDList values = new NDList();
        NDList rowGradients = new NDList();
        for (long from = 0; from < r; from += chunk) {
            long to = Math.min(r, from + chunk);
            NDArray blockValues;
            NDArray blockRowGradient;
            try (NDScope block = new NDScope()) {
                block.suppressNotUsedWarning();
                NDArray aBlock = a.get(new NDIndex(from + ":" + to));
                NDArray dots = PairMath.dotMatrix(aBlock, b);
                RowBlock out = loss.evaluate(from, to, dots.mul(s));
                NDArray g = out.logitGradient().get();
                blockValues = out.values();
                blockRowGradient = g.matMul(b).mul(s);
                columnGradient.addi(g.transpose().matMul(aBlock).mul(s));
                scaleGradient.addi(g.mul(dots).sum());
                NDScope.unregister(blockValues, blockRowGradient);
            }
            NDScope.register(blockValues);
            NDScope.register(blockRowGradient);
            values.add(blockValues);
            rowGradients.add(blockRowGradient);
        }
        NDArray value = values.size() == 1 ? values.head() : NDArrays.concat(values);
        NDArray rowGradient = rowGradients.size() == 1 ? rowGradients.head() : NDArrays.concat(rowGradients);
        NDArray surrogate = rows.mul(rowGradient).sum()
                .add(columns.mul(columnGradient).sum())
                .add(scale.mul(scaleGradient).sum());
        NDArray zeroWithGradient = surrogate.sub(surrogate.stopGradient());
        return value.add(Scalar.div(zeroWithGradient, r));
    }

    /** {@link #rowValues} without the gradient (autograd is not recording): the values, block by block. */
    private static NDArray valuesOnly(NDArray a, NDArray b, NDArray s, long chunk, RowBlockLoss loss) {
        long r = a.getShape().get(0);
        NDList values = new NDList();
        for (long from = 0; from < r; from += chunk) {
            long to = Math.min(r, from + chunk);
            NDArray blockValues;
            try (NDScope block = new NDScope()) {
                block.suppressNotUsedWarning();
                NDArray dots = PairMath.dotMatrix(a.get(new NDIndex(from + ":" + to)), b);
                blockValues = loss.evaluate(from, to, dots.mul(s)).values();
                NDScope.unregister(blockValues);
            }
            NDScope.register(blockValues);
            values.add(blockValues);
        }
        return values.size() == 1 ? values.head() : NDArrays.concat(values);
    }

    /**
     * The log-sum-exp of every column of \( L = s \cdot A B^\top \), accumulated online over
     * blocks of {@code chunk} rows, without autograd.
     *
     * @param rows A (R, D)
     * @param columns B (C, D)
     * @param scale s, 0-dimensional
     * @param chunk the rows per block, ≥ 1
     * @return (C) detached column log-sum-exps
     */
    public static NDArray columnLogSumExp(NDArray rows, NDArray columns, NDArray scale, long chunk) {
        NDArray a = rows.stopGradient();
        NDArray b = columns.stopGradient();
        NDArray s = scale.stopGradient();
        long r = a.getShape().get(0);
        NDArray max = null;
        NDArray sum = null;
        for (long from = 0; from < r; from += chunk) {
            long to = Math.min(r, from + chunk);
            NDArray newMax;
            NDArray newSum;
            try (NDScope block = new NDScope()) {
                block.suppressNotUsedWarning();
                NDArray logits = PairMath.dotMatrix(a.get(new NDIndex(from + ":" + to)), b).mul(s);
                NDArray blockMax = logits.max(new int[] {0});
                newMax = max == null ? blockMax : max.maximum(blockMax);
                NDArray blockSum = logits.sub(newMax).exp().sum(new int[] {0});
                newSum = sum == null ? blockSum : sum.mul(max.sub(newMax).exp()).add(blockSum);
                NDScope.unregister(newMax, newSum);
            }
            NDScope.register(newMax);
            NDScope.register(newSum);
            max = newMax;
            sum = newSum;
        }
        return sum.log().add(max);
    }
}
