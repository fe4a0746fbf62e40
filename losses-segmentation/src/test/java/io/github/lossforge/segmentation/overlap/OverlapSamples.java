package io.github.lossforge.segmentation.overlap;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract.BadInput;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;
import io.github.lossforge.segmentation.DenseTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Inputs shared by the Dice and Tversky tests: bad inputs, sample transformations, the training task. */
final class OverlapSamples {

    private OverlapSamples() {}

    static List<BadInput> cases(Random rng) {
        HostTensor logits = Generators.normal(rng, 1, 2, 3, 4, 4);
        HostTensor target = Generators.classes(rng, 3, 2, 4, 4);
        HostTensor mask = Generators.bernoulli(rng, 0.5, 2, 4, 4);
        return List.of(
                new BadInput("rank-1 logits", new Sample(List.of(target), List.of(logits.reshape(96))),
                        "predictions[0] (logits)", "(96)", "(N, C, ...)"),
                new BadInput("target with a class axis",
                        new Sample(List.of(Generators.classes(rng, 3, 2, 3, 4, 4)), List.of(logits)),
                        "labels[0] (target)", "(2, 3, 4, 4)", "(2, 4, 4)"),
                new BadInput("batch mismatch", new Sample(List.of(target.firstRows(1)), List.of(logits)),
                        "labels[0] (target)", "(1, 4, 4)", "(2, 4, 4)"),
                new BadInput("class index out of range",
                        new Sample(List.of(HostTensor.longs(classIndices(32, 3), 2, 4, 4)), List.of(logits)),
                        "labels[0] (target)", "3", "[0, 3)"),
                new BadInput("floating target",
                        new Sample(List.of(target.withType(DataType.FLOAT32)), List.of(logits)),
                        "labels[0] (target)", "int64"),
                new BadInput("binary target 2",
                        new Sample(List.of(HostTensor.longs(classIndices(32, 2), 2, 4, 4)),
                                List.of(Generators.normal(rng, 1, 2, 1, 4, 4))),
                        "labels[0] (target)", "2", "[0, 2)"),
                new BadInput("mask shape", new Sample(List.of(target, mask.reshape(2, 16)), List.of(logits)),
                        "labels[1] (mask)", "(2, 16)", "(2, 4, 4)"),
                new BadInput("mask value 2",
                        new Sample(List.of(target, mask.withData(twos(mask.size()))), List.of(logits)),
                        "labels[1] (mask)", "0 and 1"),
                new BadInput("missing target slot", new Sample(List.of(), List.of(logits)), "labels"),
                new BadInput("extra prediction slot", new Sample(List.of(target), List.of(logits, logits)),
                        "predictions"));
    }

    /** Indices 0, 1, …, max−1, max, … cycling so that {@code max} (out of range) occurs. */
    private static long[] classIndices(int n, int max) {
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = i % (max + 1);
        }
        return d;
    }

    private static double[] twos(int n) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, 2);
        return d;
    }

    /** The kept tokens of a binary (N, 1, S...) sample with a mask, as (K, 1) tokens without a mask. */
    static Sample keptOnly(Sample s) {
        List<Double> logits = new ArrayList<>();
        List<Long> target = new ArrayList<>();
        for (int t = 0; t < s.label(0).size(); t++) {
            if (s.label(1).at(t) != 0) {
                logits.add(s.prediction(0).at(t));
                target.add((long) s.label(0).at(t));
            }
        }
        return new Sample(
                List.of(HostTensor.longs(target.stream().mapToLong(Long::longValue).toArray(), target.size())),
                List.of(HostTensor.floats(logits.stream().mapToDouble(Double::doubleValue).toArray(),
                        logits.size(), 1)));
    }

    static Sample withoutMask(Sample s) {
        return new Sample(List.of(s.label(0)), s.predictions());
    }

    /** The sample with predictions[0] replaced by its sigmoid (C = 1) or softmax over axis 1. */
    static Sample asProbabilities(Sample s) {
        HostTensor x = s.prediction(0);
        long[] shape = x.shape();
        int n = (int) shape[0];
        int c = (int) shape[1];
        int spatial = x.size() / (n * c);
        double[] out = new double[x.size()];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < spatial; k++) {
                double[] row = new double[c];
                for (int cls = 0; cls < c; cls++) {
                    row[cls] = x.at((i * c + cls) * spatial + k);
                }
                double[] p = c == 1 ? new double[] {1 / (1 + Math.exp(-row[0]))} : OverlapReferences.softmax(row);
                for (int cls = 0; cls < c; cls++) {
                    out[(i * c + cls) * spatial + k] = p[cls];
                }
            }
        }
        return s.withPrediction(0, x.withData(out));
    }

    /** The dense task producing (4, C, 6, 6) logits; targets from the inputs' signs, a random 0/1 mask. */
    static TrainingTask segmentationTask(int classes) {
        return new DenseTask(classes, 4, 6, 6, false, (manager, x, rng) -> {
            int b = x.length;
            int h = x[0][0].length;
            int w = x[0][0][0].length;
            long[] target = new long[b * h * w];
            long[] mask = new long[b * h * w];
            int k = 0;
            for (float[][][] sample : x) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        int cls = (sample[0][i][j] > 0 ? 1 : 0) + (sample[1][i][j] > 0 ? 1 : 0);
                        target[k] = Math.min(cls, Math.max(classes, 2) - 1);
                        mask[k++] = rng.nextDouble() < 0.8 ? 1 : 0;
                    }
                }
            }
            Shape shape = new Shape(b, h, w);
            return new NDList(manager.create(target, shape), manager.create(mask, shape));
        });
    }
}
