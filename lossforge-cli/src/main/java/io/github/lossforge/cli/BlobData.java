package io.github.lossforge.cli;

import java.util.Random;

/**
 * A Gaussian-blob classification set generated in-process: the class centres sit evenly on a
 * circle of radius 5 in the first two feature dimensions (further dimensions are pure noise), and
 * samples add unit-variance noise, so a small MLP can separate them almost perfectly.
 */
final class BlobData {

    final float[] features;
    final long[] labels;
    final int size;
    final int dimensions;

    private BlobData(float[] features, long[] labels, int size, int dimensions) {
        this.features = features;
        this.labels = labels;
        this.size = size;
        this.dimensions = dimensions;
    }

    /**
     * Draws a train and a test split from the same blobs.
     *
     * @param classes number of classes
     * @param dimensions feature dimensions
     * @param train training samples
     * @param test test samples
     * @param seed the seed
     * @return {train, test}
     */
    static BlobData[] trainAndTest(int classes, int dimensions, int train, int test, long seed) {
        Random rng = new Random(seed);
        double[][] centres = new double[classes][dimensions];
        for (int c = 0; c < classes; c++) {
            double angle = 2 * Math.PI * c / classes;
            centres[c][0] = 5 * Math.cos(angle);
            centres[c][1] = 5 * Math.sin(angle);
        }
        return new BlobData[] {draw(centres, train, rng), draw(centres, test, rng)};
    }

    private static BlobData draw(double[][] centres, int n, Random rng) {
        int dims = centres[0].length;
        float[] x = new float[n * dims];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(centres.length);
            y[i] = c;
            for (int d = 0; d < dims; d++) {
                x[i * dims + d] = (float) (centres[c][d] + rng.nextGaussian());
            }
        }
        return new BlobData(x, y, n, dims);
    }
}
