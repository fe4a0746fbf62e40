package io.github.lossforge.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.testkit.TrainingTask;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Leak-check tasks for attention losses: a latent (B, H·W, D) goes through a linear "cross-attention"
 * layer and a softmax over T tokens, giving attention probabilities; the task reshapes them into
 * what the loss takes. Labels are generated per batch.
 */
final class AttentionTask implements TrainingTask {

    static final int SIDE = 4;
    static final int PIXELS = SIDE * SIDE;
    static final int DIM = 6;
    static final int TOKENS = 5;
    static final int BATCH = 3;

    private final Function<NDArray, NDList> shaping;
    private final boolean withSelfAttention;
    private final LabelMaker labels;

    /** Makes one batch's labels. */
    interface LabelMaker {
        NDList make(NDManager manager, Random rng);
    }

    private AttentionTask(Function<NDArray, NDList> shaping, boolean withSelfAttention, LabelMaker labels) {
        this.shaping = shaping;
        this.withSelfAttention = withSelfAttention;
        this.labels = labels;
    }

    /** Concept maps (B, K, H, W) of tokens 1..K, with the given labels. */
    static AttentionTask conceptMaps(int k, LabelMaker labels) {
        return new AttentionTask(a -> new NDList(concepts(a, k)), false, labels);
    }

    /** Raw probabilities (B, H, W, T), with token-index labels. */
    static AttentionTask tokenAttention(LabelMaker labels) {
        return new AttentionTask(a -> new NDList(a.reshape(BATCH, SIDE, SIDE, TOKENS)), false, labels);
    }

    /** Concept maps (B, K, H, W) and self-attention (B, H·W, H·W). */
    static AttentionTask conceptMapsWithSelfAttention(int k, LabelMaker labels) {
        return new AttentionTask(a -> new NDList(concepts(a, k)), true, labels);
    }

    private static NDArray concepts(NDArray probabilities, int k) {
        return probabilities.get(":, :, 1:" + (k + 1)).transpose(0, 2, 1).reshape(BATCH, k, SIDE, SIDE);
    }

    /** Random 0/1 masks (B, K, H, W) with every mask non-empty. */
    static LabelMaker randomMasks(int k) {
        return (manager, rng) -> new NDList(manager.create(masks(rng, k), new Shape(BATCH, k, SIDE, SIDE)));
    }

    static float[] masks(Random rng, int k) {
        float[] m = new float[BATCH * k * PIXELS];
        for (int i = 0; i < BATCH * k; i++) {
            for (int q = 0; q < PIXELS; q++) {
                m[i * PIXELS + q] = rng.nextDouble() < 0.4 ? 1 : 0;
            }
            m[i * PIXELS + rng.nextInt(PIXELS)] = 1;
        }
        return m;
    }

    @Override
    public Block model() {
        // A hidden layer first: the gradients of the layer feeding a softmax sum to zero over its
        // outputs, and DJL's Trainer rejects a first step whose gradients sum to exactly zero.
        Block cross = new SequentialBlock()
                .add(Linear.builder().setUnits(8).build())
                .add(Linear.builder().setUnits(TOKENS).build())
                .add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().softmax(-1))));
        if (!withSelfAttention) {
            return new SequentialBlock().add(cross)
                    .add(new LambdaBlock(x -> shaping.apply(x.singletonOrThrow())));
        }
        Block self = new SequentialBlock()
                .add(Linear.builder().setUnits(8).build())
                .add(Linear.builder().setUnits(PIXELS).build())
                .add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().softmax(-1))));
        return new ParallelBlock(list -> {
            NDList out = shaping.apply(list.get(0).singletonOrThrow());
            out.add(list.get(1).singletonOrThrow());
            return out;
        }, List.of(cross, self));
    }

    @Override
    public Shape inputShape() {
        return new Shape(BATCH, PIXELS, DIM);
    }

    @Override
    public NDList[] batch(NDManager manager, Random rng, int step) {
        float[] x = new float[BATCH * PIXELS * DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        NDArray data = manager.create(x, new Shape(BATCH, PIXELS, DIM));
        return new NDList[] {new NDList(data), labels.make(manager, rng)};
    }

    /** Token-index labels (B, K) int64 in [1, T). */
    static LabelMaker tokenIndices(int k) {
        return (manager, rng) -> {
            long[] idx = new long[BATCH * k];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = 1 + (i % k);
            }
            return new NDList(manager.create(idx, new Shape(BATCH, k)).toType(DataType.INT64, false));
        };
    }
}
