package io.github.lossforge.examples.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

/**
 * Generated segmentation data: each S×S image holds one ring (an annulus of random centre, outer
 * radius and width, scaled with S) as intensity 1 on 0, plus Gaussian noise; the ground truth is the
 * annulus. Every ground truth therefore has Betti numbers (1, 1).
 */
final class RingImages {

    /** The side of the segmentation example's images. */
    static final int SIZE = 24;

    private final Random rng;
    private final double noise;
    private final int size;

    RingImages(long seed, double noise) {
        this(seed, noise, SIZE);
    }

    RingImages(long seed, double noise, int size) {
        this.rng = new Random(seed);
        this.noise = noise;
        this.size = size;
    }

    /**
     * Noisy images (N, 1, S, S), the 0/1 ground truth (N, S, S) as int64, the same as float32 images
     * (N, 1, S, S), and as boolean masks.
     */
    record Batch(NDArray images, NDArray truth, NDArray clean, boolean[][] masks) {}

    Batch batch(NDManager m, int n) {
        int pixels = size * size;
        double scale = size / (double) SIZE;
        float[] images = new float[n * pixels];
        long[] truth = new long[n * pixels];
        boolean[][] masks = new boolean[n][pixels];
        for (int i = 0; i < n; i++) {
            double cy = size / 2.0 + (rng.nextDouble() - 0.5) * 6 * scale;
            double cx = size / 2.0 + (rng.nextDouble() - 0.5) * 6 * scale;
            double outer = (6 + rng.nextDouble() * 3) * scale;
            double inner = outer - (2.2 + rng.nextDouble()) * scale;
            for (int p = 0; p < pixels; p++) {
                double d = Math.hypot(p / size + 0.5 - cy, p % size + 0.5 - cx);
                boolean ring = d >= inner && d <= outer;
                masks[i][p] = ring;
                truth[i * pixels + p] = ring ? 1 : 0;
                images[i * pixels + p] = (float) ((ring ? 1 : 0) + noise * rng.nextGaussian());
            }
        }
        NDArray truthArray = m.create(truth, new Shape(n, size, size));
        return new Batch(m.create(images, new Shape(n, 1, size, size)), truthArray,
                truthArray.toType(DataType.FLOAT32, false).reshape(n, 1, size, size), masks);
    }
}
