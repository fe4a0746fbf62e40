package io.github.lossforge.segmentation.pansharpening;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.segmentation.image.SsimMath;

import java.util.Arrays;

/**
 * The pieces of the λ-PNN loss (Ciotola, Poggi, Scarpa 2023), each as in the official code
 * (matciotola/Lambda-PNN) except where {@link LambdaPnnLoss} documents a difference: MTF-matched
 * degradation, R-ERGAS, the local correlation field and the structural loss with its threshold map,
 * and the Q2^n index of D_λ. The MTF kernels are {@link MtfKernels}; box sums go through
 * {@link SsimMath#separable}.
 */
final class PansharpeningMath {

    /** Half-width of the local correlation window of the threshold map (the official {@code semi_width}). */
    static final int THRESHOLD_HALF_WIDTH = 8;

    /** The official data scale: images are 11-bit values divided by 2^11; D_λ undoes it. */
    static final double DATA_SCALE = 2048;

    /** The largest block of the Q2^n index (the official block and shift). */
    static final int Q_BLOCK = 32;

    private static final double CORRELATION_EPS = 1e-20;
    private static final double Q_FLOOR = 1e-30;
    private static final double SQRT_FLOOR = 1e-30;

    private PansharpeningMath() {}

    /**
     * The MTF-matched degradation: replicate padding by 20, each band filtered with its MTF kernel,
     * then decimation keeping rows and columns {@code ratio/2, ratio/2 + ratio, …}.
     *
     * @param fused (N, B, H, W)
     * @param mtf the MTF kernels, one per band
     * @param ratio the resolution ratio
     * @return (N, B, H/ratio, W/ratio)
     */
    static NDArray degrade(NDArray fused, MtfKernels mtf, int ratio) {
        int pad = MtfKernels.TAPS / 2;
        int offset = ratio / 2;
        NDArray padded = pad(pad(fused, 2, pad, pad, false), 3, pad, pad, false);
        // from the offset on, output 0 is the filtered pixel at the offset: the decimation is the stride
        return mtf.filter(padded.get(new NDIndex(":, :, {}:, {}:", offset, offset)), ratio);
    }

    /**
     * The official local correlation field ({@code xcorr_torch}): with box sums S over the 2w×2w
     * window covering rows and columns [r − w + 1, r + w] (zero padding) and every pixel centred with
     * its own local mean (ã = a − S(a)/4w²),
     * \( \rho = S(\tilde a\tilde b) / (\sqrt{\max(S(\tilde a^2), \epsilon)}\sqrt{\max(S(\tilde b^2),
     * \epsilon)} + \epsilon) \), ε = 1e-20.
     *
     * @param a (N, C, H, W)
     * @param b (N, C, H, W) or (N, 1, H, W), broadcast over the channels of a
     * @param w the half-width
     * @return ρ (N, C, H, W)
     */
    static NDArray localCorrelation(NDArray a, NDArray b, int w) {
        double area = 4.0 * w * w;
        NDArray ca = a.sub(Scalar.div(boxSum(a, w), area));
        NDArray cb = b.sub(Scalar.div(boxSum(b, w), area));
        NDArray sab = boxSum(ca.mul(cb), w);
        NDArray saa = boxSum(ca.square(), w);
        NDArray sbb = boxSum(cb.square(), w);
        NDArray norm = Scalar.max(saa, CORRELATION_EPS).sqrt().mul(Scalar.max(sbb, CORRELATION_EPS).sqrt());
        return sab.div(norm.add(CORRELATION_EPS));
    }

    /** Sums over the 2w×2w window covering [r − w + 1, r + w] in both axes, zero outside the image. */
    private static NDArray boxSum(NDArray x, int w) {
        double[] ones = new double[2 * w];
        Arrays.fill(ones, 1.0);
        double[][] taps = new double[(int) x.getShape().get(1)][];
        Arrays.fill(taps, ones);
        // padding w on both sides then dropping the first row and column leaves [r − w + 1, r + w]
        return SsimMath.separable(x, taps, w).get(new NDIndex(":, :, 1:, 1:"));
    }

    /**
     * The threshold map of the structural loss (the official {@code local_corr_mask}):
     * \( 1 - \rho_8(\text{PAN}_{lp}, \text{MS}_{up}) \), PAN_lp being PAN filtered with the first
     * band's MTF kernel after reflect padding by 20.
     *
     * @param pan (N, 1, H, W)
     * @param msUp (N, B, H, W)
     * @param mtf the MTF kernels (the first one is used)
     * @return (N, B, H, W), without gradient
     */
    static NDArray thresholdMap(NDArray pan, NDArray msUp, MtfKernels mtf) {
        int pad = MtfKernels.TAPS / 2;
        NDArray padded = pad(pad(pan, 2, pad, pad, true), 3, pad, pad, true);
        NDArray lowPass = mtf.first().filter(padded, 1);
        return localCorrelation(lowPass, msUp, THRESHOLD_HALF_WIDTH).neg().add(1).stopGradient();
    }

    /**
     * The structural loss per sample: x = 1 − max(ρ_w(fused_b, PAN), −1), w = ⌈ratio/2⌉, and the mean
     * over bands and pixels of x where x exceeds the threshold (0 elsewhere).
     *
     * @param fused (N, B, H, W)
     * @param pan (N, 1, H, W)
     * @param threshold (N, B, H, W)
     * @param ratio the resolution ratio
     * @return (N)
     */
    static NDArray structural(NDArray fused, NDArray pan, NDArray threshold, int ratio) {
        int w = (ratio + 1) / 2;
        NDArray x = Scalar.max(localCorrelation(fused, pan, w), -1.0).neg().add(1);
        NDArray worst = x.gt(threshold).toType(x.getDataType(), false);
        return perSampleMean(x.mul(worst));
    }

    /**
     * R-ERGAS per sample: \( \frac{100}{\text{ratio}} \sqrt{\frac{1}{B}\sum_b
     * \frac{\operatorname{mean}((D_b - MS_b)^2)}{\operatorname{mean}(MS_b)^2}} \); the square root's
     * argument is floored at 1e-30 so a perfect match has a finite (zero) gradient.
     *
     * @param degraded (N, B, h, w)
     * @param ms (N, B, h, w), every band mean non-zero
     * @param ratio the resolution ratio
     * @return (N)
     */
    static NDArray relativeErgas(NDArray degraded, NDArray ms, int ratio) {
        NDArray error = planeMean(degraded.sub(ms).square());
        NDArray meanSquared = planeMean(ms).square();
        NDArray ratioOfBands = error.div(meanSquared).mean(new int[] {1});
        return Scalar.mul(Scalar.max(ratioOfBands, SQRT_FLOOR).sqrt(), 100.0 / ratio);
    }

    /**
     * The Q2^n index per sample, as the official {@code Q2n} with block = shift = min(32, padded side):
     * both images scaled by 2048, replicate-padded to power-of-two sides, optionally rounded, bands
     * zero-padded to a power of two, then the hypercomplex quality index of every block, its modulus,
     * and the mean over blocks.
     *
     * @param degraded the degraded fused image (N, B, h, w)
     * @param ms the reference MS (N, B, h, w)
     * @param round whether to round both images to integers (the official, not differentiable)
     * @return (N)
     */
    static NDArray q2n(NDArray degraded, NDArray ms, boolean round) {
        NDArray out = powerOfTwoSides(Scalar.mul(degraded, DATA_SCALE));
        NDArray ref = powerOfTwoSides(Scalar.mul(ms, DATA_SCALE));
        if (round) {
            out = out.stopGradient().round();
            ref = ref.round();
        }
        out = powerOfTwoBands(out);
        ref = powerOfTwoBands(ref);
        Shape s = ref.getShape();
        long n = s.get(0);
        long d = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        long block = Math.min(Q_BLOCK, Math.min(h, w));
        NDArray q = qIndex(blocks(ref, block), blocks(out, block));
        NDArray modulus = q.square().sum(new int[] {2}).sqrt();
        return modulus.reshape(n, -1).mean(new int[] {1});
    }

    /** (N, D, H, W) as (N, K, D, b²): the K non-overlapping b×b blocks, row-major. */
    private static NDArray blocks(NDArray x, long b) {
        Shape s = x.getShape();
        long n = s.get(0);
        long d = s.get(1);
        return x.reshape(n, d, s.get(2) / b, b, s.get(3) / b, b)
                .transpose(0, 2, 4, 1, 3, 5)
                .reshape(n, -1, d, b * b);
    }

    /**
     * The official {@code q_index} of every block: im1 the reference, im2 the image under test, both
     * (N, K, D, P). Returns the hypercomplex index q (N, K, D, 1).
     */
    private static NDArray qIndex(NDArray im1, NDArray im2) {
        long pixels = im1.getShape().get(3);
        double unbias = (double) pixels / (pixels - 1);
        int[] px = {3};
        NDArray mean = im1.mean(px, true);
        NDArray centred = im1.sub(mean);
        NDArray std = Scalar.div(centred.square().sum(px, true), pixels - 1.0).sqrt();
        // a flat reference band is divided by 1, not the official tiny floor, whose 1e10-sized quotients
        // overflow float32 gradients (the loss's javadoc lists this difference)
        std = NDArrays.where(std.eq(0), std.onesLike(), std);
        NDArray q1 = centred.div(std).add(1);
        // the official normalises im2 without dividing where the reference's first band has mean 0
        NDArray firstMeanZero = mean.get(new NDIndex(":, :, 0:1, :")).eq(0).broadcast(im2.getShape());
        NDArray shifted = im2.sub(mean);
        NDArray q2 = conjugate(NDArrays.where(firstMeanZero, shifted.add(1), shifted.div(std).add(1)));
        NDArray m1 = q1.mean(px, true);
        NDArray m2 = q2.mean(px, true);
        int[] comp = {2};
        NDArray m1sq = m1.square().sum(comp, true);
        NDArray m2sq = m2.square().sum(comp, true);
        NDArray q1sq = q1.square().sum(comp, true).mean(px, true);
        NDArray q2sq = q2.square().sum(comp, true).mean(px, true);
        NDArray variances = Scalar.mul(q1sq.add(q2sq).sub(m1sq).sub(m2sq), unbias);
        NDArray meanBias = Scalar.mul(m1sq.sqrt().mul(m2sq.sqrt()), 2).div(m1sq.add(m2sq));
        NDArray covariance = Scalar.mul(product(q1, q2).mean(px, true), unbias)
                .sub(Scalar.mul(product(m1, m2), unbias));
        NDArray flat = variances.eq(0);
        NDArray safeVariances = NDArrays.where(flat, variances.onesLike(), variances);
        NDArray general = Scalar.mul(covariance.mul(meanBias).div(safeVariances), 2);
        long d = im1.getShape().get(2);
        double[] last = new double[(int) d];
        last[(int) d - 1] = 1;
        NDArray degenerate = Scalar.array(general, last, new Shape(1, 1, d, 1)).mul(meanBias);
        NDArray q = NDArrays.where(flat.broadcast(general.getShape()), degenerate, general);
        return NDArrays.where(q.eq(0), Scalar.of(q, Q_FLOOR).broadcast(q.getShape()), q);
    }

    /**
     * The official Cayley–Dickson product along axis 2 (n components, a power of two): for
     * a = (p, q), b = (r, s) halves, \( ab = (pr - \bar s q,\ \bar p \bar s + r \bar q) \).
     */
    private static NDArray product(NDArray a, NDArray b) {
        long n = a.getShape().get(2);
        if (n == 1) {
            return a.mul(b);
        }
        long mid = n / 2;
        NDArray p = components(a, 0, mid);
        NDArray q = components(a, mid, n);
        NDArray r = components(b, 0, mid);
        NDArray s = components(b, mid, n);
        NDArray first = product(p, r).sub(product(conjugate(s), q));
        NDArray second = product(conjugate(p), conjugate(s)).add(product(r, conjugate(q)));
        return first.concat(second, 2);
    }

    /** The hypercomplex conjugate along axis 2: every component but the first negated. */
    private static NDArray conjugate(NDArray x) {
        long n = x.getShape().get(2);
        if (n == 1) {
            return x;
        }
        return components(x, 0, 1).concat(components(x, 1, n).neg(), 2);
    }

    private static NDArray components(NDArray x, long from, long to) {
        return x.get(new NDIndex(":, :, {}:{}", from, to));
    }

    /** Replicate padding of both sides to the next power of two (floor of the difference before). */
    private static NDArray powerOfTwoSides(NDArray x) {
        for (int axis = 2; axis <= 3; axis++) {
            long side = x.getShape().get(axis);
            long diff = nextPowerOfTwo(side) - side;
            if (diff > 0) {
                x = pad(x, axis, (int) (diff / 2), (int) (diff - diff / 2), false);
            }
        }
        return x;
    }

    /** Zero bands appended up to a power of two. */
    private static NDArray powerOfTwoBands(NDArray x) {
        Shape s = x.getShape();
        long bands = s.get(1);
        long extra = nextPowerOfTwo(bands) - bands;
        if (extra == 0) {
            return x;
        }
        NDArray zeros = x.getManager().zeros(new Shape(s.get(0), extra, s.get(2), s.get(3)), x.getDataType(), x.getDevice());
        return x.concat(zeros, 1);
    }

    static long nextPowerOfTwo(long n) {
        long p = 1;
        while (p < n) {
            p <<= 1;
        }
        return p;
    }

    /**
     * Replicate or reflect padding along one axis (reflect needs {@code before, after < side}).
     *
     * @param x the array
     * @param axis the axis
     * @param before rows added before
     * @param after rows added after
     * @param reflect reflect (mirror without repeating the edge) rather than replicate the edge
     * @return the padded array
     */
    static NDArray pad(NDArray x, int axis, int before, int after, boolean reflect) {
        long n = x.getShape().get(axis);
        NDList parts = new NDList();
        if (before > 0) {
            parts.add(reflect ? slice(x, axis, 1, before + 1).flip(axis) : edge(x, axis, 0, before));
        }
        parts.add(x);
        if (after > 0) {
            parts.add(reflect ? slice(x, axis, n - 1 - after, n - 1).flip(axis) : edge(x, axis, n - 1, after));
        }
        return parts.size() == 1 ? x : NDArrays.concat(parts, axis);
    }

    private static NDArray edge(NDArray x, int axis, long index, int copies) {
        NDArray row = slice(x, axis, index, index + 1);
        long[] dims = row.getShape().getShape();
        dims[axis] = copies;
        return row.broadcast(new Shape(dims));
    }

    private static NDArray slice(NDArray x, int axis, long from, long to) {
        return axis == 2
                ? x.get(new NDIndex(":, :, {}:{}", from, to))
                : x.get(new NDIndex(":, :, :, {}:{}", from, to));
    }

    /** The mean over H and W: (N, C, H, W) to (N, C). */
    private static NDArray planeMean(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), -1).mean(new int[] {2});
    }

    /** The mean over every axis but the first: (N, ...) to (N). */
    private static NDArray perSampleMean(NDArray x) {
        return x.reshape(x.getShape().get(0), -1).mean(new int[] {1});
    }
}
