package io.github.lossforge.core.classification;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.Random;
import java.util.function.Function;

/**
 * Training tasks for the leak check of losses whose slots are not plain (N, C) logits and (N)
 * targets: Gaussian blobs of {@code classes} classes, an MLP with {@code outputs} outputs whose
 * result is split into prediction slots, and labels built from the drawn classes.
 */
final class ClassificationTasks {

    /** Builds the label slots of one batch from the drawn classes. */
    @FunctionalInterface
    interface Labels {
        NDList of(NDManager manager, long[] classes, Random rng);
    }

    private ClassificationTasks() {}

    static TrainingTask blobs(int features, int classes, int batchSize, int outputs,
            Function<NDList, NDList> split, Labels labels) {
        double[][] means = new double[classes][features];
        Random r = new Random(7);
        for (int c = 0; c < classes; c++) {
            for (int f = 0; f < features; f++) {
                means[c][f] = 2 * r.nextGaussian();
            }
        }
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(16).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(outputs).build())
                        .add(split);
            }

            @Override
            public Shape inputShape() {
                return new Shape(batchSize, features);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[batchSize * features];
                long[] y = new long[batchSize];
                for (int i = 0; i < batchSize; i++) {
                    int c = rng.nextInt(classes);
                    y[i] = c;
                    for (int f = 0; f < features; f++) {
                        x[i * features + f] = (float) (means[c][f] + 0.5 * rng.nextGaussian());
                    }
                }
                NDArray data = manager.create(x, new Shape(batchSize, features));
                return new NDList[] {new NDList(data), labels.of(manager, y, rng)};
            }
        };
    }

    /** Columns [from, to) of the single output, as one slot. */
    static NDList columns(NDList out, long from, long to) {
        return new NDList(out.singletonOrThrow().get(":, {}:{}", from, to));
    }
}
