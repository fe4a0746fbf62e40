package io.github.lossforge.examples.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

/**
 * Generated segmentation data: each S×S image holds one ring (an annulus of random centre, outer
 * radius and width) as intensity 1 on 0, plus Gaussian noise; the ground truth is the annulus. Every
 * ground truth therefore has Betti numbers (1, 1).
 */
final class RingImages {

    static final int SIZE = 24;

    private final Random rng;
    private final double noise;

    RingImages(long seed, double noise) {
        this.rng = new Random(seed);
        this.noise = noise;
    }

    /** Noisy images (N, 1, S, S) and 0/1 ground truth (N, S, S) as int64 plus its boolean masks. */
    record Batch(NDArray images, NDArray truth, boolean[][] masks) {}

    Batch batch(NDManager m, int n) {
        int pixels = SIZE * SIZE;
        float[] images = new float[n * pixels];
        long[] truth = new long[n * pixels];
        boolean[][] masks = new boolean[n][pixels];
        for (int i = 0; i < n; i++) {
            double cy = SIZE / 2.0 + (rng.nextDouble() - 0.5) * 6;
            double cx = SIZE / 2.0 + (rng.nextDouble() - 0.5) * 6;
            double outer = 6 + rng.nextDouble() * 3;
            double inner = outer - 2.2 - rng.nextDouble();
            for (int p = 0; p < pixels; p++) {
                double d = Math.hypot(p / SIZE + 0.5 - cy, p % SIZE + 0.5 - cx);
                boolean ring = d >= inner && d <= outer;
                masks[i][p] = ring;
                truth[i * pixels + p] = ring ? 1 : 0;
                images[i * pixels + p] = (float) ((ring ? 1 : 0) + noise * rng.nextGaussian());
            }
        }
        return new Batch(m.create(images, new Shape(n, 1, SIZE, SIZE)), m.create(truth, new Shape(n, SIZE, SIZE)), masks);
    }
}
