package io.github.lossforge.contrastive.mixup;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

/**
 * The mixup helper of Metrix: draws mixing pairs with weights \( \lambda \sim \mathrm{Beta}(\alpha,
 * \alpha) \) and mixes any batch tensor along its leading axis, \( \tilde x_j = \lambda_j x_{A_j} +
 * (1-\lambda_j) x_{B_j} \), so the same call mixes inputs (N, …), intermediate features (N, …) or
 * embeddings (N, D). The mixed rows and the pairs then feed {@link MetrixLoss} (labels[1..3]).
 *
 * <p>Defaults: α = 2 (the official code's {@code mixup_data}); partners A and B are distinct clean
 * examples when N &gt; 1. Deliberate difference: the official code builds (positive, negative) and
 * (anchor, negative) pairs with a hardest-negative choice; {@link #pairs} draws uniform pairs, and a
 * caller wanting mined pairs passes its own indices to {@link #mix}.
 *
 * <p>Paper: Venkataramanan et al., "It Takes Two to Tango: Mixup for Deep Metric Learning", ICLR
 * 2022, arXiv 2106.04990.
 */
public final class Mixup {

    /** Default Beta concentration α. */
    public static final double DEFAULT_ALPHA = 2.0;

    private Mixup() {}

    /**
     * Mixing pairs: partner indices into the clean batch and the weight of partner A.
     *
     * @param a partner A indices (M)
     * @param b partner B indices (M)
     * @param lambda weights in [0, 1] (M)
     */
    public record Pairs(long[] a, long[] b, double[] lambda) {

        /**
         * Checks the three arrays.
         *
         * @param a partner A indices
         * @param b partner B indices
         * @param lambda weights
         */
        public Pairs {
            if (a.length != b.length || a.length != lambda.length) {
                throw new IllegalArgumentException("mixup pairs: a, b and lambda must have one length, got "
                        + a.length + ", " + b.length + ", " + lambda.length);
            }
            for (double l : lambda) {
                if (!(l >= 0 && l <= 1)) {
                    throw new IllegalArgumentException("mixup pairs: lambda must lie in [0, 1], got " + l);
                }
            }
            a = a.clone();
            b = b.clone();
            lambda = lambda.clone();
        }

        /**
         * The labels slots 1..3 of {@link MetrixLoss} after the given classes: (classes, A, B, λ).
         *
         * @param classes clean class labels (N)
         * @param type the floating dtype of λ
         * @return the four label arrays
         */
        public NDList labels(NDArray classes, DataType type) {
            NDManager m = classes.getManager();
            Shape shape = new Shape(a.length);
            return new NDList(classes, m.create(a, shape), m.create(b, shape),
                    m.create(lambda, shape).toType(type, false));
        }
    }

    /**
     * One draw of \( \mathrm{Beta}(\alpha, \alpha) \) from two Gamma(α) variates.
     *
     * @param rng the generator
     * @param alpha &gt; 0
     * @return a value in [0, 1]
     */
    public static double sampleBeta(Random rng, double alpha) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("mixup: alpha must be a finite number > 0, got " + alpha);
        }
        double x = sampleGamma(rng, alpha);
        double y = sampleGamma(rng, alpha);
        double sum = x + y;
        return sum > 0 ? x / sum : (rng.nextBoolean() ? 1.0 : 0.0);
    }

    /** Marsaglia and Tsang's Gamma(k, 1) sampler, boosted by U^{1/k} for k &lt; 1. */
    private static double sampleGamma(Random rng, double k) {
        if (k < 1) {
            return sampleGamma(rng, k + 1) * Math.pow(rng.nextDouble(), 1 / k);
        }
        double d = k - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rng.nextGaussian();
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }

    /**
     * Draws M mixing pairs over a clean batch of N: uniform partners (distinct when N &gt; 1) and
     * Beta(α, α) weights.
     *
     * @param rng the generator
     * @param n clean batch size N ≥ 1
     * @param m number of mixed examples M ≥ 0
     * @param alpha Beta concentration (default {@link #DEFAULT_ALPHA})
     * @return the pairs
     */
    public static Pairs pairs(Random rng, int n, int m, double alpha) {
        if (n < 1 || m < 0) {
            throw new IllegalArgumentException("mixup: need n >= 1 and m >= 0, got n = " + n + ", m = " + m);
        }
        long[] a = new long[m];
        long[] b = new long[m];
        double[] lambda = new double[m];
        for (int j = 0; j < m; j++) {
            a[j] = rng.nextInt(n);
            b[j] = n == 1 ? a[j] : (a[j] + 1 + rng.nextInt(n - 1)) % n;
            lambda[j] = sampleBeta(rng, alpha);
        }
        return new Pairs(a, b, lambda);
    }

    /**
     * Mixes the rows of x: \( \lambda_j x_{A_j} + (1-\lambda_j) x_{B_j} \), differentiable in x.
     *
     * @param x (N, …) inputs, features or embeddings
     * @param pairs the pairs (indices in [0, N))
     * @return (M, …) mixed rows in x's dtype
     */
    public static NDArray mix(NDArray x, Pairs pairs) {
        long n = x.getShape().get(0);
        for (int j = 0; j < pairs.a().length; j++) {
            if (pairs.a()[j] < 0 || pairs.a()[j] >= n || pairs.b()[j] < 0 || pairs.b()[j] >= n) {
                throw new IllegalArgumentException("mixup: pair " + j + " = (" + pairs.a()[j] + ", " + pairs.b()[j]
                        + ") is out of the batch [0, " + n + ")");
            }
        }
        NDManager m = x.getManager();
        Shape shape = new Shape(pairs.a().length);
        NDArray a = m.create(pairs.a(), shape);
        NDArray b = m.create(pairs.b(), shape);
        long[] broadcast = new long[x.getShape().dimension()];
        java.util.Arrays.fill(broadcast, 1);
        broadcast[0] = pairs.a().length;
        NDArray lambda = m.create(pairs.lambda(), shape).toType(x.getDataType(), false).reshape(new Shape(broadcast));
        return x.get(a).mul(lambda).add(x.get(b).mul(lambda.onesLike().sub(lambda)));
    }
}
