package io.github.lossforge.contrastive.face;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.github.lossforge.contrastive.EmbeddingTasks;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.Random;

/** Training tasks of the face heads: labelled embeddings plus learnable class weights. */
final class FaceTasks {

    private FaceTasks() {}

    /**
     * predictions[0] (N, D) embeddings of an MLP, predictions[1] (C, D) learnable class weights;
     * labels[0] (N) int64 classes.
     */
    static TrainingTask embeddingsWithClassWeights(int features, int classes, int batchSize, int dim) {
        TrainingTask base = EmbeddingTasks.labelledEmbeddings(features, classes, batchSize, dim);
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock().add(base.model()).add(LearnableSlots.appended(new Shape(classes, dim)));
            }

            @Override
            public Shape inputShape() {
                return base.inputShape();
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                return base.batch(manager, rng, step);
            }
        };
    }
}
