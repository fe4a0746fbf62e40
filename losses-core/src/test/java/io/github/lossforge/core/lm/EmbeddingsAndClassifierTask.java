package io.github.lossforge.core.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.Random;

/**
 * A toy language-model head for the leak check: a linear projection produces the embeddings (N, D)
 * and the block also outputs its classifier weight (V, D), so the predictions are exactly the
 * slots of {@code cce}; the target of each input is the index of its largest feature.
 */
final class EmbeddingsAndClassifierTask implements TrainingTask {

    private final int features;
    private final int hidden;
    private final int vocabulary;
    private final int batchSize;

    EmbeddingsAndClassifierTask(int features, int hidden, int vocabulary, int batchSize) {
        this.features = features;
        this.hidden = hidden;
        this.vocabulary = vocabulary;
        this.batchSize = batchSize;
    }

    @Override
    public Block model() {
        return new Head(hidden, vocabulary);
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
            int best = 0;
            for (int f = 0; f < features; f++) {
                x[i * features + f] = (float) rng.nextGaussian();
                if (x[i * features + f] > x[i * features + best]) {
                    best = f;
                }
            }
            y[i] = best % vocabulary;
        }
        NDArray data = manager.create(x, new Shape(batchSize, features));
        NDArray labels = manager.create(y, new Shape(batchSize)).toType(DataType.INT64, false);
        return new NDList[] {new NDList(data), new NDList(labels)};
    }

    /** Linear(D) embeddings plus a (V, D) classifier parameter, both returned. */
    private static final class Head extends AbstractBlock {
        private final int hidden;
        private final int vocabulary;
        private final Block projection;
        private final Parameter classifier;

        Head(int hidden, int vocabulary) {
            this.hidden = hidden;
            this.vocabulary = vocabulary;
            this.projection = addChildBlock("projection", Linear.builder().setUnits(hidden).build());
            this.classifier = addParameter(Parameter.builder()
                    .setName("classifier")
                    .setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(vocabulary, hidden))
                    .build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray embeddings = projection.forward(store, inputs, training).singletonOrThrow();
            NDArray weight = store.getValue(classifier, embeddings.getDevice(), training);
            return new NDList(embeddings, weight);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), hidden), new Shape(vocabulary, hidden)};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            projection.initialize(manager, dataType, inputShapes[0]);
        }
    }
}
