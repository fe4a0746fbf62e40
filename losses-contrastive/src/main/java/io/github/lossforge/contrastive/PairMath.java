package io.github.lossforge.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

import org.jspecify.annotations.Nullable;

/**
 * The pair machinery every pair-based loss of this module is composed from, in one place (the
 * pytorch-metric-learning split into distances, masks and reducers): unit-norm rows, similarity and
 * distance matrices, positive/negative masks from labels, and the masked log-sum-exp / softmax pair
 * that stays finite when a row has no valid entry.
 *
 * <p>Masks are boolean arrays; "valid" entries take part in a reduction, the others are excluded
 * exactly (not by a large negative fill), so an excluded entry never receives a gradient.
 */
public final class PairMath {

    /** The norm floor of {@link #l2Normalize}, as PyTorch's {@code F.normalize}. */
    public static final double NORM_EPS = 1e-12;

    /** Weights are clamped to this before their log in {@link #weightedLogSumExp} (those below are masked out). */
    private static final double MIN_WEIGHT = 1e-30;

    private PairMath() {}

    /**
     * Rows scaled to unit L2 norm: \( x_i / \max(\lVert x_i \rVert, 10^{-12}) \), the value of
     * PyTorch's {@code F.normalize}; a zero row stays zero with a zero gradient.
     *
     * @param x (N, D) rows
     * @return (N, D) unit rows
     */
    public static NDArray l2Normalize(NDArray x) {
        NDArray squaredNorm = x.square().sum(new int[] {1}, true);
        return x.div(Scalar.max(squaredNorm, NORM_EPS * NORM_EPS).sqrt());
    }

    /**
     * \( \sum_j x_{ij} w_{ij} \) per row, the product's (R, C) temporary closed at once.
     *
     * @param x (R, C) values, detached
     * @param weights (R, C) weights
     * @return (R) sums
     */
    public static NDArray weightedRowSum(NDArray x, NDArray weights) {
        NDArray product = x.mul(weights);
        NDArray sum = product.sum(new int[] {1});
        product.close();
        return sum;
    }

    /**
     * \( e^x \) of a detached temporary, which is closed: a fresh (R, C) buffer while many are alive
     * costs page faults worth several elementwise passes, so closed-form losses free theirs early.
     *
     * @param x values, closed here
     * @return e^x
     */
    public static NDArray expClosing(NDArray x) {
        NDArray e = x.exp();
        x.close();
        return e;
    }

    /**
     * Dot products of every row of {@code a} with every row of {@code b}: \( a b^\top \).
     *
     * @param a (N, D)
     * @param b (M, D)
     * @return (N, M)
     */
    public static NDArray dotMatrix(NDArray a, NDArray b) {
        return a.matMul(b.transpose());
    }

    /**
     * Cosine similarities \( \langle \hat a_i, \hat b_j \rangle \) of L2-normalised rows.
     *
     * @param a (N, D)
     * @param b (M, D)
     * @return (N, M) values in [−1, 1]
     */
    public static NDArray cosineMatrix(NDArray a, NDArray b) {
        return dotMatrix(l2Normalize(a), l2Normalize(b));
    }

    /**
     * Squared Euclidean distances \( \lVert a_i - b_j \rVert^2 = \lVert a_i\rVert^2 + \lVert b_j
     * \rVert^2 - 2\langle a_i, b_j\rangle \) (the GEMM form of {@code torch.cdist}), clamped at 0
     * against rounding.
     *
     * @param a (N, D)
     * @param b (M, D)
     * @return (N, M) values ≥ 0
     */
    public static NDArray squaredEuclideanMatrix(NDArray a, NDArray b) {
        NDArray aa = a.square().sum(new int[] {1}, true);
        NDArray bb = b.square().sum(new int[] {1}).reshape(1, -1);
        NDArray squared = aa.add(bb).sub(Scalar.mul(dotMatrix(a, b), 2));
        return Scalar.max(squared, 0);
    }

    /**
     * Euclidean distances \( \lVert a_i - b_j \rVert \) through {@link #safeSqrt}.
     *
     * @param a (N, D)
     * @param b (M, D)
     * @return (N, M) values ≥ 0
     */
    public static NDArray euclideanMatrix(NDArray a, NDArray b) {
        return safeSqrt(squaredEuclideanMatrix(a, b));
    }

    /**
     * \( \sqrt{x} \) for x ≥ 0 whose gradient at 0 is 0 instead of infinite (a pair at distance 0,
     * such as an embedding with itself, then takes no gradient through its distance).
     *
     * @param x values ≥ 0
     * @return their square roots
     */
    public static NDArray safeSqrt(NDArray x) {
        NDArray positive = x.gt(0);
        NDArray root = NDArrays.where(positive, x, x.onesLike()).sqrt();
        return NDArrays.where(positive, root, x.zerosLike());
    }

    /**
     * Where the labels of two rows agree: \( y_i = y'_j \).
     *
     * @param rowLabels (N) labels
     * @param columnLabels (M) labels
     * @return (N, M) boolean
     */
    public static NDArray sameLabel(NDArray rowLabels, NDArray columnLabels) {
        NDArray r = rowLabels.toType(DataType.INT64, false).reshape(-1, 1);
        NDArray c = columnLabels.toType(DataType.INT64, false).reshape(1, -1);
        return r.eq(c);
    }

    /**
     * The boolean diagonal of a block of rows {@code [from, from + rows)} of a square matrix with
     * {@code columns} columns: true at (i, from + i).
     *
     * @param like an array whose manager the mask takes
     * @param from the first row's index
     * @param rows the number of rows
     * @param columns the number of columns
     * @return (rows, columns) boolean
     */
    public static NDArray diagonal(NDArray like, long from, long rows, long columns) {
        NDArray r = Numerics.range(like, from, from + rows).reshape(-1, 1);
        NDArray c = Numerics.range(like, 0, columns).reshape(1, -1);
        return r.eq(c);
    }

    /**
     * Positive pairs of a labelled batch against itself, rows {@code [from, from + rows)}: the same
     * label, not the anchor itself.
     *
     * @param labels (N) labels of the whole batch
     * @param from the first row
     * @param rows the number of rows
     * @return (rows, N) boolean
     */
    public static NDArray positivePairs(NDArray labels, long from, long rows) {
        NDArray rowLabels = labels.get(from + ":" + (from + rows));
        NDArray same = sameLabel(rowLabels, labels);
        return same.logicalAnd(diagonal(labels, from, rows, labels.getShape().get(0)).logicalNot());
    }

    /**
     * Negative pairs of a labelled batch against itself, rows {@code [from, from + rows)}: a
     * different label.
     *
     * @param labels (N) labels of the whole batch
     * @param from the first row
     * @param rows the number of rows
     * @return (rows, N) boolean
     */
    public static NDArray negativePairs(NDArray labels, long from, long rows) {
        return sameLabel(labels.get(from + ":" + (from + rows)), labels).logicalNot();
    }

    /**
     * Whether each row holds at least one true entry.
     *
     * @param mask (R, C) boolean
     * @return (R) boolean
     */
    public static NDArray anyPerRow(NDArray mask) {
        return mask.toType(DataType.INT32, false).sum(new int[] {1}).gt(0);
    }

    /**
     * Log-sum-exp over the valid entries of each row, \( \log \sum_{j \in V_i} e^{x_{ij}} \), or
     * with {@code addOne} \( \log(1 + \sum_{j \in V_i} e^{x_{ij}}) \) (pytorch-metric-learning's
     * {@code logsumexp(add_one=True)}). Max-shifted over the valid entries; a row with no valid
     * entry gives 0 with a zero gradient (never −∞ or NaN), and excluded entries get exactly zero
     * gradient whatever their value.
     *
     * @param x (R, C) values
     * @param valid (R, C) boolean: the entries that take part
     * @param addOne whether a constant 0 logit is added to every row
     * @return (R) values
     */
    public static NDArray maskedLogSumExp(NDArray x, NDArray valid, boolean addOne) {
        // two (R, C) temporaries: where(valid, x, −∞) shifted in place (autograd allows it after a
        // where), then its exp, in which e^−∞ = 0 drops the invalid entries without a float mask
        NDArray masked = NDArrays.where(valid, x, Scalar.of(x, Double.NEGATIVE_INFINITY));
        NDArray rowMax = masked.stopGradient().max(new int[] {1}, true);
        NDArray any = rowMax.gt(Double.NEGATIVE_INFINITY);
        NDArray shift = NDArrays.where(any, rowMax, rowMax.zerosLike());
        if (addOne) {
            shift = Scalar.max(shift, 0);
        }
        NDArray sum = masked.subi(shift).exp().sum(new int[] {1});
        NDArray rowShift = shift.reshape(-1);
        if (addOne) {
            sum = sum.add(rowShift.neg().exp());
        } else {
            sum = NDArrays.where(any.reshape(-1), sum, sum.onesLike());
        }
        return sum.log().add(rowShift);
    }

    /**
     * The weighted log-sum-exp of each row, \( \log(\,[1 +]\, \sum_j w_{ij} e^{x_{ij}}) \) over the
     * entries with \( w_{ij} &gt; 0 \): {@link #maskedLogSumExp} of \( x + \log w \), so a zero
     * weight removes its term exactly (soft labels, where 0/1 weights give the masked form).
     *
     * @param x (R, C) values
     * @param weights (R, C) weights ≥ 0, no gradient
     * @param addOne as for {@link #maskedLogSumExp}
     * @return (R) values
     */
    public static NDArray weightedLogSumExp(NDArray x, NDArray weights, boolean addOne) {
        NDArray valid = weights.gt(Scalar.of(weights, 0));
        NDArray logWeights = Scalar.max(weights, MIN_WEIGHT).log();
        return maskedLogSumExp(x.add(logWeights), valid, addOne);
    }

    /**
     * The softmax over the valid entries of each row, matching {@link #maskedLogSumExp}: \(
     * e^{x_{ij}} / (\,[1 +]\, \sum_{k \in V_i} e^{x_{ik}}) \) at valid entries, 0 elsewhere and on
     * rows with no valid entry. It is the gradient of {@code maskedLogSumExp} with respect to x.
     *
     * @param x (R, C) values
     * @param valid (R, C) boolean
     * @param addOne as for {@link #maskedLogSumExp}
     * @return (R, C) weights
     */
    public static NDArray maskedSoftmax(NDArray x, NDArray valid, boolean addOne) {
        NDArray lse = maskedLogSumExp(x, valid, addOne).reshape(-1, 1);
        NDArray shifted = NDArrays.where(valid, x.sub(lse), lse.zerosLike().broadcast(x.getShape()));
        return shifted.exp().mul(valid.toType(x.getDataType(), false));
    }

    /**
     * The soft-target cross-entropy of each row over its valid entries: \( \ell_i = \log
     * \sum_{j \in V_i} e^{x_{ij}} - \sum_j t_{ij} x_{ij} \), targets summing to 1 per row and 0
     * outside \(V_i\). Its gradient with respect to x is {@code maskedSoftmax(x, valid) − t}.
     *
     * @param x (R, C) logits
     * @param valid (R, C) boolean, or null when every entry is valid
     * @param targets (R, C) target weights, no gradient
     * @return (R) values
     */
    public static NDArray softTargetCrossEntropy(NDArray x, @Nullable NDArray valid, NDArray targets) {
        NDArray lse = valid == null ? Numerics.logSumExp(x, 1) : maskedLogSumExp(x, valid, false);
        return lse.sub(x.mul(targets).sum(new int[] {1}));
    }

    /**
     * The gradient of {@link #softTargetCrossEntropy} summed over rows, with respect to x: \(
     * \mathrm{softmax}_{V_i}(x_i) - t_i \), computed without autograd.
     *
     * @param x (R, C) logits
     * @param valid (R, C) boolean, or null when every entry is valid
     * @param targets (R, C) target weights
     * @return (R, C) gradient
     */
    public static NDArray softTargetCrossEntropyGradient(NDArray x, @Nullable NDArray valid, NDArray targets) {
        NDArray p = valid == null ? x.softmax(1) : maskedSoftmax(x, valid, false);
        return p.sub(targets);
    }

    /**
     * The row-wise maximum of the valid entries, or {@code empty} for a row with none; the
     * gradient goes to the selected entry only.
     *
     * @param x (R, C) values
     * @param valid (R, C) boolean
     * @param empty the value of a row with no valid entry
     * @return (R) values
     */
    public static NDArray maskedMax(NDArray x, NDArray valid, double empty) {
        // the fill lies strictly below every entry: a fill equal to the selected entry would tie
        // with it, and the max's gradient could go to the detached fill instead
        NDArray low = x.stopGradient().min();
        NDArray floor = low.sub(low.abs()).sub(Scalar.of(low, 1)).broadcast(x.getShape());
        NDArray max = NDArrays.where(valid, x, floor).max(new int[] {1});
        return NDArrays.where(anyPerRow(valid), max, Scalar.of(x, empty).broadcast(max.getShape()));
    }

    /**
     * The row-wise minimum of the valid entries, or {@code empty} for a row with none.
     *
     * @param x (R, C) values
     * @param valid (R, C) boolean
     * @param empty the value of a row with no valid entry
     * @return (R) values
     */
    public static NDArray maskedMin(NDArray x, NDArray valid, double empty) {
        return maskedMax(x.neg(), valid, -empty).neg();
    }
}
