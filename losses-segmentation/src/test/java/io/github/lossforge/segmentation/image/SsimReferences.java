package io.github.lossforge.segmentation.image;

import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;

/**
 * Plain float64 SSIM and MS-SSIM: local statistics with the full 2-D window g_a·g_b summed over every
 * valid position (no separable filtering), pooling by explicit 2×2 sums over the zero-padded plane.
 */
final class SsimReferences {

    private SsimReferences() {}

    static double[] window(int size, double sigma) {
        double[] g = new double[size];
        double total = 0;
        for (int k = 0; k < size; k++) {
            double c = k - (size - 1) / 2.0;
            g[k] = Math.exp(-c * c / (2 * sigma * sigma));
            total += g[k];
        }
        for (int k = 0; k < size; k++) {
            g[k] /= total;
        }
        return g;
    }

    /** {mean SSIM map, mean cs map} of one plane. */
    static double[] ssimAndCs(double[][] x, double[][] y, double[] g, double c1, double c2) {
        int n = g.length;
        int oh = x.length - n + 1;
        int ow = x[0].length - n + 1;
        double ssim = 0;
        double cs = 0;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                double mx = 0;
                double my = 0;
                double sxx = 0;
                double syy = 0;
                double sxy = 0;
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        double w = g[a] * g[b];
                        double u = x[i + a][j + b];
                        double v = y[i + a][j + b];
                        mx += w * u;
                        my += w * v;
                        sxx += w * u * u;
                        syy += w * v * v;
                        sxy += w * u * v;
                    }
                }
                double vx = sxx - mx * mx;
                double vy = syy - my * my;
                double cov = sxy - mx * my;
                double contrast = (2 * cov + c2) / (vx + vy + c2);
                ssim += (2 * mx * my + c1) / (mx * mx + my * my + c1) * contrast;
                cs += contrast;
            }
        }
        return new double[] {ssim / (oh * ow), cs / (oh * ow)};
    }

    static double[][] pool(double[][] x) {
        int h = x.length;
        int w = x[0].length;
        int ph = h % 2;
        int pw = w % 2;
        int oh = (h + 2 * ph - 2) / 2 + 1;
        int ow = (w + 2 * pw - 2) / 2 + 1;
        double[][] out = new double[oh][ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                double s = 0;
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 2; b++) {
                        int r = 2 * i + a - ph;
                        int c = 2 * j + b - pw;
                        if (r >= 0 && r < h && c >= 0 && c < w) {
                            s += x[r][c];
                        }
                    }
                }
                out[i][j] = s / 4;
            }
        }
        return out;
    }

    static double[][] plane(HostTensor t, int n, int c) {
        int ch = t.dim(1);
        int h = t.dim(2);
        int w = t.dim(3);
        double[][] p = new double[h][w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                p[i][j] = t.at(((n * ch + c) * h + i) * w + j);
            }
        }
        return p;
    }

    /** Per-sample 1 − mean over channels of SSIM. */
    static Reference ssim(double range, int size, double sigma, double k1, double k2) {
        double[] g = window(size, sigma);
        double c1 = (k1 * range) * (k1 * range);
        double c2 = (k2 * range) * (k2 * range);
        return s -> {
            HostTensor x = s.prediction(0);
            HostTensor y = s.label(0);
            double[] out = new double[x.dim(0)];
            for (int n = 0; n < out.length; n++) {
                double total = 0;
                for (int c = 0; c < x.dim(1); c++) {
                    total += ssimAndCs(plane(x, n, c), plane(y, n, c), g, c1, c2)[0];
                }
                out[n] = 1 - total / x.dim(1);
            }
            return out;
        };
    }

    /** Per-sample 1 − mean over channels of MS-SSIM with terms clamped at eps. */
    static Reference msSsim(double range, int size, double sigma, double k1, double k2, double[] weights, double eps) {
        double[] g = window(size, sigma);
        double c1 = (k1 * range) * (k1 * range);
        double c2 = (k2 * range) * (k2 * range);
        return s -> {
            HostTensor x = s.prediction(0);
            HostTensor y = s.label(0);
            double[] out = new double[x.dim(0)];
            for (int n = 0; n < out.length; n++) {
                double total = 0;
                for (int c = 0; c < x.dim(1); c++) {
                    double[][] a = plane(x, n, c);
                    double[][] b = plane(y, n, c);
                    double product = 1;
                    for (int j = 0; j < weights.length; j++) {
                        double[] stats = ssimAndCs(a, b, g, c1, c2);
                        double term = j < weights.length - 1 ? stats[1] : stats[0];
                        product *= Math.pow(Math.max(term, eps), weights[j]);
                        a = pool(a);
                        b = pool(b);
                    }
                    total += product;
                }
                out[n] = 1 - total / x.dim(1);
            }
            return out;
        };
    }

    /** Correlated pairs: x uniform in [0.2, 0.8], y = x + Gaussian noise; x is predictions[0], y labels[0]. */
    static Sample pair(java.util.Random rng, double noise, long n, long c, long h, long w) {
        int size = (int) (n * c * h * w);
        double[] x = new double[size];
        double[] y = new double[size];
        for (int i = 0; i < size; i++) {
            x[i] = 0.2 + 0.6 * rng.nextDouble();
            y[i] = x[i] + noise * rng.nextGaussian();
        }
        return new Sample(java.util.List.of(HostTensor.floats(y, n, c, h, w)),
                java.util.List.of(HostTensor.floats(x, n, c, h, w)));
    }
}
