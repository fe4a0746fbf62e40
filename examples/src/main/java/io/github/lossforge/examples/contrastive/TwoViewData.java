package io.github.lossforge.examples.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

/**
 * Generated data for self-supervised learning. Each of C latent classes has a prototype μ_c in
 * R<sup>8</sup> (standard normal); an instance is \( s = \mu_c + 0.5\,\varepsilon \). A <em>view</em> of
 * the instance is \( [s + 0.1\,\varepsilon',\ 1.5\,\nu] \) with a fresh nuisance ν in
 * R<sup>24</sup>: the nuisance dominates distances in the raw space (variance 54 against about 16
 * between classes), so nearest neighbours there are mostly wrong; the two views of an instance share
 * only s, which is what a contrastive loss teaches an encoder to keep.
 */
final class TwoViewData {

    static final int SIGNAL = 8;
    static final int NUISANCE = 24;
    static final int DIMENSIONS = SIGNAL + NUISANCE;

    private final double[][] prototypes;
    private final Random rng;

    TwoViewData(int classes, long seed) {
        this.rng = new Random(seed);
        this.prototypes = new double[classes][SIGNAL];
        for (double[] p : prototypes) {
            for (int k = 0; k < SIGNAL; k++) {
                p[k] = rng.nextGaussian();
            }
        }
    }

    /** Two views of the same N instances, row i of each. */
    record Pair(NDArray first, NDArray second) {}

    /** One view of N instances with their classes. */
    record Labelled(NDArray views, long[] classes) {}

    Pair pairs(NDManager m, int n) {
        float[] first = new float[n * DIMENSIONS];
        float[] second = new float[n * DIMENSIONS];
        for (int i = 0; i < n; i++) {
            double[] s = instance(rng.nextInt(prototypes.length));
            view(s, first, i);
            view(s, second, i);
        }
        Shape shape = new Shape(n, DIMENSIONS);
        return new Pair(m.create(first, shape), m.create(second, shape));
    }

    Labelled labelled(NDManager m, int n) {
        return labelled(m, n, 0, prototypes.length);
    }

    /** N views of instances of classes drawn uniformly from [from, to). */
    Labelled labelled(NDManager m, int n, int from, int to) {
        long[] classes = new long[n];
        for (int i = 0; i < n; i++) {
            classes[i] = from + rng.nextInt(to - from);
        }
        return new Labelled(views(m, classes), classes);
    }

    /** One view of a fresh instance of each given class, row i of class classes[i]. */
    NDArray views(NDManager m, long[] classes) {
        float[] views = new float[classes.length * DIMENSIONS];
        for (int i = 0; i < classes.length; i++) {
            view(instance((int) classes[i]), views, i);
        }
        return m.create(views, new Shape(classes.length, DIMENSIONS));
    }

    private double[] instance(int c) {
        double[] s = new double[SIGNAL];
        for (int k = 0; k < SIGNAL; k++) {
            s[k] = prototypes[c][k] + 0.5 * rng.nextGaussian();
        }
        return s;
    }

    private void view(double[] s, float[] out, int row) {
        int o = row * DIMENSIONS;
        for (int k = 0; k < SIGNAL; k++) {
            out[o + k] = (float) (s[k] + 0.1 * rng.nextGaussian());
        }
        for (int k = 0; k < NUISANCE; k++) {
            out[o + SIGNAL + k] = (float) (1.5 * rng.nextGaussian());
        }
    }
}
