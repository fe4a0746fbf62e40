package io.github.lossforge.core.testkit;

import java.util.Random;

/** Seeded random inputs for loss tests. */
public final class Generators {

    private Generators() {}

    /**
     * Normal(0, scale²) values.
     *
     * @param rng the generator
     * @param scale the standard deviation
     * @param shape the shape
     * @return the tensor
     */
    public static HostTensor normal(Random rng, double scale, long... shape) {
        double[] d = new double[count(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = scale * rng.nextGaussian();
        }
        return HostTensor.floats(d, shape);
    }

    /**
     * Uniform values in [low, high).
     *
     * @param rng the generator
     * @param low the lower bound
     * @param high the upper bound
     * @param shape the shape
     * @return the tensor
     */
    public static HostTensor uniform(Random rng, double low, double high, long... shape) {
        double[] d = new double[count(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = low + (high - low) * rng.nextDouble();
        }
        return HostTensor.floats(d, shape);
    }

    /**
     * Class indices uniform in [0, classes).
     *
     * @param rng the generator
     * @param classes the number of classes
     * @param shape the shape
     * @return an int64 tensor
     */
    public static HostTensor classes(Random rng, int classes, long... shape) {
        long[] d = new long[count(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextInt(classes);
        }
        return HostTensor.longs(d, shape);
    }

    /**
     * 0/1 values with the given probability of 1.
     *
     * @param rng the generator
     * @param p the probability of 1
     * @param shape the shape
     * @return a floating tensor of 0/1
     */
    public static HostTensor bernoulli(Random rng, double p, long... shape) {
        double[] d = new double[count(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextDouble() < p ? 1 : 0;
        }
        return HostTensor.floats(d, shape);
    }

    private static int count(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return (int) n;
    }
}
