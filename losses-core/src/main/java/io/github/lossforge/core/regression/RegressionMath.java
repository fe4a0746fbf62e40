package io.github.lossforge.core.regression;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Scalar;

/** Math shared by the regression losses: histogram supports, soft-target cross-entropy, kernels. */
final class RegressionMath {

    private RegressionMath() {}

    /**
     * Checks a histogram support [min, max] with {@code bins} entries.
     *
     * @param id the loss id, for messages
     * @param min the lower end
     * @param max the upper end
     * @param bins the number of bins or atoms
     * @param fewestBins the smallest accepted number
     */
    static void requireSupport(String id, double min, double max, long bins, long fewestBins) {
        if (Double.isNaN(min) || Double.isNaN(max)) {
            throw new IllegalArgumentException(id + ": min and max are required (the support of the histogram)");
        }
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new IllegalArgumentException(
                    id + ": the support needs finite min < max, got min=" + min + ", max=" + max);
        }
        if (bins < fewestBins) {
            throw new IllegalArgumentException(
                    id + ": bins must be ≥ " + fewestBins + (bins == Long.MIN_VALUE ? " (required)" : ", got " + bins));
        }
    }

    /**
     * {@code n} evenly spaced values from {@code from} to {@code to} inclusive.
     *
     * @param from the first value
     * @param to the last value
     * @param n how many (≥ 2)
     * @return the values
     */
    static double[] linspace(double from, double to, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i == n - 1 ? to : from + (to - from) * i / (n - 1);
        }
        return v;
    }

    /**
     * A (1, k) constant row of the dtype of {@code like}.
     *
     * @param like the array whose dtype and device the row takes
     * @param values the values
     * @return the row
     */
    static NDArray row(NDArray like, double[] values) {
        return Scalar.array(like, values, new Shape(1, values.length));
    }

    /**
     * Cross-entropy against a soft target: {@code −Σ_i p_i log softmax(logits)_i} per row.
     *
     * @param logits (N, m) logits
     * @param target (N, m) probabilities (no gradient)
     * @return (N) values
     */
    static NDArray softTargetCrossEntropy(NDArray logits, NDArray target) {
        return logits.logSoftmax(1).mul(target).sum(new int[] {1}).neg();
    }

    /**
     * The mean of a histogram's points under {@code softmax(logits)}: {@code Σ_i softmax_i · points_i}.
     *
     * @param logits (N, m) logits
     * @param points the m points (bin centres or atoms)
     * @return (N) expectations
     */
    static NDArray expectation(NDArray logits, double[] points) {
        return logits.softmax(1).mul(row(logits, points)).sum(new int[] {1});
    }

    /**
     * Log-kernel matrix of a Gaussian kernel: {@code −‖a_i − b_j‖² / (2σ²)}, computed from explicit
     * differences (never negative distances from the Gram expansion).
     *
     * @param a (N, D) points
     * @param b (M, D) points
     * @param sigma the kernel width
     * @return (N, M) log-kernel values
     */
    static NDArray gaussianLogKernel(NDArray a, NDArray b, double sigma) {
        long n = a.getShape().get(0);
        long m = b.getShape().get(0);
        long d = a.getShape().get(1);
        NDArray diff = a.reshape(n, 1, d).sub(b.reshape(1, m, d));
        return Scalar.div(diff.square().sum(new int[] {2}), -2 * sigma * sigma);
    }
}
