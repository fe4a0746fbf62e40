package io.github.lossforge.core.classification;

import io.github.lossforge.core.testkit.HostTensor;

/** Plain-Java float64 pieces shared by the classification references. */
final class ClassificationReferences {

    private ClassificationReferences() {}

    /** Row i of an (N, C) tensor. */
    static double[] row(HostTensor t, int i) {
        int c = t.dim(1);
        double[] r = new double[c];
        for (int k = 0; k < c; k++) {
            r[k] = t.at(i * c + k);
        }
        return r;
    }

    /** log Σ exp(x), max-shifted. */
    static double logSumExp(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - m);
        }
        return m + Math.log(s);
    }

    /** log p_y of a softmax. */
    static double logSoftmaxAt(double[] logits, int y) {
        return logits[y] - logSumExp(logits);
    }
}
