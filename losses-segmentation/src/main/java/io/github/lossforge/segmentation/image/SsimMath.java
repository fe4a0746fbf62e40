package io.github.lossforge.segmentation.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import io.github.lossforge.core.LossInputs;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.Slot;
import io.github.lossforge.segmentation.DenseSlots;

/**
 * The SSIM statistics shared by {@link SsimLoss} and {@link MsSsimLoss}, with the conventions of the
 * common pytorch-msssim implementation: a normalised 1-D Gaussian window applied separably with
 * 'valid' convolution, per channel; 2×2 average pooling between scales with zero padding (H mod 2,
 * W mod 2) counted in the average. The Gaussian window and the separable per-channel filtering are
 * public: the pansharpening loss's MTF filters and box sums use them too.
 */
public final class SsimMath {

    private SsimMath() {}

    /** The inputs of an SSIM-type loss: x (N, C, H, W) with its gradient, y the same shape. */
    record Images(Slot x, NDArray y) {}

    /**
     * Reads predictions[0] x and labels[0] y, both (N, C, H, W).
     *
     * @param in the loss inputs
     * @return the images
     */
    static Images read(LossInputs in) {
        in.requireSlots(1, 1, 1, 1);
        Slot x = in.prediction(0, "x").requireRank("(N, C, H, W)", 4);
        Slot y = DenseSlots.requireShapeOf(in.floatLabel(0, "y"), x);
        return new Images(x, y.array());
    }

    /**
     * The normalised Gaussian taps \( g_k \propto e^{-(k - \lfloor n/2 \rfloor)^2 / 2\sigma^2} \).
     *
     * @param size the number of taps n
     * @param sigma σ
     * @return the taps, summing to 1
     */
    public static double[] gaussian(int size, double sigma) {
        double[] g = new double[size];
        double total = 0;
        for (int k = 0; k < size; k++) {
            double c = k - size / 2;
            g[k] = Math.exp(-c * c / (2 * sigma * sigma));
            total += g[k];
        }
        for (int k = 0; k < size; k++) {
            g[k] /= total;
        }
        return g;
    }

    /**
     * The 'valid' separable filtering of every channel of {@code x} (N, C, H, W) by the same 1-D
     * window, as products with band matrices: \( B_H^\top x\,B_W \) with \( (B_n)_{i+k,i} = t_k \)
     * (n × (n − K + 1)), the cross-correlation that {@code conv2d} computes. On libtorch's CPU kernels
     * the matrix products are about 6× faster than the grouped convolutions for 11 taps, forward and
     * backward. A dense band costs n multiply-adds per output where K do, so a long side is cut into
     * blocks (see {@link #filterAxis}). The band matrices are cached per (device, dtype, window, side)
     * by {@link Scalar#cached}, in memory libtorch owns.
     *
     * <p>The filtered rows (and columns) come out in an order of their own, fixed by the shape: the
     * callers take elementwise maps of blurs of same-shaped inputs and their spatial means only.
     *
     * @param x the images (N, C, H, W), H and W ≥ the window's length
     * @param taps the window
     * @return the filtered images (N, C, H − K + 1, W − K + 1), rows and columns permuted
     */
    static NDArray blur(NDArray x, double[] taps) {
        return filterAxis(filterAxis(x, taps, 2), taps, 3);
    }

    /**
     * The 'valid' filtering along axis 2 (rows, \( B^\top x \)) or 3 (columns, \( x B \)). A long side n
     * of k ≥ 2 blocks of b ≥ 4(K − 1) (see {@link #blocks}) is filtered block by block with the b × (b − K + 1) band (the
     * outputs inside each block), plus one (2K − 2) × (K − 1) band product over the K − 1 rows either
     * side of each seam between blocks (the outputs that straddle it): about k times fewer
     * multiply-adds than the dense n × (n − K + 1) band. The block outputs come first, the seams last.
     *
     * @param x (N, C, H, W)
     * @param taps the window
     * @param axis 2 or 3
     * @return x filtered along the axis, its side there n − K + 1
     */
    private static NDArray filterAxis(NDArray x, double[] taps, int axis) {
        Shape s = x.getShape();
        long n = s.get(axis);
        int halo = taps.length - 1;
        int k = blocks(n, taps.length);
        if (k == 1) {
            return product(x, band(x, taps, n), axis);
        }
        long b = n / k;
        NDArray blocks = x.reshape(resized(s, axis, k, b));
        String before = axis == 2 ? ":, :, " : ":, :, :, ";
        String after = axis == 2 ? ", :" : "";
        NDArray tails = blocks.get(new NDIndex(before + "0:{}, {}:" + after, k - 1, b - halo));
        NDArray heads = blocks.get(new NDIndex(before + "1:, 0:{}" + after, halo));
        NDArray inner = product(blocks, band(x, taps, b), axis + 1);
        NDArray seams = product(NDArrays.concat(new NDList(tails, heads), axis + 1), band(x, taps, 2L * halo), axis + 1);
        return NDArrays.concat(new NDList(inner.reshape(resized(s, axis, 1, k * (b - halo))),
                seams.reshape(resized(s, axis, 1, (k - 1L) * halo))), axis);
    }

    /**
     * The number of blocks a side is cut into: the most, up to 4, that divide it into blocks of ≥ 4(K − 1);
     * 1 below 16(K − 1) (160 pixels for 11 taps), where the slices and copies of the blocked form cost
     * what it saves (measured: 128 pixels, one thread).
     */
    private static int blocks(long side, int window) {
        if (side < 16L * (window - 1)) {
            return 1;
        }
        for (int k = 4; k > 1; k--) {
            if (side % k == 0 && side / k >= 4L * (window - 1)) {
                return k;
            }
        }
        return 1;
    }

    /** The shape with {@code axis} replaced by (k, b), or by b alone when k is 1. */
    private static Shape resized(Shape s, int axis, long k, long b) {
        long[] dims = new long[s.dimension() + (k == 1 ? 0 : 1)];
        int j = 0;
        for (int i = 0; i < s.dimension(); i++) {
            if (i == axis) {
                if (k != 1) {
                    dims[j++] = k;
                }
                dims[j++] = b;
            } else {
                dims[j++] = s.get(i);
            }
        }
        return new Shape(dims);
    }

    /** The band product along an axis: the second-to-last from the left (\( B^\top x \)), the last from the right. */
    private static NDArray product(NDArray x, NDArray band, int axis) {
        return axis == x.getShape().dimension() - 1 ? x.matMul(band) : band.transpose().matMul(x);
    }

    private static NDArray band(NDArray like, double[] taps, long side) {
        int n = (int) side;
        int out = n - taps.length + 1;
        return Scalar.cached(like, "ssim band " + java.util.Arrays.toString(taps), new Shape(n, out), () -> {
            double[] m = new double[n * out];
            for (int i = 0; i < out; i++) {
                for (int k = 0; k < taps.length; k++) {
                    m[(i + k) * out + i] = taps[k];
                }
            }
            return m;
        });
    }

    /**
     * Separable 'valid' filtering of each (sample, channel) plane with its channel's 1-D window,
     * applied along H and then along W (a depthwise convolution with the outer-product kernel).
     *
     * @param x maps (N, C, H, W)
     * @param taps C windows of n taps each, {@code taps[c]} for channel c
     * @return (N, C, H − n + 1, W − n + 1)
     * @throws IllegalArgumentException when the number or the lengths of the windows do not fit
     */
    public static NDArray separable(NDArray x, double[][] taps) {
        return separable(x, taps, 0);
    }

    /**
     * {@link #separable(NDArray, double[][])} after zero padding of {@code padding} on all four sides.
     *
     * @param x maps (N, C, H, W)
     * @param taps C windows of n taps each, {@code taps[c]} for channel c
     * @param padding the zero padding p of each side
     * @return (N, C, H + 2p − n + 1, W + 2p − n + 1)
     */
    public static NDArray separable(NDArray x, double[][] taps, int padding) {
        int channels = (int) x.getShape().get(1);
        if (taps.length != channels) {
            throw new IllegalArgumentException("separable filtering of " + channels + " channels got "
                    + taps.length + " windows");
        }
        int n = taps[0].length;
        double[] flat = new double[channels * n];
        for (int c = 0; c < channels; c++) {
            if (taps[c].length != n) {
                throw new IllegalArgumentException("separable filtering: window " + c + " has " + taps[c].length
                        + " taps, expected " + n);
            }
            System.arraycopy(taps[c], 0, flat, c * n, n);
        }
        NDArray rows = Scalar.array(x, flat, new Shape(channels, 1, n, 1));
        NDArray cols = Scalar.array(x, flat, new Shape(channels, 1, 1, n));
        Shape one = new Shape(1, 1);
        NDArray filtered = Conv2d.conv2d(x, rows, null, one, new Shape(padding, 0), one, channels).singletonOrThrow();
        return Conv2d.conv2d(filtered, cols, null, one, new Shape(0, padding), one, channels).singletonOrThrow();
    }

    /**
     * The blurred moments of one scale: \( \mu_x^2 \), \( \mu_x \mu_y \), \( \mu_y^2 + C_1 \),
     * \( \sigma_{xy} \) and \( \sigma_{xx} + \sigma_{yy} + C_2 \), the last from the blur of
     * x² + y² (the SSIM map needs σxx and σyy only as their sum). The blurs of x, x² + y² and xy run as
     * one batched product (recorded by autograd) and the blur of y, a label, as another that is never
     * recorded: four blurs where the textbook formula takes five, and a backward pass over three.
     *
     * @param x maps (N, C, H, W)
     * @param y maps (N, C, H, W), without gradient
     * @param taps the window
     * @param c1 (K1 L)²
     * @param c2 (K2 L)²
     * @return the moments, each (N, C, H − K + 1, W − K + 1)
     */
    private static Moments moments(NDArray x, NDArray y, double[] taps, double c1, double c2) {
        int n = (int) x.getShape().get(0);
        NDArray fromX = blur(NDArrays.concat(new NDList(x, x.square().add(y.square()), x.mul(y))), taps);
        NDArray muX = fromX.get(new NDIndex("0:{}", n));
        NDArray muY = blur(y, taps);
        NDArray muYY = muY.square();
        NDArray muXX = muX.square();
        NDArray muXY = muX.mul(muY);
        return new Moments(muXX, muXY, muYY.add(c1),
                fromX.get(new NDIndex("{}:{}", n, 2 * n)).sub(muXX).sub(muYY.sub(c2)),
                fromX.get(new NDIndex("{}:", 2 * n)).sub(muXY));
    }

    /**
     * The moments of one scale (see {@link #moments}).
     *
     * @param muXX \( \mu_x^2 \)
     * @param muXY \( \mu_x \mu_y \)
     * @param muYYc1 \( \mu_y^2 + C_1 \)
     * @param sigmaSumC2 \( \sigma_{xx} + \sigma_{yy} + C_2 \)
     * @param sigmaXY \( \sigma_{xy} \)
     */
    private record Moments(NDArray muXX, NDArray muXY, NDArray muYYc1, NDArray sigmaSumC2, NDArray sigmaXY) {

        /** The contrast-structure map \( (2\sigma_{xy} + C_2) / (\sigma_{xx} + \sigma_{yy} + C_2) \). */
        NDArray contrast(double c2) {
            return sigmaXY.add(sigmaXY).add(c2).div(sigmaSumC2);
        }

        /** The luminance map \( (2\mu_x\mu_y + C_1) / (\mu_x^2 + \mu_y^2 + C_1) \). */
        NDArray luminance(double c1) {
            return muXY.add(muXY).add(c1).div(muXX.add(muYYc1));
        }
    }

    /**
     * The per-channel mean of the SSIM map.
     *
     * @param x maps (N, C, H, W)
     * @param y maps (N, C, H, W), without gradient
     * @param taps the window
     * @param c1 (K1 L)²
     * @param c2 (K2 L)²
     * @return ssim (N, C)
     */
    static NDArray ssim(NDArray x, NDArray y, double[] taps, double c1, double c2) {
        Moments m = moments(x, y, taps, c1, c2);
        return spatialMean(m.luminance(c1).mul(m.contrast(c2)));
    }

    /**
     * The per-channel mean of the contrast-structure map (the SSIM map without its luminance factor).
     *
     * @param x maps (N, C, H, W)
     * @param y maps (N, C, H, W), without gradient
     * @param taps the window
     * @param c1 (K1 L)²
     * @param c2 (K2 L)²
     * @return cs (N, C)
     */
    static NDArray contrast(NDArray x, NDArray y, double[] taps, double c1, double c2) {
        return spatialMean(moments(x, y, taps, c1, c2).contrast(c2));
    }

    /** The mean over H and W of (N, C, H, W) maps: (N, C). The engine's mean takes one axis at a time. */
    private static NDArray spatialMean(NDArray maps) {
        Shape s = maps.getShape();
        return maps.reshape(s.get(0), s.get(1), -1).mean(new int[] {2});
    }

    /**
     * 2×2 average pooling with stride 2, zero padding (H mod 2, W mod 2) on both sides, padding counted.
     *
     * @param x maps (N, C, H, W)
     * @return the pooled maps
     */
    static NDArray downsample(NDArray x) {
        Shape s = x.getShape();
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(s.get(2) % 2, s.get(3) % 2), false, true);
    }

    /**
     * Requires both image sides to exceed a size.
     *
     * @param x the image slot
     * @param minSide the smallest accepted side
     * @param why the reason, completing "expected H and W ≥ minSide ..."
     */
    static void requireSide(Slot x, long minSide, String why) {
        long h = x.size(2);
        long w = x.size(3);
        if (h < minSide || w < minSide) {
            throw x.fail("has shape " + x.shape() + ": images of " + h + "×" + w
                    + " are too small, expected H and W ≥ " + minSide + " " + why);
        }
    }

    /**
     * Validates the options shared by the SSIM losses.
     *
     * @param id the loss id
     * @param dataRange L
     * @param window the number of taps
     * @param sigma σ
     * @param k1 K1
     * @param k2 K2
     */
    static void requireOptions(String id, double dataRange, int window, double sigma, double k1, double k2) {
        requirePositive(id, "dataRange", dataRange);
        requirePositive(id, "sigma", sigma);
        requirePositive(id, "k1", k1);
        requirePositive(id, "k2", k2);
        if (window < 1 || window % 2 == 0) {
            throw new IllegalArgumentException(id + ": window must be an odd number of taps ≥ 1, got " + window);
        }
    }

    static void requirePositive(String id, String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(id + ": " + name + " must be a finite number > 0, got " + value);
        }
    }
}
