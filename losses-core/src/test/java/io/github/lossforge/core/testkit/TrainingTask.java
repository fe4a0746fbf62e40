package io.github.lossforge.core.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import java.util.Random;

/**
 * A small supervised problem a loss can be trained on: a model, its input shape, and a stream of
 * (data, labels) batches. The default is Gaussian-blob classification with an MLP producing (N, C)
 * logits and int64 class targets (N).
 */
public interface TrainingTask {

    /**
     * A fresh model.
     *
     * @return the block
     */
    Block model();

    /**
     * The input shape the trainer is initialised with.
     *
     * @return the shape
     */
    Shape inputShape();

    /**
     * One batch of input data.
     *
     * @param manager the batch manager
     * @param rng the generator
     * @param step the step number
     * @return the data and labels, in that order
     */
    NDList[] batch(NDManager manager, Random rng, int step);

    /**
     * Gaussian-blob classification: class c has its mean at a fixed random point, the labels are
     * int64 class indices, the model is Linear(16) → ReLU → Linear(C).
     *
     * @param features input features
     * @param classes classes
     * @param batchSize samples per batch
     * @return the task
     */
    static TrainingTask blobClassification(int features, int classes, int batchSize) {
        return new TrainingTask() {
            private final double[][] means = blobMeans(features, classes);

            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(16).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(classes).build());
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
                NDArray labels = manager.create(y, new Shape(batchSize)).toType(DataType.INT64, false);
                return new NDList[] {new NDList(data), new NDList(labels)};
            }
        };
    }

    private static double[][] blobMeans(int features, int classes) {
        Random r = new Random(7);
        double[][] m = new double[classes][features];
        for (int c = 0; c < classes; c++) {
            for (int f = 0; f < features; f++) {
                m[c][f] = 2 * r.nextGaussian();
            }
        }
        return m;
    }
}
