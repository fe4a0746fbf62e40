package io.github.lossforge.contrastive.fewshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.PairMath;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;

/**
 * One checked few-shot episode, the input of the few-shot losses: predictions[0] support embeddings
 * (N_s, D), predictions[1] query embeddings (N_q, D), labels[0] support classes (N_s) and labels[1]
 * query classes (N_q), integers in [0, W) where W (the way) is the largest support class + 1 and
 * every class 0..W−1 has at least one support sample. Also the distance the SuSana losses use
 * everywhere.
 *
 * @param support (N_s, D) support embeddings
 * @param query (N_q, D) query embeddings
 * @param supportClasses (N_s) int64 support classes
 * @param queryClasses (N_q) int64 query classes
 * @param way W, the number of classes
 */
record Episode(NDArray support, NDArray query, NDArray supportClasses, NDArray queryClasses, int way) {

    /** The constant under the square root of {@link #distances}, as the official code. */
    static final double DISTANCE_EPS = 1e-6;

    /**
     * Reads and checks the slots.
     *
     * @param in the loss inputs
     * @return the episode
     * @throws IllegalArgumentException naming the slot for a bad rank, size, class or way below 2
     */
    static Episode read(LossInputs in) {
        in.requireSlots(2, 2, 2, 2);
        Slot support = in.prediction(0, "support").requireRank("(W*S, D)", 2);
        Slot query = in.prediction(1, "query").requireRank("(W*Q, D)", 2);
        if (query.size(1) != support.size(1)) {
            throw query.fail("has shape " + query.shape() + ", expected an embedding size of " + support.size(1)
                    + " to match " + support.describe() + " " + support.shape());
        }
        Slot supportClasses = in.label(0, "support classes").requireIntegers().requireRank("(W*S)", 1)
                .requireSameBatch(support).requireClassIndices(Integer.MAX_VALUE);
        NDArray ys = supportClasses.array().toType(DataType.INT64, false);
        int way = (int) ys.max().getLong() + 1;
        long present = Numerics.range(ys, 0, way).reshape(-1, 1)
                .eq(ys.reshape(1, -1)).toType(DataType.INT32, false).sum(new int[] {1}).gt(0)
                .toType(DataType.INT64, false).sum().toType(DataType.INT64, false).getLong();
        if (present != way) {
            throw supportClasses.fail("covers " + present + " of the classes 0.." + (way - 1)
                    + ", expected every class below the largest to have a support sample");
        }
        if (way < 2) {
            throw supportClasses.fail("holds a single class, expected at least 2 (a way of 1 has no negative)");
        }
        Slot queryClasses = in.label(1, "query classes").requireIntegers().requireRank("(W*Q)", 1)
                .requireSameBatch(query).requireClassIndices(way);
        return new Episode(support.array(), query.array(), ys, queryClasses.array().toType(DataType.INT64, false),
                way);
    }

    /**
     * The class prototypes: the mean support embedding of each class.
     *
     * @return (W, D) prototypes
     */
    NDArray prototypes() {
        NDArray membership = supportClasses.oneHot(way, support.getDataType()).transpose();
        NDArray counts = membership.sum(new int[] {1}, true);
        return membership.div(counts).matMul(support);
    }

    /**
     * The classes of the {@link #prototypes}: 0..W−1.
     *
     * @return (W) int64
     */
    NDArray prototypeClasses() {
        return Numerics.range(support, 0, way);
    }

    /**
     * The SuSana distance \( d(x, y) = \sqrt{\lVert x - y\rVert^2 + 10^{-6}} \) between every row of
     * a and every row of b (smooth at x = y).
     *
     * @param a (N, D)
     * @param b (M, D)
     * @return (N, M) distances
     */
    static NDArray distances(NDArray a, NDArray b) {
        return PairMath.squaredEuclideanMatrix(a, b).add(DISTANCE_EPS).sqrt();
    }
}
