package io.github.lossforge.diffusion.kernel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Scalar;

import org.jspecify.annotations.Nullable;

/**
 * The CPU {@link AttentionKernel}. A-STAR's two losses: the maps (and masks) are read once, float32 as
 * floats widened in Java, and one loop per image computes both terms' values and gradients together in
 * double precision (no engine cast, no Java-backed intermediate arrays). BACON's layout loss: whole-batch
 * engine ops on detached arrays (its per-pixel work is a few elementwise passes, which libtorch
 * vectorises), with the self-attention products as engine GEMMs.
 *
 * <p>Costs for K maps of P pixels. Segregation: O(P·K²) scalar operations, one straight pass over the
 * two maps of each pair (the pair-specific denominators \( \sum A^m + \sum A^n \) make the
 * per-pixel gradient pair-weighted, so sorting the K values per pixel, as the module note suggests
 * for an unweighted sum of minima, does not lower the cost); the composition materialises K(K−1)/2
 * pairwise minimum maps of P pixels and keeps them for backward. Retention and the layout terms:
 * O(P·K). Gradient ties of {@code min} are split evenly between the two arguments, as PyTorch's
 * {@code minimum} does.
 */
public final class CpuAttentionKernel implements AttentionKernel {

    /** {@inheritDoc} */
    @Override
    public boolean supports(Device device) {
        return Device.Type.CPU.equals(device.getDeviceType());
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue segregation(NDArray maps, double eps) {
        return aStarTerms(maps, null, eps, true);
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue retention(NDArray maps, NDArray masks, double eps) {
        return aStarTerms(maps, masks, eps, false);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here one read of the maps and the masks and one loop per image for both terms.
     */
    @Override
    public FusedValue aStar(NDArray maps, NDArray masks, double eps) {
        return aStarTerms(maps, masks, eps, true);
    }

    /** Segregation (when asked) plus retention (when masks are given), values and gradient summed. */
    private static FusedValue aStarTerms(NDArray maps, @Nullable NDArray masks, double eps, boolean segregate) {
        Shape s = maps.getShape();
        int n = (int) s.get(0);
        int k = (int) s.get(1);
        int p = (int) s.get(2);
        double[] a = read(maps);
        double[] b = masks == null ? null : read(masks);
        double[] values = new double[n];
        double[] grad = new double[a.length];
        for (int img = 0; img < n; img++) {
            int base = img * k * p;
            double value = segregate ? segregateImage(a, base, k, p, eps, grad) : 0;
            if (b != null) {
                value += retainImage(a, b, base, k, p, eps, grad);
            }
            values[img] = value;
        }
        return new FusedValue(Scalar.array(maps, values, new Shape(n)), owned(maps, grad, s));
    }

    /**
     * The gradient as an array libtorch owns, in the maps' dtype: float32 made from a float copy (the
     * float64 route of {@link Scalar#array} copies twice the bytes and casts).
     */
    private static NDArray owned(NDArray like, double[] values, Shape shape) {
        if (like.getDataType() != DataType.FLOAT32) {
            return Scalar.array(like, values, shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        try (NDArray javaBacked = like.getManager().create(f, shape)) {
            return javaBacked.duplicate().toDevice(like.getDevice(), false);
        }
    }

    /**
     * Adds the segregation gradient of one image (its K maps from {@code base}) into {@code grad} and
     * returns its value: pair by pair, each a straight pass over the two maps' pixels.
     */
    private static double segregateImage(double[] a, int base, int k, int p, double eps, double[] grad) {
        double[] sums = new double[k];
        for (int m = 0; m < k; m++) {
            double total = 0;
            for (int q = base + m * p, end = q + p; q < end; q++) {
                total += a[q];
            }
            sums[m] = total;
        }
        double[] shifts = new double[k];
        double value = 0;
        for (int m = 0; m < k; m++) {
            for (int j = m + 1; j < k; j++) {
                double w = 1 / (sums[m] + sums[j] + eps);
                int om = base + m * p;
                int oj = base + j * p;
                double overlap = 0;
                for (int q = 0; q < p; q++) {
                    double x = a[om + q];
                    double y = a[oj + q];
                    double share = w * smallerShare(x, y);
                    overlap += Math.min(x, y);
                    grad[om + q] += share;
                    grad[oj + q] += w - share;
                }
                value += overlap * w;
                shifts[m] -= overlap * w * w;
                shifts[j] -= overlap * w * w;
            }
        }
        for (int m = 0; m < k; m++) {
            for (int q = base + m * p, end = q + p; q < end; q++) {
                grad[q] += shifts[m];
            }
        }
        return value;
    }

    /** Adds the retention gradient of one image into {@code grad} and returns its value. */
    private static double retainImage(double[] a, double[] b, int base, int k, int p, double eps, double[] grad) {
        double value = 0;
        for (int m = 0; m < k; m++) {
            int off = base + m * p;
            double sumA = 0;
            double sumB = 0;
            double overlap = 0;
            for (int q = 0; q < p; q++) {
                double x = a[off + q];
                double y = b[off + q];
                sumA += x;
                sumB += y;
                overlap += Math.min(x, y);
            }
            double w = 1 / (sumA + sumB + eps);
            value += 1 - overlap * w;
            double shift = overlap * w * w;
            for (int q = 0; q < p; q++) {
                grad[off + q] += shift - w * smallerShare(a[off + q], b[off + q]);
            }
        }
        return value;
    }

    /**
     * {@inheritDoc}
     *
     * <p>On the CPU only with self-attention. Without it the loss is a few dozen cheap elementwise
     * passes, and the kernel (as many engine calls again, plus the surrogate) never measured faster
     * than the composition, whose backward runs inside libtorch: {@code FusedKernelBenchmark}'s BACON
     * case took 1.24× the composition's time with the former Java-loop kernel, and 1.6× (±1.4, a
     * loaded 2-core machine) at 8 maps of 128×128 with this one. With a self-attention both compute
     * the same two (H·W)² GEMMs, and the kernel keeps no graph: 0.87× and 0.71× in the same suite.
     */
    @Override
    public boolean fasterLayout(Shape maps, boolean aligned) {
        return aligned;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here as a few dozen whole-batch engine ops on detached arrays (no graph): the loss's
     * per-pixel work is a few elementwise passes, which libtorch vectorises, and two host copies of
     * the maps and the masks (a Java loop needs them) cost more than all of those calls. With \( P_k =
     * a_k / (\sum a_k + \epsilon) \), the gradient with respect to the aligned maps is \( (g_k - \sum_q
     * g_{kq} P_{kq}) / (\sum a_k + \epsilon) \), g_k the gradient with respect to P_k: \( -2 w_{in}
     * (1 - \sum M_k P_k) M_k + w_{out} F_k + 2 w_{marg} (c_{k,x} + r_{k,y}) \), F_k the foreign mask
     * and c, r the column and row marginals minus their targets.
     */
    @Override
    public FusedValue layout(NDArray maps, @Nullable NDArray selfAttention, NDArray masks, LayoutWeights weights) {
        return SelfAttentionAlignment.around(maps, selfAttention, (aligned, s) -> layoutOnAligned(aligned, s,
                masks, weights));
    }

    /** The layout terms and their gradient with respect to the aligned maps (N, K, P). */
    private static FusedValue layoutOnAligned(NDArray aligned, Shape s, NDArray masks, LayoutWeights weights) {
        long n = s.get(0);
        long k = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray m = masks.reshape(n, k, h * w);
        NDArray z = aligned.sum(new int[] {2}, true).add(weights.eps());
        NDArray prob = aligned.div(z);
        NDArray missing = m.mul(prob).sum(new int[] {2}, true).neg().add(1);
        NDArray foreign = m.sum(new int[] {1}, true).sub(m).gt(0).toType(m.getDataType(), false)
                .mul(m.neg().add(1));
        NDArray area = masks.sum(new int[] {2, 3}).reshape(n, k, 1);
        NDArray p4 = prob.reshape(n, k, h, w);
        NDArray columns = p4.sum(new int[] {2}).sub(masks.sum(new int[] {2}).div(area));
        NDArray rows = p4.sum(new int[] {3}).sub(masks.sum(new int[] {3}).div(area));
        NDArray values = Scalar.mul(missing.square().sum(new int[] {1, 2}), weights.inside())
                .add(Scalar.mul(prob.mul(foreign).sum(new int[] {1, 2}), weights.outside()))
                .add(Scalar.mul(columns.square().sum(new int[] {1, 2}).add(rows.square().sum(new int[] {1, 2})),
                        weights.marginal()));
        NDArray gradProb = Scalar.mul(m.mul(missing), -2 * weights.inside())
                .add(Scalar.mul(foreign, weights.outside()))
                .add(Scalar.mul(columns.expandDims(2).add(rows.expandDims(3)).reshape(n, k, h * w),
                        2 * weights.marginal()));
        return new FusedValue(values, gradProb.sub(gradProb.mul(prob).sum(new int[] {2}, true)).div(z));
    }

    /** The gradient share of x in min(x, y): 1 when x is smaller, ½ at a tie, else 0. */
    private static double smallerShare(double x, double y) {
        // branch-free (the comparison is a coin toss on attention maps): signum of a difference of two
        // distinct doubles is never 0
        return 0.5 * (1 + Math.signum(y - x));
    }

    /**
     * The values of a detached array in double precision: float64 as it is, anything else read as float32
     * (the maps and masks are float32 or float64 here) and widened in Java, cheaper than an engine cast.
     */
    private static double[] read(NDArray array) {
        NDArray plain = array.stopGradient();
        if (plain.getDataType() == DataType.FLOAT64) {
            return plain.toDoubleArray();
        }
        float[] f = (plain.getDataType() == DataType.FLOAT32 ? plain : plain.toType(DataType.FLOAT32, false))
                .toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
