package io.github.lossforge.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.Random;

/**
 * A dense training task for the leak check: a 3×3 convolution, a ReLU and a 1×1 convolution map
 * generated (B, 2, H, W) inputs to (B, C, H, W) maps (optionally through a sigmoid); the labels
 * are generated from the inputs by a {@link Labeler}.
 */
public final class DenseTask implements TrainingTask {

    /** Makes the label slots of one batch. */
    @FunctionalInterface
    public interface Labeler {
        /**
         * The label slots for generated inputs.
         *
         * @param manager the batch manager
         * @param input the (B, 2, H, W) inputs, row-major
         * @param rng the generator
         * @return the label slots
         */
        NDList labels(NDManager manager, float[][][][] input, Random rng);
    }

    private final int channels;
    private final int batch;
    private final int height;
    private final int width;
    private final boolean sigmoid;
    private final Labeler labeler;

    /**
     * Creates the task.
     *
     * @param channels output channels C
     * @param batch B
     * @param height H
     * @param width W
     * @param sigmoid whether the model ends with a sigmoid (probability maps)
     * @param labeler makes the labels
     */
    public DenseTask(int channels, int batch, int height, int width, boolean sigmoid, Labeler labeler) {
        this.channels = channels;
        this.batch = batch;
        this.height = height;
        this.width = width;
        this.sigmoid = sigmoid;
        this.labeler = labeler;
    }

    @Override
    public Block model() {
        // A hidden layer: with a single conv, softmax-based losses give gradients that sum to exactly
        // zero over the parameters (Σ_c ∂L/∂z_c = 0), which DJL's Trainer takes for a missing backward.
        SequentialBlock block = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(4).build())
                .add(Activation::relu)
                .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(channels).build());
        if (sigmoid) {
            block.add(Activation::sigmoid);
        }
        return block;
    }

    @Override
    public Shape inputShape() {
        return new Shape(batch, 2, height, width);
    }

    @Override
    public NDList[] batch(NDManager manager, Random rng, int step) {
        float[][][][] x = new float[batch][2][height][width];
        float[] flat = new float[batch * 2 * height * width];
        int k = 0;
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < height; i++) {
                    for (int j = 0; j < width; j++) {
                        x[b][c][i][j] = (float) rng.nextGaussian();
                        flat[k++] = x[b][c][i][j];
                    }
                }
            }
        }
        NDArray data = manager.create(flat, new Shape(batch, 2, height, width));
        return new NDList[] {new NDList(data), labeler.labels(manager, x, rng)};
    }
}
