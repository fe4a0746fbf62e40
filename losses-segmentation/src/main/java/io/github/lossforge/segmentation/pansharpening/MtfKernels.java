package io.github.lossforge.segmentation.pansharpening;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.segmentation.image.SsimMath;

import java.util.Arrays;

/**
 * The MTF-matched filters of the λ-PNN loss: one {@link #TAPS}×{@link #TAPS} kernel per band, a
 * low-pass whose response at the MS Nyquist frequency 1/(2·ratio) (cycles per PAN pixel) is about
 * the band's gain G, built in one of two ways.
 *
 * <ul>
 *   <li>{@link #toolbox}: the construction of the pansharpening toolbox's {@code gen_mtf}, which the
 *       official λ-PNN code and the literature's quality figures use. A Gaussian
 *       \( H(u, v) = e^{-(u^2 + v^2)/2a^2} \) is sampled on the integer frequency grid u, v ∈ [−20, 20]
 *       with \( a = \frac{n - 1}{2\,\text{ratio}} / \sqrt{-2\ln G} \) (n = 41; the grid's edge stands
 *       for the PAN Nyquist frequency, so u = (n − 1)/(2·ratio) is the MS Nyquist frequency and H
 *       there is G), samples below the float64 machine epsilon are set to 0; the zero frequency is
 *       moved to index 0 and the 41-point inverse DFT taken in both axes, the result moved back to
 *       the centre (the official rot90/fftshift pairs do exactly this to an even array); every column
 *       v of the spatial kernel is multiplied by the Kaiser window w(v) with β = 0.5 (the official
 *       multiplies the 2-D kernel by the 1-D window, which numpy broadcasts along the columns, so the
 *       rows are not windowed); negative entries are set to 0 and the kernel is scaled to unit sum.
 *       Because the 41-point grid spaces the frequencies by 1/41 rather than 1/40 of the PAN sampling
 *       rate, the kernel's actual response at Nyquist is about 0.93–0.95·G. The kernel is not exactly
 *       separable (the clipping and the radial cut at epsilon), so it filters as the sum of the
 *       separable terms of its singular value decomposition down to {@link #RANK_TOLERANCE} of the
 *       largest singular value (for the sensors' gains, one term at ratio 4 and two at ratios 2 and
 *       3): the terms rebuild the kernel to 1e-15 per entry, so the result is the 2-D convolution's
 *       to that precision, at the cost of a few separable passes rather than 41² multiplications per
 *       pixel.
 *   <li>{@link #gaussian}: the analytic alternative, the outer product of a 41-tap spatial Gaussian
 *       with σ = ratio·√(−2 ln G)/π (whose continuous response at Nyquist is exactly G) with itself,
 *       normalised to unit sum; it filters as one separable term.
 * </ul>
 */
final class MtfKernels {

    /** Taps of every kernel (41, as the official {@code gen_mtf}). */
    static final int TAPS = 41;

    /** β of the Kaiser window of the toolbox construction. */
    static final double KAISER_BETA = 0.5;

    /**
     * Singular values below this fraction of the largest are dropped from a kernel's separable terms:
     * what they carry is below the float64 rounding of the kernel's entries.
     */
    static final double RANK_TOLERANCE = 1e-15;

    /** The float64 machine epsilon: the toolbox zeroes frequency samples below it (times the peak, 1). */
    private static final double FREQUENCY_CUT = Math.ulp(1.0);

    private final double[][][] kernels;
    /** Per band, the separable terms: terms[b][r][0] along the rows (H), terms[b][r][1] along the columns. */
    private final double[][][][] terms;

    private MtfKernels(double[][][] kernels, double[][][][] terms) {
        this.kernels = kernels;
        this.terms = terms;
    }

    /**
     * The toolbox kernels ({@code gen_mtf}), one per gain.
     *
     * @param gains the per-band gains at Nyquist, in (0, 1)
     * @param ratio the PAN/MS resolution ratio
     * @return the kernels
     */
    static MtfKernels toolbox(double[] gains, int ratio) {
        double[][][] k = new double[gains.length][][];
        double[][][][] t = new double[gains.length][][][];
        for (int b = 0; b < gains.length; b++) {
            k[b] = toolboxKernel(gains[b], ratio);
            t[b] = separableTerms(k[b]);
        }
        return new MtfKernels(k, t);
    }

    /**
     * The analytic separable Gaussian kernels, one per gain.
     *
     * @param gains the per-band gains at Nyquist, in (0, 1)
     * @param ratio the PAN/MS resolution ratio
     * @return the kernels
     */
    static MtfKernels gaussian(double[] gains, int ratio) {
        double[][][] k = new double[gains.length][TAPS][TAPS];
        double[][][][] t = new double[gains.length][][][];
        for (int b = 0; b < gains.length; b++) {
            double[] window = SsimMath.gaussian(TAPS, gaussianSigma(gains[b], ratio));
            for (int i = 0; i < TAPS; i++) {
                for (int j = 0; j < TAPS; j++) {
                    k[b][i][j] = window[i] * window[j];
                }
            }
            t[b] = new double[][][] {{window, window}};
        }
        return new MtfKernels(k, t);
    }

    /**
     * The spatial standard deviation of the Gaussian whose frequency response at the MS Nyquist
     * frequency 1/(2·ratio) cycles per PAN pixel equals the gain G: from
     * \( e^{-2\pi^2\sigma^2 f^2} = G \), \( \sigma = \text{ratio}\,\sqrt{-2\ln G}/\pi \).
     *
     * @param gain the MTF gain at Nyquist, in (0, 1)
     * @param ratio the PAN/MS resolution ratio
     * @return σ in PAN pixels
     */
    static double gaussianSigma(double gain, int ratio) {
        return ratio * Math.sqrt(-2 * Math.log(gain)) / Math.PI;
    }

    /** One toolbox kernel, [row][column]. */
    private static double[][] toolboxKernel(double gain, int ratio) {
        int half = TAPS / 2;
        double a = (TAPS - 1) / (2.0 * ratio) / Math.sqrt(-2 * Math.log(gain));
        double[][] response = new double[TAPS][TAPS];
        for (int u = -half; u <= half; u++) {
            for (int v = -half; v <= half; v++) {
                double h = Math.exp(-(u * u + v * v) / (2 * a * a));
                response[u + half][v + half] = h < FREQUENCY_CUT ? 0 : h;
            }
        }
        double[][] kernel = centredInverseDft(response);
        double[] window = kaiser(TAPS, KAISER_BETA);
        double total = 0;
        for (double[] row : kernel) {
            for (int j = 0; j < TAPS; j++) {
                row[j] = Math.max(row[j] * window[j], 0);
                total += row[j];
            }
        }
        for (double[] row : kernel) {
            for (int j = 0; j < TAPS; j++) {
                row[j] /= total;
            }
        }
        return kernel;
    }

    /**
     * The inverse DFT of a real array even in both axes, indices centred on both sides: with n odd
     * and c = (n − 1)/2, \( k[p][q] = \frac{1}{n^2}\sum_{u,v} H[u][v]\cos\frac{2\pi (u - c)(p - c)}{n}
     * \cos\frac{2\pi (v - c)(q - c)}{n} \) (the sine terms cancel by symmetry), one axis at a time.
     */
    private static double[][] centredInverseDft(double[][] response) {
        return centredInverseDftOfRows(centredInverseDftOfRows(response));
    }

    /** The 1-D centred inverse DFT of every row (even rows: a cosine sum), returned transposed. */
    private static double[][] centredInverseDftOfRows(double[][] a) {
        int n = a.length;
        int c = n / 2;
        double[] cosine = new double[n];
        for (int m = 0; m < n; m++) {
            cosine[m] = Math.cos(2 * Math.PI * m / n);
        }
        double[][] out = new double[n][n];
        for (int u = 0; u < n; u++) {
            for (int q = 0; q < n; q++) {
                double acc = 0;
                for (int v = 0; v < n; v++) {
                    acc += a[u][v] * cosine[Math.floorMod((v - c) * (q - c), n)];
                }
                out[q][u] = acc / n;
            }
        }
        return out;
    }

    /**
     * The symmetric Kaiser window \( w(j) = I_0(\beta\sqrt{1 - (2j/(n - 1) - 1)^2}) / I_0(\beta) \).
     *
     * @param n the length
     * @param beta β
     * @return the window
     */
    static double[] kaiser(int n, double beta) {
        double[] w = new double[n];
        double norm = besselI0(beta);
        for (int j = 0; j < n; j++) {
            double t = 2.0 * j / (n - 1) - 1;
            w[j] = besselI0(beta * Math.sqrt(1 - t * t)) / norm;
        }
        return w;
    }

    /** The modified Bessel function I₀ by its power series Σ ((x/2)^k / k!)², for small |x|. */
    private static double besselI0(double x) {
        double quarterSquare = x * x / 4;
        double term = 1;
        double sum = 1;
        for (int k = 1; term > 1e-18 * sum; k++) {
            term *= quarterSquare / ((double) k * k);
            sum += term;
        }
        return sum;
    }

    /**
     * The separable terms of a kernel, \( K = \sum_r \text{rows}_r \otimes \text{columns}_r \), from
     * its singular value decomposition by one-sided Jacobi rotations (Hestenes): the columns of K are
     * rotated in pairs until they are mutually orthogonal, K·V = U·Σ, so K = Σ_r (σ_r u_r) v_rᵀ; terms
     * with σ_r ≤ {@link #RANK_TOLERANCE}·σ_max are dropped.
     *
     * @param kernel a square kernel, [row][column]
     * @return the terms, [r][0] the row taps σ_r u_r and [r][1] the column taps v_r
     */
    static double[][][] separableTerms(double[][] kernel) {
        int n = kernel.length;
        double[][] u = new double[n][];
        double[][] v = new double[n][n];
        for (int j = 0; j < n; j++) {
            u[j] = new double[n];
            for (int i = 0; i < n; i++) {
                u[j][i] = kernel[i][j];
            }
            v[j][j] = 1;
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = dot(u[p], u[p]);
                    double beta = dot(u[q], u[q]);
                    double gamma = dot(u[p], u[q]);
                    if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma == 0) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(1 + t * t);
                    rotate(u[p], u[q], c, c * t);
                    rotate(v[p], v[q], c, c * t);
                }
            }
            if (!rotated) {
                break;
            }
        }
        double largest = 0;
        double[] sigma = new double[n];
        for (int j = 0; j < n; j++) {
            sigma[j] = Math.sqrt(dot(u[j], u[j]));
            largest = Math.max(largest, sigma[j]);
        }
        java.util.List<double[][]> kept = new java.util.ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (sigma[j] > RANK_TOLERANCE * largest) {
                kept.add(new double[][] {u[j].clone(), v[j].clone()});
            }
        }
        return kept.toArray(new double[0][][]);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** (a, b) ← (c·a − s·b, s·a + c·b). */
    private static void rotate(double[] a, double[] b, double c, double s) {
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            double y = b[i];
            a[i] = c * x - s * y;
            b[i] = s * x + c * y;
        }
    }

    /**
     * The number of kernels.
     *
     * @return one per gain
     */
    int bands() {
        return kernels.length;
    }

    /**
     * A copy of one kernel.
     *
     * @param band the band
     * @return [row][column], TAPS × TAPS
     */
    double[][] kernel(int band) {
        double[][] copy = new double[TAPS][];
        for (int i = 0; i < TAPS; i++) {
            copy[i] = kernels[band][i].clone();
        }
        return copy;
    }

    /**
     * These kernels for an image of {@code bands} bands: themselves, or a single kernel repeated.
     *
     * @param bands the band count, equal to {@link #bands()} unless that is 1
     * @return the kernels
     */
    MtfKernels forBands(int bands) {
        if (bands == kernels.length) {
            return this;
        }
        double[][][] k = new double[bands][][];
        double[][][][] t = new double[bands][][][];
        Arrays.fill(k, kernels[0]);
        Arrays.fill(t, terms[0]);
        return new MtfKernels(k, t);
    }

    /**
     * The first band's kernel alone (the threshold map filters PAN with it).
     *
     * @return one kernel
     */
    MtfKernels first() {
        return new MtfKernels(new double[][][] {kernels[0]}, new double[][][][] {terms[0]});
    }

    /**
     * 'Valid' filtering of each (sample, channel) plane with its channel's kernel, keeping rows and
     * columns 0, stride, 2·stride, … of the result: for R separable terms, one depthwise pass along H
     * into C·R channels, one along W, and the sum over the R terms (bands with fewer terms get zero
     * taps).
     *
     * @param x maps (N, C, H, W), C = {@link #bands()}, H and W ≥ TAPS
     * @param stride the decimation step
     * @return (N, C, ⌈(H − TAPS + 1)/stride⌉, ⌈(W − TAPS + 1)/stride⌉)
     */
    NDArray filter(NDArray x, int stride) {
        int channels = kernels.length;
        int rank = 0;
        for (double[][][] t : terms) {
            rank = Math.max(rank, t.length);
        }
        double[] rows = new double[channels * rank * TAPS];
        double[] columns = new double[channels * rank * TAPS];
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < terms[c].length; r++) {
                System.arraycopy(terms[c][r][0], 0, rows, (c * rank + r) * TAPS, TAPS);
                System.arraycopy(terms[c][r][1], 0, columns, (c * rank + r) * TAPS, TAPS);
            }
        }
        Shape one = new Shape(1, 1);
        NDArray alongH = Conv2d.conv2d(x, Scalar.array(x, rows, new Shape(channels * rank, 1, TAPS, 1)), null,
                new Shape(stride, 1), new Shape(0, 0), one, channels).singletonOrThrow();
        NDArray filtered = Conv2d.conv2d(alongH, Scalar.array(x, columns, new Shape(channels * rank, 1, 1, TAPS)),
                null, new Shape(1, stride), new Shape(0, 0), one, channels * rank).singletonOrThrow();
        if (rank == 1) {
            return filtered;
        }
        Shape s = filtered.getShape();
        return filtered.reshape(s.get(0), channels, rank, s.get(2), s.get(3)).sum(new int[] {2});
    }
}
