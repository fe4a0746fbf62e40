package io.github.lossforge.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;

/**
 * Pair and triplet mining, kept apart from the losses as pytorch-metric-learning keeps its miners:
 * a miner reads (detached) similarities or distances and returns boolean masks of the pairs a loss
 * should use. Mining is index selection: it never carries a gradient.
 */
public final class Mining {

    private Mining() {}

    /**
     * The multi-similarity miner (Wang et al. 2019; pytorch-metric-learning's {@code
     * MultiSimilarityMiner}) on similarities: keep a negative n of anchor i when \( S_{in} + \epsilon
     * &gt; \min_{p} S_{ip} \), keep a positive p when \( S_{ip} - \epsilon &lt; \max_{n} S_{in} \).
     * An anchor with no positive keeps no negative and one with no negative keeps no positive.
     *
     * @param similarities (R, C) similarities of the anchors' rows
     * @param positives (R, C) boolean candidate positive pairs
     * @param negatives (R, C) boolean candidate negative pairs
     * @param epsilon the margin ε
     * @return the mined positive and negative masks, (R, C) boolean each
     */
    public static NDArray[] multiSimilarity(NDArray similarities, NDArray positives, NDArray negatives,
            double epsilon) {
        NDArray s = similarities.stopGradient();
        NDArray hardestNegative = PairMath.maskedMax(s, negatives, Double.NEGATIVE_INFINITY).reshape(-1, 1);
        NDArray hardestPositive = PairMath.maskedMin(s, positives, Double.POSITIVE_INFINITY).reshape(-1, 1);
        NDArray keptPositives = positives.logicalAnd(s.sub(epsilon).lt(hardestNegative));
        NDArray keptNegatives = negatives.logicalAnd(s.add(epsilon).gt(hardestPositive));
        return new NDArray[] {keptPositives, keptNegatives};
    }

    /**
     * The hardest valid entry of each row (batch-hard mining): its largest value ({@code largest})
     * or its smallest, as a one-hot boolean mask; a row with no valid entry selects nothing.
     *
     * @param values (R, C) distances or similarities
     * @param valid (R, C) boolean candidates
     * @param largest whether the hardest entry is the largest (e.g. the farthest positive)
     * @return (R, C) boolean, at most one true per row
     */
    public static NDArray hardest(NDArray values, NDArray valid, boolean largest) {
        NDArray v = largest ? values.stopGradient() : values.stopGradient().neg();
        NDArray floor = Scalar.of(v, Double.NEGATIVE_INFINITY).broadcast(v.getShape());
        NDArray index = NDArrays.where(valid, v, floor).argMax(1).toType(DataType.INT64, false);
        NDArray columns = Numerics.range(values, 0, values.getShape().get(1));
        NDArray selected = index.reshape(-1, 1).eq(columns.reshape(1, -1));
        return selected.logicalAnd(PairMath.anyPerRow(valid).reshape(-1, 1));
    }
}
