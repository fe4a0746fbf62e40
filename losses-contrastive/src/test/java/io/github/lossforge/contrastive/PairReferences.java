package io.github.lossforge.contrastive;

import io.github.lossforge.core.testkit.HostTensor;

/** Plain-Java float64 building blocks of the pair-loss references: explicit loops, no engine. */
public final class PairReferences {

    private PairReferences() {}

    /**
     * Row i of a 2-D tensor.
     *
     * @param t (N, D)
     * @param i the row
     * @return the row
     */
    public static double[] row(HostTensor t, int i) {
        int d = t.dim(1);
        double[] r = new double[d];
        for (int j = 0; j < d; j++) {
            r[j] = t.at(i * d + j);
        }
        return r;
    }

    /**
     * All rows, optionally scaled to unit norm (x / max(‖x‖, 1e-12)).
     *
     * @param t (N, D)
     * @param normalize whether to normalise
     * @return the rows
     */
    public static double[][] rows(HostTensor t, boolean normalize) {
        double[][] out = new double[t.dim(0)][];
        for (int i = 0; i < out.length; i++) {
            double[] r = row(t, i);
            if (normalize) {
                double norm = Math.max(Math.sqrt(dot(r, r)), 1e-12);
                for (int j = 0; j < r.length; j++) {
                    r[j] /= norm;
                }
            }
            out[i] = r;
        }
        return out;
    }

    /**
     * The dot product.
     *
     * @param a a vector
     * @param b a vector of the same length
     * @return Σ a_i b_i
     */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * The Euclidean distance.
     *
     * @param a a vector
     * @param b a vector of the same length
     * @return ‖a − b‖
     */
    public static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /**
     * log Σ e^{x_i} over the entries with {@code use[i]} (−∞ when none), max-shifted.
     *
     * @param x values
     * @param use which entries count
     * @return the log-sum-exp
     */
    public static double logSumExp(double[] x, boolean[] use) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            if (use[i]) {
                max = Math.max(max, x[i]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            if (use[i]) {
                s += Math.exp(x[i] - max);
            }
        }
        return max + Math.log(s);
    }

    /**
     * log Σ e^{x_i} over all entries.
     *
     * @param x values
     * @return the log-sum-exp
     */
    public static double logSumExp(double[] x) {
        boolean[] all = new boolean[x.length];
        java.util.Arrays.fill(all, true);
        return logSumExp(x, all);
    }

    /**
     * log(1 + Σ_{i: use[i]} e^{x_i}), stable.
     *
     * @param x values
     * @param use which entries count
     * @return the value, 0 when none counts
     */
    public static double logOnePlusSumExp(double[] x, boolean[] use) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            if (use[i]) {
                max = Math.max(max, x[i]);
            }
        }
        double s = Math.exp(-max);
        for (int i = 0; i < x.length; i++) {
            if (use[i]) {
                s += Math.exp(x[i] - max);
            }
        }
        return max + Math.log(s);
    }
}
