package io.github.lossforge.segmentation.overlap;

import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;

/**
 * Plain float64 Dice and Tversky, written from the paper's formulas: tokens are read from
 * (N, C, S...) with explicit index arithmetic, each fraction is {@code 1 − (num + s)/(den + s)}.
 */
final class OverlapReferences {

    private OverlapReferences() {}

    /** Probabilities, targets and keep flags per token. */
    record Tokens(double[][] p, int[] y, boolean[] keep) {
        int count() {
            return y.length;
        }

        int kept() {
            int k = 0;
            for (boolean b : keep) {
                k += b ? 1 : 0;
            }
            return k;
        }
    }

    static Tokens tokens(Sample s, boolean fromLogits) {
        HostTensor x = s.prediction(0);
        long[] shape = x.shape();
        int n = (int) shape[0];
        int c = (int) shape[1];
        int spatial = x.size() / (n * c);
        int t = n * spatial;
        double[][] p = new double[t][c];
        int[] y = new int[t];
        boolean[] keep = new boolean[t];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < spatial; k++) {
                int token = i * spatial + k;
                double[] row = new double[c];
                for (int cls = 0; cls < c; cls++) {
                    row[cls] = x.at((i * c + cls) * spatial + k);
                }
                p[token] = fromLogits ? (c == 1 ? new double[] {1 / (1 + Math.exp(-row[0]))} : softmax(row)) : row;
                y[token] = s.label(0).index(token);
                keep[token] = s.labels().size() < 2 || s.label(1).at(token) != 0;
            }
        }
        return new Tokens(p, y, keep);
    }

    static double[] softmax(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        double z = 0;
        double[] e = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            e[i] = Math.exp(row[i] - max);
            z += e[i];
        }
        for (int i = 0; i < row.length; i++) {
            e[i] /= z;
        }
        return e;
    }

    /** One (self-adjusted) Dice fraction term 1 − (2p̃y + s)/(p̃ + y + s), squares when asked. */
    static double diceTerm(double p, double y, double alpha, double smooth, boolean square) {
        double pt = Math.pow(1 - p, alpha) * p;
        double den = square ? pt * pt + y * y : pt + y;
        return 1 - (2 * pt * y + smooth) / (den + smooth);
    }

    /** Per-token Dice values (0 where masked), summed over classes, the binary path for C = 1. */
    static double[] diceTokenwise(Sample s, double alpha, double smooth, boolean square, boolean fromLogits) {
        Tokens tk = tokens(s, fromLogits);
        double[] out = new double[tk.count()];
        for (int t = 0; t < out.length; t++) {
            if (!tk.keep()[t]) {
                continue;
            }
            double[] p = tk.p()[t];
            if (p.length == 1) {
                out[t] = diceTerm(p[0], tk.y()[t], alpha, smooth, square);
            } else {
                for (int c = 0; c < p.length; c++) {
                    out[t] += diceTerm(p[c], tk.y()[t] == c ? 1 : 0, alpha, smooth, square);
                }
            }
        }
        return out;
    }

    /** The set-level binary Dice over every kept element of the batch. */
    static double diceSetLevel(Sample s, double alpha, double smooth, boolean square, boolean fromLogits) {
        Tokens tk = tokens(s, fromLogits);
        double overlap = 0;
        double predicted = 0;
        double target = 0;
        for (int t = 0; t < tk.count(); t++) {
            if (!tk.keep()[t]) {
                continue;
            }
            double p = tk.p()[t][0];
            double pt = Math.pow(1 - p, alpha) * p;
            double y = tk.y()[t];
            overlap += pt * y;
            predicted += square ? pt * pt : pt;
            target += square ? y * y : y;
        }
        return 1 - (2 * overlap + smooth) / (predicted + target + smooth);
    }

    /** One Tversky term 1 − (py + s)/(py + α p(1−y) + β(1−p)y + s). */
    static double tverskyTerm(double p, double y, double alpha, double beta, double smooth) {
        return 1 - (p * y + smooth) / (p * y + alpha * p * (1 - y) + beta * (1 - p) * y + smooth);
    }

    static double[] tverskyTokenwise(Sample s, double alpha, double beta, double smooth, boolean fromLogits) {
        Tokens tk = tokens(s, fromLogits);
        double[] out = new double[tk.count()];
        for (int t = 0; t < out.length; t++) {
            if (tk.keep()[t]) {
                double[] p = tk.p()[t];
                for (int c = 0; c < p.length; c++) {
                    out[t] += tverskyTerm(p[c], tk.y()[t] == c ? 1 : 0, alpha, beta, smooth);
                }
            }
        }
        return out;
    }

    static double tverskySetLevel(Sample s, double alpha, double beta, double smooth, boolean fromLogits) {
        Tokens tk = tokens(s, fromLogits);
        double tp = 0;
        double fp = 0;
        double fn = 0;
        for (int t = 0; t < tk.count(); t++) {
            if (tk.keep()[t]) {
                double p = tk.p()[t][0];
                double y = tk.y()[t];
                tp += p * y;
                fp += p * (1 - y);
                fn += (1 - p) * y;
            }
        }
        return 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth);
    }

    /** The (numerator, denominator) contribution of one position and class to a region fraction. */
    @FunctionalInterface
    interface RegionTerm {
        double[] of(double p, double target);
    }

    /** Dice: 2p̃t over p̃ + t (p̃² + t² when squared). */
    static RegionTerm diceRegion(double alpha, boolean square) {
        return (p, t) -> {
            double pt = Math.pow(1 - p, alpha) * p;
            return new double[] {2 * pt * t, square ? pt * pt + t * t : pt + t};
        };
    }

    /** Tversky: TP over TP + α FP + β FN. */
    static RegionTerm tverskyRegion(double alpha, double beta) {
        return (p, t) -> new double[] {p * t, p * t + alpha * p * (1 - t) + beta * (1 - p) * t};
    }

    /**
     * Region fractions 1 − (Σnum + s)/(Σden + s) per group and included class, the sums running over
     * the group's kept positions: a group is one image (perImage) or the whole batch. 0/0 reads 0.
     */
    static double[][] regions(Sample s, boolean perImage, boolean includeBackground, RegionTerm term, double smooth) {
        Tokens tk = tokens(s, true);
        int n = (int) s.prediction(0).shape()[0];
        int positions = tk.count() / n;
        int classes = tk.p()[0].length;
        int first = classes > 1 && !includeBackground ? 1 : 0;
        int groups = perImage ? n : 1;
        double[][] out = new double[groups][classes - first];
        for (int g = 0; g < groups; g++) {
            int from = perImage ? g * positions : 0;
            int to = perImage ? from + positions : tk.count();
            for (int c = first; c < classes; c++) {
                double num = 0;
                double den = 0;
                for (int t = from; t < to; t++) {
                    if (tk.keep()[t]) {
                        double target = classes == 1 ? tk.y()[t] : tk.y()[t] == c ? 1 : 0;
                        double[] nd = term.of(tk.p()[t][c], target);
                        num += nd[0];
                        den += nd[1];
                    }
                }
                out[g][c - first] = den + smooth == 0 ? 0 : 1 - (num + smooth) / (den + smooth);
            }
        }
        return out;
    }

    /** Whether each image has a kept position. */
    static boolean[] imagesKept(Sample s) {
        Tokens tk = tokens(s, true);
        int n = (int) s.prediction(0).shape()[0];
        int positions = tk.count() / n;
        boolean[] kept = new boolean[n];
        for (int t = 0; t < tk.count(); t++) {
            kept[t / positions] |= tk.keep()[t];
        }
        return kept;
    }

    /** {@code image}: per image the mean over included classes; the mean over images with a kept position. */
    static Reference imageRegions(boolean includeBackground, RegionTerm term, double smooth) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                double[][] r = regions(s, true, includeBackground, term, smooth);
                double[] out = new double[r.length];
                for (int i = 0; i < r.length; i++) {
                    for (double v : r[i]) {
                        out[i] += v / r[i].length;
                    }
                }
                return out;
            }

            @Override
            public double mean(Sample s) {
                double[] v = perSample(s);
                boolean[] kept = imagesKept(s);
                double total = 0;
                int count = 0;
                for (int i = 0; i < v.length; i++) {
                    if (kept[i]) {
                        total += v[i];
                        count++;
                    }
                }
                return count == 0 ? 0 : total / count;
            }
        };
    }

    /** {@code batch}: the mean over included classes of the whole-batch fractions. */
    static double batchRegions(Sample s, boolean includeBackground, RegionTerm term, double smooth) {
        double[] r = regions(s, false, includeBackground, term, smooth)[0];
        double total = 0;
        for (double v : r) {
            total += v;
        }
        return total / r.length;
    }

    /** A token-wise reference whose mean divides by the number of kept tokens. */
    static Reference tokenwise(java.util.function.Function<Sample, double[]> values, boolean fromLogits) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                return values.apply(s);
            }

            @Override
            public double mean(Sample s) {
                int kept = tokens(s, fromLogits).kept();
                return kept == 0 ? 0 : sum(s) / kept;
            }
        };
    }
}
