package io.github.lossforge.segmentation.overlap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Numerics;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.segmentation.DenseSlots;
import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * The inputs of the Dice family read once: predictions[0] (N, C, S...) or (N, C) becomes
 * probabilities, flattened to (T) tokens for C = 1 (sigmoid), kept in the input's (N, C, S...) layout
 * for C &gt; 1 (softmax over axis 1), with T = N·ΠS; labels[0] (N, S...) becomes the matching 0/1
 * targets (one-hot along axis 1 for C &gt; 1); the optional labels[1] mask (N, S...) becomes a (T)
 * keep vector (null without a mask: every token counts). The mask is flattened with the tokens (or
 * given a class axis of 1), never broadcast against them.
 */
final class OverlapInputs {

    /** Where the self-adjusting factor (1 − p)^α is clamped, by dtype (its derivative is infinite at p = 1). */
    private static final double EPS_FLOAT32 = 1e-7;
    private static final double EPS_FLOAT64 = 1e-15;

    /** The floor of every denominator, by dtype (see {@link #fraction}). */
    private static final double DEN_FLOOR_FLOAT32 = 1e-30;
    private static final double DEN_FLOOR_FLOAT64 = 1e-300;

    private final NDArray p;
    private NDArray oneMinusP;
    private final NDArray y;
    private final @Nullable NDArray keep;
    private final Shape tokenShape;
    private final boolean binary;

    private OverlapInputs(NDArray p, @Nullable NDArray oneMinusP, NDArray y, @Nullable NDArray keep, Shape tokenShape,
            boolean binary) {
        this.p = p;
        this.oneMinusP = oneMinusP;
        this.y = y;
        this.keep = keep;
        this.tokenShape = tokenShape;
        this.binary = binary;
    }

    /**
     * Validates and flattens the inputs.
     *
     * @param in the loss inputs
     * @param fromLogits whether predictions[0] holds logits (else probabilities in [0, 1])
     * @return the flattened inputs
     */
    static OverlapInputs read(LossInputs in, boolean fromLogits) {
        in.requireSlots(1, 2, 1, 1);
        String role = fromLogits ? "logits" : "probabilities";
        Slot scores = DenseSlots.requireMinRank(in.prediction(0, role), "(N, C, ...) or (N, C)", 2);
        if (!fromLogits) {
            DenseSlots.requireUnitInterval(scores, "probabilities (set fromLogits=true for logits)");
        }
        Shape tokenShape = DenseSlots.withoutClassAxis(scores.shape());
        Slot target = in.label(0, "target").requireIntegers();
        if (!target.shape().equals(tokenShape)) {
            throw target.fail("has shape " + target.shape() + ", expected " + tokenShape
                    + " (N, ...): the shape of " + scores.describe() + " " + scores.shape()
                    + " without its class axis");
        }
        int classes = (int) scores.size(1);
        target.requireClassIndices(Math.max(classes, 2));
        DataType type = in.computeType();
        NDArray keep = null;
        if (in.hasLabel(1)) {
            Slot mask = in.label(1, "mask");
            if (!mask.shape().equals(tokenShape)) {
                throw mask.fail("has shape " + mask.shape() + ", expected " + tokenShape + " to match "
                        + target.describe());
            }
            keep = DenseSlots.mask(mask, type).reshape(-1);
        }
        NDArray x = scores.array();
        NDArray labels = target.array().getDataType() == DataType.INT64 ? target.array()
                : target.array().toType(DataType.INT64, false);
        if (classes == 1) {
            labels = labels.reshape(-1);
            NDArray flat = x.reshape(-1);
            NDArray prob = fromLogits ? Activation.sigmoid(flat) : flat;
            NDArray rest = fromLogits ? Activation.sigmoid(flat.neg()) : flat.neg().add(1);
            return new OverlapInputs(prob, rest, labels.toType(type, false), keep, tokenShape, true);
        }
        // everything stays in the input's (N, C, ...) layout: libtorch's CPU softmax over a short innermost
        // axis (C = 4 at 8×128×128) is about 4× slower forward + backward than over axis 1, and moving the
        // class axis last costs a copy each way; the one-hot is the labels compared with the class indices
        // broadcast along axis 1
        NDArray prob = fromLogits ? x.softmax(1) : x;
        NDArray classIndex = Numerics.range(x, 0, classes).reshape(classAxisShape(x.getShape().dimension(), classes));
        NDArray oneHot = labels.expandDims(1).eq(classIndex).toType(type, false);
        // 1 − p is made when a loss asks for it (see oneMinusP())
        return new OverlapInputs(prob, null, oneHot, keep, tokenShape, false);
    }

    /** (1, C, 1, ...) of the given rank. */
    private static Shape classAxisShape(int rank, long classes) {
        long[] dims = new long[rank];
        Arrays.fill(dims, 1);
        dims[1] = classes;
        return new Shape(dims);
    }

    /**
     * The self-adjusted probabilities \( \tilde p = (1 - p)^\alpha p \) (p itself for α = 0), with
     * 1 − p clamped away from 0 (1e-7 in float32, 1e-15 in float64) so the gradient stays finite.
     *
     * @param alpha α ≥ 0
     * @return p̃, the shape of p
     */
    NDArray selfAdjusted(double alpha) {
        if (alpha == 0) {
            return p;
        }
        double eps = p.getDataType() == DataType.FLOAT64 ? EPS_FLOAT64 : EPS_FLOAT32;
        return Scalar.pow(Scalar.max(oneMinusP(), eps), alpha).mul(p);
    }

    /** @return the probabilities, (T) or (T, C) */
    NDArray p() {
        return p;
    }

    /** @return 1 − p computed without cancellation for the sigmoid path, the shape of p */
    NDArray oneMinusP() {
        if (oneMinusP == null) {
            oneMinusP = Scalar.of(p, 1).sub(p);
        }
        return oneMinusP;
    }

    /** @return the 0/1 targets, the shape of p */
    NDArray y() {
        return y;
    }

    /** @return the (T) keep vector, 1 where a token counts; null without a mask (every token counts) */
    @Nullable NDArray keep() {
        return keep;
    }

    /** @return whether C = 1 (sigmoid, binary) */
    boolean binary() {
        return binary;
    }

    /**
     * Per-element values with the masked-out tokens zeroed: the keep vector is (T) for the binary path,
     * (N, 1, S...) for the multi-class path.
     *
     * @param values per-element values, the shape of p (or fewer classes)
     * @return the kept values (the values themselves without a mask)
     */
    private NDArray kept(NDArray values) {
        if (keep == null) {
            return values;
        }
        return values.mul(binary ? keep : keep.reshape(withClassAxis(1)));
    }

    /** The token shape with a class axis of the given size inserted at axis 1. */
    private Shape withClassAxis(long classes) {
        long[] dims = new long[tokenShape.dimension() + 1];
        dims[0] = tokenShape.get(0);
        dims[1] = classes;
        for (int i = 1; i < tokenShape.dimension(); i++) {
            dims[i + 1] = tokenShape.get(i);
        }
        return new Shape(dims);
    }

    /**
     * The classes that take part: all of them, or all but class 0 when the background is excluded
     * and C &gt; 1 (a binary input has only its foreground).
     *
     * @param values per-element values, the shape of p
     * @param includeBackground whether class 0 takes part
     * @return (T) on the binary path, (N, C', S...) otherwise
     */
    NDArray classes(NDArray values, boolean includeBackground) {
        return binary || includeBackground ? values : values.get(new NDIndex(":, 1:"));
    }

    /**
     * Masked sums over the spatial positions of each image, per class.
     *
     * @param values per-element values from {@link #classes}
     * @return (N, C'), C' = 1 on the binary path
     */
    NDArray imageSums(NDArray values) {
        long n = tokenShape.get(0);
        NDArray kept = kept(values);
        return binary ? kept.reshape(n, -1).sum(new int[] {1}).reshape(n, 1)
                : kept.reshape(n, kept.getShape().get(1), -1).sum(new int[] {2});
    }

    /**
     * Masked sums over every kept token of the batch, per class.
     *
     * @param values per-element values from {@link #classes}
     * @return (C'), never 0-dimensional (C' = 1 on the binary path)
     */
    NDArray batchSums(NDArray values) {
        NDArray kept = kept(values);
        return binary ? kept.reshape(-1, 1).sum(new int[] {0})
                : kept.reshape(tokenShape.get(0), kept.getShape().get(1), -1).sum(new int[] {0, 2});
    }

    /**
     * Which images have at least one kept position.
     *
     * @return (N) 1 where an image counts, 0 where its every position is masked out; null without a
     *     mask (every image counts)
     */
    @Nullable NDArray imagesKept() {
        return keep == null ? null : keep.reshape(tokenShape.get(0), -1).sum(new int[] {1}).gt(0).toType(keep.getDataType(), false);
    }

    /**
     * Turns per-element fractions {@code num / den} into per-token values: the safe quotient (0
     * where {@code den} is 0), summed over classes on the multi-class path.
     *
     * @param num numerators, the shape of p
     * @param den denominators without the smoothing, the shape of p
     * @param smooth the smoothing s ≥ 0
     * @return (T) per-token values
     */
    NDArray perToken(NDArray num, NDArray den, double smooth) {
        NDArray q = fraction(num, den, smooth);
        return binary ? q : q.sum(new int[] {1}).reshape(-1);
    }

    /**
     * {@code num / (den + s)} for 0 ≤ num ≤ den with the denominator floored at 1e-30 (float32) or
     * 1e-300 (float64). Without the floor a denominator that underflows (zero smoothing, probabilities
     * of 1e-40) makes the quotient's gradient inf − inf = NaN although the quotient is at most 1; with
     * it 0/0 reads 0. The floor changes nothing once the smoothing reaches it (den ≥ 0), so it is only
     * applied below.
     *
     * @param num numerators
     * @param den denominators without the smoothing, same shape, ≥ 0
     * @param smooth the smoothing s ≥ 0
     * @return the quotients
     */
    static NDArray fraction(NDArray num, NDArray den, double smooth) {
        double floor = den.getDataType() == DataType.FLOAT64 ? DEN_FLOOR_FLOAT64 : DEN_FLOOR_FLOAT32;
        NDArray smoothed = smooth == 0 ? den : den.add(Scalar.of(den, smooth));
        return num.div(smooth >= floor ? smoothed : Scalar.max(smoothed, floor));
    }

    /**
     * The token shape (N, S...), used to shape the {@code none} reduction.
     *
     * @return the shape
     */
    Shape tokenShape() {
        return tokenShape;
    }
}
