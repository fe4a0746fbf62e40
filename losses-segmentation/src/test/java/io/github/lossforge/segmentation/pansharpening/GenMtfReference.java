package io.github.lossforge.segmentation.pansharpening;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The official {@code gen_mtf} kernel (matciotola/Lambda-PNN {@code tools/spectral_tools.py}) rebuilt
 * in the test by another route than {@link MtfKernels}: every numpy step the official code takes,
 * one after the other on explicit index arithmetic ({@code fspecial_gauss} with its normalisations,
 * {@code rot90(·, 2)}, {@code fftshift}, a complex 2-D inverse DFT summed term by term, the 1-D window
 * broadcast along the last axis, the real part, the clip and the unit sum), and the Kaiser window's
 * I₀ from its integral \( I_0(x) = \frac{1}{\pi}\int_0^\pi e^{x\cos\theta}\,d\theta \) rather than
 * the power series.
 */
final class GenMtfReference {

    private static final int N = 41;

    private static final Map<String, double[][]> KERNELS = new ConcurrentHashMap<>();

    private GenMtfReference() {}

    /**
     * The kernel {@code gen_mtf} builds for one gain, [row][column] (computed once per gain and
     * ratio; callers must not modify it).
     *
     * @param gain the gain at Nyquist
     * @param ratio the resolution ratio
     * @return the 41×41 kernel
     */
    static double[][] kernel(double gain, int ratio) {
        return KERNELS.computeIfAbsent(gain + "/" + ratio, key -> build(gain, ratio));
    }

    private static double[][] build(double gain, int ratio) {
        double fcut = 1.0 / ratio;
        double alpha = Math.sqrt(Math.pow((N - 1) * (fcut / 2), 2) / (-2 * Math.log(gain)));
        double[][] hd = fspecialGauss(alpha);
        double max = 0;
        for (double[] row : hd) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        for (double[] row : hd) {
            for (int j = 0; j < N; j++) {
                row[j] /= max;
            }
        }
        double[][] shifted = rot180(fftshift(rot180(hd)));
        double[][][] h = fftshiftComplex(inverseDft2(shifted));
        double[] w = kaiser(0.5);
        double[][] k = new double[N][N];
        double total = 0;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                // rot90(h, 2), then h * w broadcasts w along the last axis (the columns), then the real part
                double re = h[N - 1 - i][N - 1 - j][0] * w[j];
                k[i][j] = Math.max(re, 0);
                total += k[i][j];
            }
        }
        for (double[] row : k) {
            for (int j = 0; j < N; j++) {
                row[j] /= total;
            }
        }
        return k;
    }

    /** MATLAB's fspecial('gaussian') as the official mimics it: cut below eps·max, unit sum. */
    private static double[][] fspecialGauss(double sigma) {
        double[][] h = new double[N][N];
        double max = 0;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double y = i - (N - 1) / 2.0;
                double x = j - (N - 1) / 2.0;
                h[i][j] = Math.exp(-(x * x + y * y) / (2.0 * sigma * sigma));
                max = Math.max(max, h[i][j]);
            }
        }
        double sum = 0;
        for (double[] row : h) {
            for (int j = 0; j < N; j++) {
                if (row[j] < 2.220446049250313e-16 * max) {
                    row[j] = 0;
                }
                sum += row[j];
            }
        }
        for (double[] row : h) {
            for (int j = 0; j < N; j++) {
                row[j] /= sum;
            }
        }
        return h;
    }

    private static double[][] rot180(double[][] a) {
        double[][] r = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                r[i][j] = a[N - 1 - i][N - 1 - j];
            }
        }
        return r;
    }

    /** numpy's fftshift: a roll by ⌊n/2⌋ along both axes. */
    private static double[][] fftshift(double[][] a) {
        double[][] r = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                r[(i + N / 2) % N][(j + N / 2) % N] = a[i][j];
            }
        }
        return r;
    }

    private static double[][][] fftshiftComplex(double[][][] a) {
        double[][][] r = new double[N][N][];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                r[(i + N / 2) % N][(j + N / 2) % N] = a[i][j];
            }
        }
        return r;
    }

    /** numpy's ifft2: \( \frac{1}{N^2}\sum_{k,l} a_{kl}\, e^{2\pi i (kp + lq)/N} \), as (re, im). */
    private static double[][][] inverseDft2(double[][] a) {
        double[] cos = new double[N];
        double[] sin = new double[N];
        for (int m = 0; m < N; m++) {
            cos[m] = Math.cos(2 * Math.PI * m / N);
            sin[m] = Math.sin(2 * Math.PI * m / N);
        }
        double[][][] out = new double[N][N][2];
        for (int p = 0; p < N; p++) {
            for (int q = 0; q < N; q++) {
                double re = 0;
                double im = 0;
                for (int k = 0; k < N; k++) {
                    for (int l = 0; l < N; l++) {
                        int m = (k * p + l * q) % N;
                        re += a[k][l] * cos[m];
                        im += a[k][l] * sin[m];
                    }
                }
                out[p][q][0] = re / ((double) N * N);
                out[p][q][1] = im / ((double) N * N);
            }
        }
        return out;
    }

    /** numpy's kaiser(N, β): I₀(β√(1 − ((n − α)/α)²)) / I₀(β), α = (N − 1)/2. */
    static double[] kaiser(double beta) {
        double a = (N - 1) / 2.0;
        double[] w = new double[N];
        for (int n = 0; n < N; n++) {
            double r = (n - a) / a;
            w[n] = besselI0ByIntegral(beta * Math.sqrt(1 - r * r)) / besselI0ByIntegral(beta);
        }
        return w;
    }

    /** The trapezoidal rule on a periodic analytic integrand converges geometrically: 64 nodes are plenty. */
    private static double besselI0ByIntegral(double x) {
        int m = 64;
        double sum = 0;
        for (int k = 0; k < m; k++) {
            sum += Math.exp(x * Math.cos(2 * Math.PI * k / m));
        }
        return sum / m;
    }
}
