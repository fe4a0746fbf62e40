package io.github.lossforge.segmentation.pansharpening;

import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.segmentation.pansharpening.LambdaPnnLoss.Mtf;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An independent float64 reference of the λ-PNN loss, written as plain loops after the official
 * code: 2-D kernels applied as 41×41 sums with index clamping (replicate) and mirroring (reflect),
 * the toolbox kernels from {@link GenMtfReference}, the correlation field summed window by window,
 * the Q2^n index with an explicit Cayley–Dickson recursion on double arrays.
 *
 * <p>Only for speed (finite differences call it thousands of times, changing one entry at a time):
 * what depends on the labels alone (the parsed labels, the threshold map) is computed once per set of
 * label tensors (a sample that replaces any one of them gets its own), and each band's own terms (its degradation and its structural sum) are remembered for the
 * band's first and latest contents, so an evaluation recomputes only the bands that changed.
 */
final class LambdaPnnReference implements Reference {

    private final double[] gains;
    private final int ratio;
    private final double alpha;
    private final double beta;
    private final double gamma;
    private final boolean round;
    private final boolean toolbox;
    private final Map<Integer, double[][]> kernels = new HashMap<>();
    private final Map<LabelKey, LabelTerms> labelTerms = new HashMap<>();

    /** A sample's three label tensors (PAN, MS, upsampled MS), compared by identity. */
    private record LabelKey(HostTensor pan, HostTensor ms, HostTensor msUp) {
        @Override
        public boolean equals(Object o) {
            return o instanceof LabelKey k && k.pan == pan && k.ms == ms && k.msUp == msUp;
        }

        @Override
        public int hashCode() {
            return (31 * System.identityHashCode(pan) + System.identityHashCode(ms)) * 31
                    + System.identityHashCode(msUp);
        }
    }

    /** The labels parsed, the threshold map, and the remembered per-band terms for these labels. */
    private static final class LabelTerms {
        double[][][][] pan;
        double[][][][] ms;
        double[][][][] threshold;
        final Map<Integer, BandTerms[]> bands = new HashMap<>();
    }

    /** One band's contents with its degradation and its structural sum Σ x·[x > θ]. */
    private record BandTerms(double[][] band, double[][] degraded, double structural) {}

    LambdaPnnReference(double[] gains, int ratio, double alpha, double beta, double gamma, boolean round) {
        this(gains, ratio, alpha, beta, gamma, round, Mtf.TOOLBOX);
    }

    LambdaPnnReference(double[] gains, int ratio, double alpha, double beta, double gamma, boolean round, Mtf mtf) {
        this.gains = gains.clone();
        this.ratio = ratio;
        this.alpha = alpha;
        this.beta = beta;
        this.gamma = gamma;
        this.round = round;
        this.toolbox = mtf == Mtf.TOOLBOX;
    }

    @Override
    public double[] perSample(Sample s) {
        double[][][][] fused = image(s.prediction(0));
        LabelTerms l = labelTerms(s);
        double[] out = new double[fused.length];
        for (int n = 0; n < fused.length; n++) {
            int bands = fused[n].length;
            double[][][] degraded = new double[bands][][];
            double structural = 0;
            for (int b = 0; b < bands; b++) {
                BandTerms t = bandTerms(l, n, b, fused[n][b]);
                degraded[b] = t.degraded();
                structural += t.structural();
            }
            double pixels = (double) bands * fused[n][0].length * fused[n][0][0].length;
            out[n] = alpha * ergas(degraded, l.ms[n]) + beta * (1 - q2n(degraded, l.ms[n]))
                    + gamma * structural / pixels;
        }
        return out;
    }

    private BandTerms bandTerms(LabelTerms l, int n, int b, double[][] band) {
        BandTerms[] firstAndLatest = l.bands.computeIfAbsent(n * 4096 + b, key -> new BandTerms[2]);
        for (BandTerms t : firstAndLatest) {
            if (t != null && Arrays.deepEquals(t.band(), band)) {
                return t;
            }
        }
        BandTerms t = new BandTerms(band, degrade(band, b),
                structural(band, l.pan[n][0], l.threshold[n][b]));
        firstAndLatest[firstAndLatest[0] == null ? 0 : 1] = t;
        return t;
    }

    /** The smallest |x − θ| over every element, x the structural term's 1 − max(ρ, −1). */
    double thresholdGap(Sample s) {
        double[][][][] fused = image(s.prediction(0));
        double[][][][] pan = labelTerms(s).pan;
        double[][][][] thr = labelTerms(s).threshold;
        double gap = Double.POSITIVE_INFINITY;
        int w = (ratio + 1) / 2;
        for (int n = 0; n < fused.length; n++) {
            for (int b = 0; b < fused[n].length; b++) {
                double[][] rho = xcorr(fused[n][b], pan[n][0], w);
                for (int i = 0; i < rho.length; i++) {
                    for (int j = 0; j < rho[0].length; j++) {
                        gap = Math.min(gap, Math.abs(1 - Math.max(rho[i][j], -1) - thr[n][b][i][j]));
                    }
                }
            }
        }
        return gap;
    }

    /**
     * The flat indices among {@code candidates} into predictions[0] whose perturbation cannot move any
     * structural term across its threshold: every x within the reach of the entry (the centring and
     * the correlation windows, 4w pixels) is at least {@code margin} away from θ.
     */
    int[] entriesAwayFromThreshold(Sample s, int[] candidates, double margin) {
        double[][][][] fused = image(s.prediction(0));
        double[][][][] pan = labelTerms(s).pan;
        double[][][][] thr = labelTerms(s).threshold;
        int bands = fused[0].length;
        int h = fused[0][0].length;
        int wd = fused[0][0][0].length;
        int w = (ratio + 1) / 2;
        java.util.List<Integer> kept = new java.util.ArrayList<>();
        for (int e : candidates) {
            int n = e / (bands * h * wd);
            int b = e / (h * wd) % bands;
            int i = e / wd % h;
            int j = e % wd;
            double[][] rho = xcorr(fused[n][b], pan[n][0], w);
            double gap = Double.POSITIVE_INFINITY;
            for (int u = Math.max(0, i - 2 * w); u <= Math.min(h - 1, i + 2 * w); u++) {
                for (int v = Math.max(0, j - 2 * w); v <= Math.min(wd - 1, j + 2 * w); v++) {
                    gap = Math.min(gap, Math.abs(1 - Math.max(rho[u][v], -1) - thr[n][b][u][v]));
                }
            }
            if (gap >= margin) {
                kept.add(e);
            }
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    double gain(int band) {
        return gains.length == 1 ? gains[0] : gains[band];
    }

    /**
     * The 41×41 kernel of a band: the toolbox's ({@link GenMtfReference}), or a 2-D Gaussian with
     * σ = r·√(−2 ln G)/π normalised to unit sum.
     */
    double[][] kernel(int band) {
        return kernels.computeIfAbsent(band, b -> toolbox ? GenMtfReference.kernel(gain(b), ratio) : gaussianKernel(b));
    }

    private double[][] gaussianKernel(int band) {
        double sigma = ratio * Math.sqrt(-2 * Math.log(gain(band))) / Math.PI;
        double[][] k = new double[41][41];
        double total = 0;
        for (int u = 0; u < 41; u++) {
            for (int v = 0; v < 41; v++) {
                k[u][v] = Math.exp(-((u - 20.0) * (u - 20.0) + (v - 20.0) * (v - 20.0)) / (2 * sigma * sigma));
                total += k[u][v];
            }
        }
        for (double[] row : k) {
            for (int v = 0; v < 41; v++) {
                row[v] /= total;
            }
        }
        return k;
    }

    /** One band degraded: its kernel at the decimated pixels, replicate padding. */
    private double[][] degrade(double[][] img, int band) {
        int h = img.length;
        int w = img[0].length;
        int off = ratio / 2;
        double[][] out = new double[h / ratio][w / ratio];
        double[][] k = kernel(band);
        for (int y = 0; y < h / ratio; y++) {
            for (int x = 0; x < w / ratio; x++) {
                int[] columns = new int[41];
                for (int v = 0; v < 41; v++) {
                    columns[v] = clamp(off + ratio * x + v - 20, w);
                }
                double acc = 0;
                for (int u = 0; u < 41; u++) {
                    double[] row = img[clamp(off + ratio * y + u - 20, h)];
                    double[] taps = k[u];
                    for (int v = 0; v < 41; v++) {
                        acc += taps[v] * row[columns[v]];
                    }
                }
                out[y][x] = acc;
            }
        }
        return out;
    }

    private LabelTerms labelTerms(Sample s) {
        return labelTerms.computeIfAbsent(new LabelKey(s.label(0), s.label(1), s.label(2)), key -> {
            LabelTerms l = new LabelTerms();
            l.pan = image(s.label(0));
            l.ms = image(s.label(1));
            l.threshold = threshold(l.pan, image(s.label(2)));
            return l;
        });
    }

    private double[][][][] threshold(double[][][][] pan, double[][][][] msUp) {
        double[][] k = kernel(0);
        double[][][][] thr = new double[pan.length][][][];
        for (int n = 0; n < pan.length; n++) {
            double[][] p = pan[n][0];
            int h = p.length;
            int w = p[0].length;
            double[][] low = new double[h][w];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int[] columns = new int[41];
                    for (int v = 0; v < 41; v++) {
                        columns[v] = reflect(j + v - 20, w);
                    }
                    double acc = 0;
                    for (int u = 0; u < 41; u++) {
                        double[] row = p[reflect(i + u - 20, h)];
                        double[] taps = k[u];
                        for (int v = 0; v < 41; v++) {
                            acc += taps[v] * row[columns[v]];
                        }
                    }
                    low[i][j] = acc;
                }
            }
            thr[n] = new double[msUp[n].length][][];
            for (int b = 0; b < msUp[n].length; b++) {
                double[][] rho = xcorr(low, msUp[n][b], 8);
                thr[n][b] = new double[h][w];
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        thr[n][b][i][j] = 1 - rho[i][j];
                    }
                }
            }
        }
        return thr;
    }

    /** Σ x·[x > θ] over one band's pixels. */
    private double structural(double[][] band, double[][] pan, double[][] thr) {
        int w = (ratio + 1) / 2;
        double total = 0;
        double[][] rho = xcorr(band, pan, w);
        for (int i = 0; i < rho.length; i++) {
            for (int j = 0; j < rho[0].length; j++) {
                double x = 1 - Math.max(rho[i][j], -1);
                total += x > thr[i][j] ? x : 0;
            }
        }
        return total;
    }

    /** The official correlation field, window rows/columns [p − w + 1, p + w], zero outside. */
    static double[][] xcorr(double[][] a, double[][] b, int w) {
        int h = a.length;
        int wd = a[0].length;
        double[][] ca = centred(a, w);
        double[][] cb = centred(b, w);
        double[][] rho = new double[h][wd];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < wd; j++) {
                double ab = 0;
                double aa = 0;
                double bb = 0;
                for (int u = i - w + 1; u <= i + w; u++) {
                    for (int v = j - w + 1; v <= j + w; v++) {
                        if (u >= 0 && u < h && v >= 0 && v < wd) {
                            ab += ca[u][v] * cb[u][v];
                            aa += ca[u][v] * ca[u][v];
                            bb += cb[u][v] * cb[u][v];
                        }
                    }
                }
                rho[i][j] = ab / (Math.sqrt(Math.max(aa, 1e-20) * Math.max(bb, 1e-20)) + 1e-20);
            }
        }
        return rho;
    }

    private static double[][] centred(double[][] a, int w) {
        int h = a.length;
        int wd = a[0].length;
        double[][] c = new double[h][wd];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < wd; j++) {
                double sum = 0;
                for (int u = i - w + 1; u <= i + w; u++) {
                    for (int v = j - w + 1; v <= j + w; v++) {
                        if (u >= 0 && u < h && v >= 0 && v < wd) {
                            sum += a[u][v];
                        }
                    }
                }
                c[i][j] = a[i][j] - sum / (4.0 * w * w);
            }
        }
        return c;
    }

    private double ergas(double[][][] d, double[][][] ms) {
        double acc = 0;
        for (int b = 0; b < d.length; b++) {
            double err = 0;
            double mean = 0;
            int count = 0;
            for (int i = 0; i < d[b].length; i++) {
                for (int j = 0; j < d[b][0].length; j++) {
                    err += (d[b][i][j] - ms[b][i][j]) * (d[b][i][j] - ms[b][i][j]);
                    mean += ms[b][i][j];
                    count++;
                }
            }
            err /= count;
            mean /= count;
            acc += err / (mean * mean);
        }
        return 100.0 / ratio * Math.sqrt(acc / d.length);
    }

    /** The official Q2n: scale by 2048, power-of-two sides (replicate), rounding, power-of-two bands. */
    double q2n(double[][][] out, double[][][] ms) {
        int bands = out.length;
        int h = ms[0].length;
        int w = ms[0][0].length;
        int hp = powerOfTwo(h);
        int wp = powerOfTwo(w);
        int d = powerOfTwo(bands);
        double[][][] o = new double[d][hp][wp];
        double[][][] r = new double[d][hp][wp];
        for (int b = 0; b < bands; b++) {
            for (int i = 0; i < hp; i++) {
                for (int j = 0; j < wp; j++) {
                    int si = clamp(i - (hp - h) / 2, h);
                    int sj = clamp(j - (wp - w) / 2, w);
                    o[b][i][j] = scaled(out[b][si][sj]);
                    r[b][i][j] = scaled(ms[b][si][sj]);
                }
            }
        }
        int block = Math.min(32, Math.min(hp, wp));
        double total = 0;
        int blocks = 0;
        for (int bi = 0; bi < hp; bi += block) {
            for (int bj = 0; bj < wp; bj += block) {
                double[] q = qIndex(r, o, bi, bj, block);
                double norm = 0;
                for (double c : q) {
                    norm += c * c;
                }
                total += Math.sqrt(norm);
                blocks++;
            }
        }
        return total / blocks;
    }

    private double scaled(double v) {
        return round ? Math.rint(v * 2048) : v * 2048;
    }

    /** The official q_index of one block, im1 the reference, im2 the image under test. */
    private static double[] qIndex(double[][][] im1, double[][][] im2, int bi, int bj, int size) {
        int d = im1.length;
        int p = size * size;
        double[][] a = new double[p][d];
        double[][] b = new double[p][d];
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int c = 0; c < d; c++) {
            for (int k = 0; k < p; k++) {
                mean[c] += im1[c][bi + k / size][bj + k % size];
            }
            mean[c] /= p;
            double ss = 0;
            for (int k = 0; k < p; k++) {
                double dev = im1[c][bi + k / size][bj + k % size] - mean[c];
                ss += dev * dev;
            }
            std[c] = Math.sqrt(ss / (p - 1));
            if (std[c] == 0) {
                std[c] = 1;
            }
        }
        for (int k = 0; k < p; k++) {
            for (int c = 0; c < d; c++) {
                double x1 = im1[c][bi + k / size][bj + k % size];
                double x2 = im2[c][bi + k / size][bj + k % size];
                a[k][c] = (x1 - mean[c]) / std[c] + 1;
                double n2 = mean[0] == 0 ? x2 - mean[c] + 1 : (x2 - mean[c]) / std[c] + 1;
                b[k][c] = c == 0 ? n2 : -n2;
            }
        }
        double[] m1 = new double[d];
        double[] m2 = new double[d];
        double q1sq = 0;
        double q2sq = 0;
        for (int k = 0; k < p; k++) {
            for (int c = 0; c < d; c++) {
                m1[c] += a[k][c] / p;
                m2[c] += b[k][c] / p;
                q1sq += a[k][c] * a[k][c] / p;
                q2sq += b[k][c] * b[k][c] / p;
            }
        }
        double mod1 = 0;
        double mod2 = 0;
        for (int c = 0; c < d; c++) {
            mod1 += m1[c] * m1[c];
            mod2 += m2[c] * m2[c];
        }
        double temp = (double) p / (p - 1);
        double term3 = temp * q1sq + temp * q2sq - temp * (mod1 + mod2);
        double meanBias = 2 * Math.sqrt(mod1) * Math.sqrt(mod2) / (mod1 + mod2);
        double[] q = new double[d];
        if (term3 == 0) {
            q[d - 1] = meanBias;
        } else {
            double[] qv = new double[d];
            for (int k = 0; k < p; k++) {
                double[] prod = cayleyDickson(a[k], b[k]);
                for (int c = 0; c < d; c++) {
                    qv[c] += prod[c] / p;
                }
            }
            double[] qm = cayleyDickson(m1, m2);
            for (int c = 0; c < d; c++) {
                q[c] = (temp * qv[c] - temp * qm[c]) * meanBias * (2 / term3);
            }
        }
        for (int c = 0; c < d; c++) {
            if (q[c] == 0) {
                q[c] = 1e-30;
            }
        }
        return q;
    }

    /** The official cayley_dickson_property_1d, literally. */
    static double[] cayleyDickson(double[] o1, double[] o2) {
        int n = o1.length;
        if (n == 1) {
            return new double[] {o1[0] * o2[0]};
        }
        int mid = n / 2;
        double[] a = java.util.Arrays.copyOfRange(o1, 0, mid);
        double[] b = negate(java.util.Arrays.copyOfRange(o1, mid, n));
        double[] c = java.util.Arrays.copyOfRange(o2, 0, mid);
        double[] d = negate(java.util.Arrays.copyOfRange(o2, mid, n));
        double[] ris = new double[n];
        if (n == 2) {
            ris[0] = a[0] * c[0] - d[0] * b[0];
            ris[1] = a[0] * d[0] + c[0] * b[0];
            return ris;
        }
        double[] ris1 = cayleyDickson(a, c);
        double[] ris2 = cayleyDickson(d, negate(b));
        double[] ris3 = cayleyDickson(negate(a), d);
        double[] ris4 = cayleyDickson(c, b);
        for (int k = 0; k < mid; k++) {
            ris[k] = ris1[k] - ris2[k];
            ris[mid + k] = ris3[k] + ris4[k];
        }
        return ris;
    }

    /** The official "neg" factor: every entry but the first negated. */
    private static double[] negate(double[] x) {
        double[] y = x.clone();
        for (int k = 1; k < y.length; k++) {
            y[k] = -y[k];
        }
        return y;
    }

    private static int powerOfTwo(int n) {
        int p = 1;
        while (p < n) {
            p <<= 1;
        }
        return p;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }

    private static int reflect(int i, int n) {
        if (i < 0) {
            return -i;
        }
        return i >= n ? 2 * (n - 1) - i : i;
    }

    static double[][][][] image(HostTensor t) {
        long[] s = t.shape();
        double[] d = t.data();
        double[][][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
        int k = 0;
        for (double[][][] a : out) {
            for (double[][] b : a) {
                for (double[] c : b) {
                    for (int j = 0; j < c.length; j++) {
                        c[j] = d[k++];
                    }
                }
            }
        }
        return out;
    }
}
