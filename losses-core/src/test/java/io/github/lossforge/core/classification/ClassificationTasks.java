package io.github.lossforge.core.classification;

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
 * targets: the test kit's Gaussian blobs of {@code classes} classes, an MLP with {@code outputs} outputs whose
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
        TrainingTask blobs = TrainingTask.blobClassification(features, classes, batchSize);
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
                return blobs.inputShape();
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                NDList[] dataAndClasses = blobs.batch(manager, rng, step);
                long[] drawn = dataAndClasses[1].singletonOrThrow().toLongArray();
                return new NDList[] {dataAndClasses[0], labels.of(manager, drawn, rng)};
            }
        };
    }
}
