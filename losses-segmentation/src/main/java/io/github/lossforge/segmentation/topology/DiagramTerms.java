package io.github.lossforge.segmentation.topology;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Scalar;

import java.util.Arrays;

/**
 * The loss of one image as a sum of weighted squares \( \sum_k w_k (u_k - v_k)^2 \) whose sides are
 * pixel values of the prediction or constants, collected on the host from a persistence diagram and
 * evaluated on the engine by gathering the pixels: only birth and death pixels receive gradient.
 *
 * <p>Pixel indices refer to the image the persistence was computed on: with relative padding a
 * (rows + 2) × (cols + 2) image whose 1-pixel border carries the prediction's extreme value (its
 * maximum for superlevel, minimum for sublevel), so border pixels gather that extreme (and its
 * gradient reaches the pixel holding it).
 */
final class DiagramTerms {

    private final int rows;
    private final int cols;
    private final boolean padded;
    private final int border;
    private long[] left = new long[16];
    private long[] right = new long[16];
    private double[] weights = new double[16];
    private double[] constants = new double[16];
    private int terms;
    private int constantCount;
    private double constantPart;

    /**
     * Creates the collector for one image.
     *
     * @param rows the prediction's rows (before padding)
     * @param cols the prediction's columns (before padding)
     * @param padded whether pixel indices refer to the padded image
     */
    DiagramTerms(int rows, int cols, boolean padded) {
        this.rows = rows;
        this.cols = cols;
        this.padded = padded;
        this.border = rows * cols;
    }

    /** {@code w · (x_pixel − c)²}. */
    void pixelMinusConstant(double weight, int pixel, double constant) {
        add(weight, source(pixel), constantSlot(constant));
    }

    /** {@code w · (x_a − x_b)²}. */
    void pixelMinusPixel(double weight, int pixelA, int pixelB) {
        add(weight, source(pixelA), source(pixelB));
    }

    /** A term without gradient. */
    void constant(double value) {
        constantPart += value;
    }

    private void add(double weight, long a, long b) {
        if (terms == weights.length) {
            left = Arrays.copyOf(left, 2 * terms);
            right = Arrays.copyOf(right, 2 * terms);
            weights = Arrays.copyOf(weights, 2 * terms);
        }
        left[terms] = a;
        right[terms] = b;
        weights[terms] = weight;
        terms++;
    }

    private long constantSlot(double value) {
        if (constantCount == constants.length) {
            constants = Arrays.copyOf(constants, 2 * constantCount);
        }
        constants[constantCount] = value;
        return border + 1 + constantCount++;
    }

    /** Where a pixel of the (possibly padded) image sits in the gathered source. */
    private long source(int pixel) {
        if (!padded) {
            return pixel;
        }
        int r = pixel / (cols + 2);
        int c = pixel % (cols + 2);
        if (r == 0 || c == 0 || r == rows + 1 || c == cols + 1) {
            return border;
        }
        return (long) (r - 1) * cols + (c - 1);
    }

    /**
     * Evaluates the sum on the engine.
     *
     * @param pixels the prediction's pixels, (rows·cols), with their gradient
     * @param extreme the prediction's extreme value, 0-dimensional (used by the padded border)
     * @return the loss of this image, shape (1)
     */
    NDArray evaluate(NDArray pixels, NDArray extreme) {
        NDArray constantValues = Scalar.array(pixels, constantsWithZero(), new Shape(constantCount + 1));
        NDArray source = NDArrays.concat(new NDList(pixels, extreme.reshape(1), constantValues));
        long zeroSlot = border + 1 + constantCount;
        int count = Math.max(terms, 1);
        long[] a = terms == 0 ? new long[] {zeroSlot} : Arrays.copyOf(left, count);
        long[] b = terms == 0 ? new long[] {zeroSlot} : Arrays.copyOf(right, count);
        double[] w = terms == 0 ? new double[] {0} : Arrays.copyOf(weights, count);
        NDArray difference = source.gather(ownedIndex(pixels, a), 0).sub(source.gather(ownedIndex(pixels, b), 0));
        NDArray sum = difference.square().mul(Scalar.array(pixels, w, new Shape(count))).sum();
        return sum.add(Scalar.of(sum, constantPart)).reshape(1);
    }

    private double[] constantsWithZero() {
        double[] out = Arrays.copyOf(constants, constantCount + 1);
        out[constantCount] = 0;
        return out;
    }

    /** An int64 index array in memory libtorch owns (the gather's backward keeps it). */
    private static NDArray ownedIndex(NDArray like, long[] values) {
        try (NDArray javaBacked = like.getManager().create(values)) {
            NDArray copy = javaBacked.duplicate();
            return copy.getDataType() == DataType.INT64 ? copy : copy.toType(DataType.INT64, false);
        }
    }
}
