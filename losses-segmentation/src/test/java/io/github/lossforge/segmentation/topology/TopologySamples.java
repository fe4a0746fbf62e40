package io.github.lossforge.segmentation.topology;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;
import io.github.lossforge.segmentation.DenseTask;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Inputs shared by the topology tests. */
final class TopologySamples {

    private TopologySamples() {}

    /** A per-image reference of (probabilities, ground truth, rows, cols). */
    @FunctionalInterface
    interface ImageLoss {
        double of(double[] p, double[] g, int rows, int cols);
    }

    /** One value per image; {@code logits} applies a sigmoid to predictions[0] first. */
    static Reference perImage(ImageLoss loss, boolean logits) {
        return s -> {
            HostTensor x = s.prediction(0);
            int n = x.dim(0);
            int rows = x.dim(2);
            int cols = x.dim(3);
            int size = rows * cols;
            double[] out = new double[n];
            for (int k = 0; k < n; k++) {
                double[] p = java.util.Arrays.copyOfRange(x.data(), k * size, (k + 1) * size);
                if (logits) {
                    for (int i = 0; i < size; i++) {
                        p[i] = 1 / (1 + Math.exp(-p[i]));
                    }
                }
                double[] g = java.util.Arrays.copyOfRange(s.label(0).data(), k * size, (k + 1) * size);
                out[k] = loss.of(p, g, rows, cols);
            }
            return out;
        };
    }

    /**
     * Probabilities 0.5·g + 0.5·u with u a random permutation of (k + ½)/size: every value distinct and
     * at least 0.5/size from any other, so the finite-difference steps never reorder the filtration.
     */
    static Sample sample(Random rng, int n, int rows, int cols, boolean blobs) {
        int size = rows * cols;
        double[] g = blobs ? blobs(n, rows, cols) : Generators.bernoulli(rng, 0.5, n, 1, rows, cols).data();
        double[] p = new double[n * size];
        for (int k = 0; k < n; k++) {
            List<Integer> perm = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                perm.add(i);
            }
            Collections.shuffle(perm, rng);
            for (int i = 0; i < size; i++) {
                p[k * size + i] = 0.5 * g[k * size + i] + 0.5 * (perm.get(i) + 0.5) / size;
            }
        }
        return new Sample(List.of(HostTensor.floats(g, n, 1, rows, cols)),
                List.of(HostTensor.floats(p, n, 1, rows, cols)));
    }

    /** A ring around a hole plus a separate square, shifted per image. */
    private static double[] blobs(int n, int rows, int cols) {
        double[] g = new double[n * rows * cols];
        for (int k = 0; k < n; k++) {
            int s = k % 2;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    boolean ring = i >= 1 + s && i <= 3 + s && j >= 1 && j <= 3 && !(i == 2 + s && j == 2);
                    boolean square = i >= rows - 2 && j >= cols - 3 && j < cols - 1;
                    g[(k * rows + i) * cols + j] = ring || square ? 1 : 0;
                }
            }
        }
        return g;
    }

    /** A 5×5 ring of ones around a centre of value {@code centre}, zeros outside. */
    static double[] ring(double centre) {
        double[] r = new double[25];
        for (int i = 1; i <= 3; i++) {
            for (int j = 1; j <= 3; j++) {
                r[i * 5 + j] = 1;
            }
        }
        r[12] = centre;
        return r;
    }

    static Sample single(double[] p, double[] g, int rows, int cols) {
        return new Sample(List.of(HostTensor.floats(g, 1, 1, rows, cols)),
                List.of(HostTensor.floats(p, 1, 1, rows, cols)));
    }

    static List<BadInput> cases(Random rng, String role) {
        HostTensor p = Generators.uniform(rng, 0, 1, 2, 1, 4, 5);
        HostTensor g = Generators.bernoulli(rng, 0.5, 2, 1, 4, 5);
        double[] half = g.data();
        half[3] = 0.5;
        double[] nan = g.data();
        nan[2] = Double.NaN;
        String slot = "predictions[0] (" + role + ")";
        return List.of(
                new BadInput("rank-3", new Sample(List.of(g.reshape(2, 4, 5)), List.of(p.reshape(2, 4, 5))), slot,
                        "(N, 1, H, W)"),
                new BadInput("two channels", new Sample(List.of(g.reshape(1, 2, 4, 5)), List.of(p.reshape(1, 2, 4, 5))),
                        slot, "(1, 2, 4, 5)", "one channel"),
                new BadInput("ground truth of another shape",
                        new Sample(List.of(g.reshape(2, 1, 5, 4)), List.of(p)),
                        "labels[0] (ground truth)", "(2, 1, 5, 4)"),
                new BadInput("ground truth 0.5", new Sample(List.of(g.withData(half)), List.of(p)),
                        "labels[0] (ground truth)", "0/1"),
                new BadInput("ground truth NaN", new Sample(List.of(g.withData(nan)), List.of(p)),
                        "labels[0] (ground truth)", "0/1"),
                new BadInput("missing ground truth", new Sample(List.of(), List.of(p)), "labels"),
                new BadInput("extra prediction slot", new Sample(List.of(g), List.of(p, p)), "predictions"));
    }

    /** A dense task with a sigmoid producing (2, 1, 6, 6) probabilities; the ground truth is a thresholded input. */
    static TrainingTask task() {
        return new DenseTask(1, 2, 6, 6, true, (manager, x, rng) -> {
            int b = x.length;
            float[] g = new float[b * 36];
            int k = 0;
            for (float[][][] sample : x) {
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 6; j++) {
                        g[k++] = sample[0][i][j] + sample[1][i][j] > 0 ? 1 : 0;
                    }
                }
            }
            return new NDList(manager.create(g, new Shape(b, 1, 6, 6)));
        });
    }
}
