package io.github.lossforge.core.lm;

import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.HostTensor;

/**
 * The materialised composition, in plain double loops: every logit of every position, its
 * softmax, the token loss, and the gradients of the reduced loss with respect to E, C and b by the
 * chain rule. Written independently of the kernel (no engine call).
 */
final class NaiveLinearCrossEntropy {

    /** The options the reference follows. */
    record Options(double softcap, int shift, double labelSmoothing, double zLossScale, long ignoreIndex) {
        static Options defaults() {
            return new Options(0, 0, 0, 0, CutCrossEntropyLoss.DEFAULT_IGNORE_INDEX);
        }
    }

    /** Values per output position (0 where ignored), kept flags, and the gradients. */
    record Result(double[] values, boolean[] kept, double[] dE, double[] dC, double[] dBias,
            double[][] rawGradient, double[] upstream) {

        int keptCount() {
            int k = 0;
            for (boolean b : kept) {
                k += b ? 1 : 0;
            }
            return k;
        }

        double reduced(Reduction reduction) {
            double s = 0;
            for (double x : values) {
                s += x;
            }
            if (reduction == Reduction.MEAN) {
                int k = keptCount();
                return k == 0 ? 0 : s / k;
            }
            return s;
        }
    }

    private NaiveLinearCrossEntropy() {}

    /**
     * Computes the reference.
     *
     * @param o the options
     * @param e embeddings (N, D) or (B, T, D)
     * @param c classifier (V, D)
     * @param bias (V) or null
     * @param targets (N) or (B, T)
     * @param reduction how the gradient's upstream weights are set (none: 1 per kept position)
     * @return values, gradients
     */
    static Result compute(Options o, HostTensor e, HostTensor c, HostTensor bias, HostTensor targets,
            Reduction reduction) {
        long[] shape = e.shape();
        int rank = shape.length;
        int batches = rank == 3 ? (int) shape[0] : 1;
        int seq = (int) shape[rank - 2];
        int d = (int) shape[rank - 1];
        int v = c.dim(0);
        int outSeq = seq - o.shift();
        int positions = batches * outSeq;
        double[] values = new double[positions];
        boolean[] kept = new boolean[positions];
        int[] row = new int[positions];
        int[] target = new int[positions];
        for (int b = 0; b < batches; b++) {
            for (int t = 0; t < outSeq; t++) {
                int p = b * outSeq + t;
                row[p] = b * seq + t;
                long y = (long) targets.at(b * seq + t + o.shift());
                kept[p] = y != o.ignoreIndex();
                target[p] = kept[p] ? (int) y : -1;
            }
        }
        int keptCount = 0;
        for (boolean k : kept) {
            keptCount += k ? 1 : 0;
        }
        double[] upstream = new double[positions];
        for (int p = 0; p < positions; p++) {
            if (kept[p]) {
                upstream[p] = reduction == Reduction.MEAN ? 1.0 / keptCount : 1.0;
            }
        }
        double[] dE = new double[e.size()];
        double[] dC = new double[c.size()];
        double[] dBias = new double[v];
        double[][] rawGradient = new double[positions][];
        double eps = o.labelSmoothing();
        for (int p = 0; p < positions; p++) {
            if (!kept[p]) {
                continue;
            }
            double[] z = new double[v];
            double[] capSlope = new double[v];
            for (int k = 0; k < v; k++) {
                double raw = bias == null ? 0 : bias.at(k);
                for (int j = 0; j < d; j++) {
                    raw += e.at(row[p] * d + j) * c.at(k * d + j);
                }
                if (o.softcap() > 0) {
                    double th = Math.tanh(raw / o.softcap());
                    z[k] = o.softcap() * th;
                    capSlope[k] = 1 - th * th;
                } else {
                    z[k] = raw;
                    capSlope[k] = 1;
                }
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double x : z) {
                max = Math.max(max, x);
            }
            double sumExp = 0;
            double sumZ = 0;
            for (double x : z) {
                sumExp += Math.exp(x - max);
                sumZ += x;
            }
            double lse = max + Math.log(sumExp);
            int y = target[p];
            values[p] = lse - (1 - eps) * z[y] - eps / v * sumZ + o.zLossScale() * lse * lse;
            double[] g = new double[v];
            for (int k = 0; k < v; k++) {
                double prob = Math.exp(z[k] - lse);
                double dz = prob * (1 + 2 * o.zLossScale() * lse) - (k == y ? 1 - eps : 0) - eps / v;
                g[k] = dz * capSlope[k];
            }
            rawGradient[p] = g;
            double u = upstream[p];
            for (int k = 0; k < v; k++) {
                for (int j = 0; j < d; j++) {
                    dE[row[p] * d + j] += u * g[k] * c.at(k * d + j);
                    dC[k * d + j] += u * g[k] * e.at(row[p] * d + j);
                }
                dBias[k] += u * g[k];
            }
        }
        return new Result(values, kept, dE, dC, dBias, rawGradient, upstream);
    }
}
