package io.github.lossforge.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.core.kernels.Kernels;
import io.github.lossforge.diffusion.kernel.AttentionKernel;

import java.util.List;
import java.util.Optional;

/**
 * The attention-map helpers of the diffusion module, shared by every loss and by {@link
 * LatentGuidance}: aggregating cross-attention probabilities over heads and layers, picking concept
 * maps, binarising maps, rasterising layout boxes, and the input checks the losses share.
 *
 * <p>Shapes: a cross-attention layer gives probabilities of shape (batch·heads, H·W, T) (T tokens);
 * the aggregate is (batch, H, W, T); concept maps are (K, H, W) or, batched, (N, K, H, W).
 */
public final class AttentionMaps {

    /** The default {@link #binarize} threshold: half of each map's maximum (our choice; A-STAR gives none). */
    public static final double DEFAULT_BINARIZE_THRESHOLD = 0.5;

    private AttentionMaps() {}

    /**
     * Averages cross-attention probabilities over heads and over the layers of one resolution, as
     * Prompt-to-Prompt's and Attend-and-Excite's {@code aggregate_attention} do. Layers whose spatial
     * size is not {@code resolution²} (e.g. SD's 8×8 mid block when {@code resolution = 16}) are skipped.
     * Each layer weighs equally (the official code averages over all (layer, head) maps at once; the
     * two agree when every layer has the same number of heads, as in Stable Diffusion).
     *
     * @param layers per-layer probabilities, each (batch·heads, H·W, T)
     * @param batch the batch size (the number of heads is inferred from the leading axis)
     * @param resolution the side of the square maps to aggregate, e.g. 16
     * @return (batch, resolution, resolution, T), the mean over heads and selected layers
     * @throws IllegalArgumentException when no layer has that resolution, or a layer's shape is not
     *     (batch·heads, H·W, T) with a common T
     */
    public static NDArray aggregateCrossAttention(List<NDArray> layers, int batch, int resolution) {
        if (batch < 1 || resolution < 1) {
            throw new IllegalArgumentException(
                    "aggregateCrossAttention: batch and resolution must be >= 1, got " + batch + " and " + resolution);
        }
        long pixels = (long) resolution * resolution;
        NDList picked = new NDList();
        long tokens = -1;
        for (int i = 0; i < layers.size(); i++) {
            Shape s = layers.get(i).getShape();
            if (s.dimension() != 3 || s.get(0) % batch != 0) {
                throw new IllegalArgumentException("aggregateCrossAttention: layer " + i + " has shape " + s
                        + ", expected (batch·heads, H·W, T) with batch " + batch);
            }
            if (s.get(1) != pixels) {
                continue;
            }
            if (tokens >= 0 && s.get(2) != tokens) {
                throw new IllegalArgumentException("aggregateCrossAttention: layer " + i + " has " + s.get(2)
                        + " tokens, expected " + tokens + " like the layers before it");
            }
            tokens = s.get(2);
            long heads = s.get(0) / batch;
            picked.add(layers.get(i).reshape(batch, heads, resolution, resolution, tokens).mean(new int[] {1}));
        }
        if (picked.isEmpty()) {
            throw new IllegalArgumentException("aggregateCrossAttention: no layer has " + pixels
                    + " = " + resolution + "×" + resolution + " positions");
        }
        return NDArrays.stack(picked).mean(new int[] {0});
    }

    /**
     * Picks the concept tokens' maps from aggregated attention and puts the concept axis first.
     *
     * @param attention (H, W, T) or (N, H, W, T)
     * @param tokens the token positions of the K concepts, each in [0, T)
     * @return (K, H, W) or (N, K, H, W)
     */
    public static NDArray conceptMaps(NDArray attention, long[] tokens) {
        int rank = attention.getShape().dimension();
        if (rank != 3 && rank != 4) {
            throw new IllegalArgumentException(
                    "conceptMaps: attention has shape " + attention.getShape() + ", expected (H, W, T) or (N, H, W, T)");
        }
        long t = attention.getShape().get(rank - 1);
        for (long k : tokens) {
            if (k < 0 || k >= t) {
                throw new IllegalArgumentException("conceptMaps: token " + k + " is outside [0, " + t + ")");
            }
        }
        NDArray selection = Scalar.array(attention, oneHotColumns(tokens, t), new Shape(t, tokens.length));
        NDArray picked = attention.matMul(selection);
        return rank == 3 ? picked.transpose(2, 0, 1) : picked.transpose(0, 3, 1, 2);
    }

    private static double[] oneHotColumns(long[] tokens, long t) {
        double[] m = new double[(int) (t * tokens.length)];
        for (int k = 0; k < tokens.length; k++) {
            m[(int) (tokens[k] * tokens.length + k)] = 1;
        }
        return m;
    }

    /**
     * Binarises maps into high-activation masks, A-STAR's B: 1 where a value is at least {@code
     * threshold} times its map's maximum, else 0. The threshold is ours (the paper gives none); a map
     * whose maximum is 0 gives an all-ones mask. The result carries no gradient.
     *
     * @param maps (…, H, W) non-negative maps; each trailing (H, W) plane is one map
     * @param threshold the fraction of the maximum, in [0, 1] ({@link #DEFAULT_BINARIZE_THRESHOLD})
     * @return 0/1 masks of the maps' shape and dtype
     */
    public static NDArray binarize(NDArray maps, double threshold) {
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("binarize: threshold must lie in [0, 1], got " + threshold);
        }
        int rank = maps.getShape().dimension();
        if (rank < 2) {
            throw new IllegalArgumentException("binarize: maps have shape " + maps.getShape() + ", expected (…, H, W)");
        }
        Shape shape = maps.getShape();
        NDArray plain = maps.stopGradient().reshape(shape.slice(0, rank - 2).add(-1));
        NDArray max = plain.max(new int[] {rank - 2}, true);
        return plain.gte(Scalar.mul(max, threshold)).toType(maps.getDataType(), false).reshape(shape);
    }

    /**
     * Rasterises layout boxes to 0/1 masks: pixel (y, x) belongs to a box when its centre ((x + ½)/W,
     * (y + ½)/H) lies in [x0, x1) × [y0, y1). A box too small to hold any pixel centre covers the
     * one pixel that contains its own centre, so no concept is left without a region.
     *
     * @param manager where the masks are created
     * @param boxes K boxes {x0, y0, x1, y1} in image fractions, 0 ≤ x0 &lt; x1 ≤ 1, 0 ≤ y0 &lt; y1 ≤ 1
     * @param height H
     * @param width W
     * @return (K, H, W) float32 masks
     */
    public static NDArray rasterizeBoxes(NDManager manager, double[][] boxes, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "rasterizeBoxes: height and width must be >= 1, got " + height + "×" + width);
        }
        float[] m = new float[boxes.length * height * width];
        for (int k = 0; k < boxes.length; k++) {
            double[] b = boxes[k];
            if (b == null || b.length != 4 || !(b[0] >= 0 && b[0] < b[2] && b[2] <= 1 && b[1] >= 0 && b[1] < b[3]
                    && b[3] <= 1)) {
                throw new IllegalArgumentException("rasterizeBoxes: box " + k + " is " + java.util.Arrays.toString(b)
                        + ", expected {x0, y0, x1, y1} with 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1");
            }
            int covered = 0;
            for (int y = 0; y < height; y++) {
                double cy = (y + 0.5) / height;
                for (int x = 0; x < width; x++) {
                    double cx = (x + 0.5) / width;
                    if (cx >= b[0] && cx < b[2] && cy >= b[1] && cy < b[3]) {
                        m[(k * height + y) * width + x] = 1;
                        covered++;
                    }
                }
            }
            if (covered == 0) {
                int y = Math.min(height - 1, (int) ((b[1] + b[3]) / 2 * height));
                int x = Math.min(width - 1, (int) ((b[0] + b[2]) / 2 * width));
                m[(k * height + y) * width + x] = 1;
            }
        }
        try (NDArray javaBacked = manager.create(m, new Shape(boxes.length, height, width))) {
            return javaBacked.duplicate();
        }
    }

    /**
     * Requires every value of a slot to be non-negative (attention probabilities).
     *
     * @param slot the slot
     * @return the slot
     */
    static Slot requireNonNegative(Slot slot) {
        return slot.requireAtLeast(0, "non-negative attention values");
    }

    /**
     * Requires every value of a floating slot to be 0 or 1 (masks, after {@code floatLabel}).
     *
     * @param slot the slot
     * @return the slot
     */
    static Slot requireBinary(Slot slot) {
        // x² − x is 0 exactly at 0 and 1 in floating point (x² never rounds to x elsewhere): three
        // elementwise ops and a max, about a quarter of the cost of Slot.requireBinary's two
        // comparisons with Java numbers on the PyTorch engine
        return slot.requireValues(a -> new NDArray[] {a.mul(a).sub(a).abs().max()},
                v -> v[0] != 0 ? "holds a value other than 0 and 1, expected a 0/1 mask" : null);
    }

    /**
     * Reads a concept-map slot of shape (K, H, W) or (N, K, H, W).
     *
     * @param slot the slot
     * @return the array as (N, K, H, W), N = 1 for a single image
     */
    static NDArray batched(Slot slot) {
        slot.requireRank("(K, H, W) or (N, K, H, W)", 3, 4);
        NDArray a = slot.array();
        return slot.shape().dimension() == 3 ? a.expandDims(0) : a;
    }

    /**
     * The fused kernel for the maps' device, when fused kernels are wanted and one exists.
     *
     * @param maps the input
     * @param fused whether the loss was built to use fused kernels
     * @return the kernel, or empty for the composition
     */
    static Optional<AttentionKernel> kernel(NDArray maps, boolean fused) {
        return fused ? Kernels.select(AttentionKernel.class, maps.getDevice()) : Optional.empty();
    }

    /**
     * A-STAR segregation (Eq. 2) per image as a plain autograd composition: the K(K−1)/2 pairwise
     * minimum maps are materialised.
     *
     * @param maps (N, K, P)
     * @param eps added to each pair's denominator
     * @return (N) values
     */
    static NDArray segregationComposition(NDArray maps, double eps) {
        int k = (int) maps.getShape().get(1);
        if (k < 2) {
            return Scalar.mul(maps.sum(new int[] {1, 2}), 0);
        }
        int pairs = k * (k - 1) / 2;
        double[] first = new double[pairs * k];
        double[] second = new double[pairs * k];
        int row = 0;
        for (int m = 0; m < k; m++) {
            for (int n = m + 1; n < k; n++) {
                first[row * k + m] = 1;
                second[row * k + n] = 1;
                row++;
            }
        }
        NDArray am = Scalar.array(maps, first, new Shape(pairs, k)).matMul(maps);
        NDArray an = Scalar.array(maps, second, new Shape(pairs, k)).matMul(maps);
        NDArray overlap = am.minimum(an).sum(new int[] {2});
        NDArray union = am.sum(new int[] {2}).add(an.sum(new int[] {2})).add(eps);
        return overlap.div(union).sum(new int[] {1});
    }

    /**
     * A-STAR retention (Eq. 3, min-over-sum form) per image as a plain autograd composition.
     *
     * @param maps (N, K, P) current maps
     * @param masks (N, K, P) 0/1 previous-step masks
     * @param eps added to each denominator
     * @return (N) values
     */
    static NDArray retentionComposition(NDArray maps, NDArray masks, double eps) {
        NDArray overlap = maps.minimum(masks).sum(new int[] {2});
        NDArray union = maps.sum(new int[] {2}).add(masks.sum(new int[] {2})).add(eps);
        return overlap.div(union).neg().add(1).sum(new int[] {1});
    }
}
