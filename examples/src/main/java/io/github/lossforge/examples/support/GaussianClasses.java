package io.github.lossforge.examples.support;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Random;

/**
 * Generated classification data: Gaussian classes around given centres, optionally seen through a
 * domain's per-feature affine map (a covariate shift).
 */
public final class GaussianClasses {

    private GaussianClasses() {
    }

    /**
     * Draws {@code n} points: a uniform class c, then x = scale ⊙ (centres[c] + ε) + offset with ε a
     * standard normal vector.
     *
     * @param m the manager of the arrays
     * @param rng the random source (class first, then the features of each point)
     * @param centres the class centres, (C, D)
     * @param n how many points
     * @param scale the domain's per-feature scale (D)
     * @param offset the domain's per-feature offset (D)
     * @return the features (n, D) as float32 and the classes (n) as int64
     */
    public static NDArray[] sample(NDManager m, Random rng, double[][] centres, int n, double[] scale,
            double[] offset) {
        int d = centres[0].length;
        float[] x = new float[n * d];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(centres.length);
            y[i] = c;
            for (int k = 0; k < d; k++) {
                x[i * d + k] = (float) (scale[k] * (centres[c][k] + rng.nextGaussian()) + offset[k]);
            }
        }
        return new NDArray[] {m.create(x, new Shape(n, d)), m.create(y, new Shape(n))};
    }

    /**
     * Draws {@code n} points of the source domain: a uniform class c, then x = centres[c] + ε.
     *
     * @param m the manager of the arrays
     * @param rng the random source
     * @param centres the class centres, (C, D)
     * @param n how many points
     * @return the features (n, D) as float32 and the classes (n) as int64
     */
    public static NDArray[] sample(NDManager m, Random rng, double[][] centres, int n) {
        double[] one = new double[centres[0].length];
        Arrays.fill(one, 1);
        return sample(m, rng, centres, n, one, new double[one.length]);
    }
}
