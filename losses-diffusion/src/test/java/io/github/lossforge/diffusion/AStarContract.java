package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Samples, bad inputs and the training task shared by the A-STAR loss tests. */
abstract class AStarContract extends LossContract {

    /** Shape 0 is one image (K, H, W); shapes 1 and 2 are batches (N, K, H, W). */
    private static final long[][] SHAPES = {{2, 3, 4}, {2, 3, 4, 4}, {3, 4, 5, 3}};

    /** Whether the loss takes the previous-step masks in labels[0]. */
    protected abstract boolean takesMasks();

    /** Attention values in [0.02, 1): away from 0 so finite differences stay non-negative. */
    static HostTensor maps(Random rng, long... shape) {
        return Generators.uniform(rng, 0.02, 1, shape);
    }

    /**
     * Attention values in (0, 1) whose K values at each pixel are at least 0.1/K apart, so a
     * finite-difference step never crosses a tie of {@code min} (where the loss has a kink).
     *
     * @param rng the generator
     * @param shape (K, H, W) or (N, K, H, W)
     * @return the maps
     */
    static HostTensor separatedMaps(Random rng, long... shape) {
        int[] d = AStarReferences.layout(HostTensor.floats(new double[count(shape)], shape));
        double[] v = new double[count(shape)];
        for (int img = 0; img < d[0]; img++) {
            for (int q = 0; q < d[2]; q++) {
                List<Integer> ranks = new ArrayList<>();
                for (int k = 0; k < d[1]; k++) {
                    ranks.add(k);
                }
                java.util.Collections.shuffle(ranks, rng);
                for (int k = 0; k < d[1]; k++) {
                    v[(img * d[1] + k) * d[2] + q] = (ranks.get(k) + 0.05 + 0.85 * rng.nextDouble()) / d[1];
                }
            }
        }
        return HostTensor.floats(v, shape);
    }

    private static int count(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return (int) n;
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long[] s = SHAPES[shape];
        HostTensor a = separatedMaps(rng, s);
        List<HostTensor> labels = takesMasks() ? List.of(Generators.bernoulli(rng, 0.4, s)) : List.of();
        return new Sample(labels, List.of(a));
    }

    @Test
    void aBatchEqualsItsImagesOneByOne() {
        Sample batch = sample(2, new Random(21));
        BaseLoss loss = variants().get(0).loss().apply(Reduction.NONE);
        double[] together = Evaluation.of(loss, batch, DataType.FLOAT64).value();
        long[] shape = batch.prediction(0).shape();
        int image = (int) (shape[1] * shape[2] * shape[3]);
        for (int i = 0; i < shape[0]; i++) {
            int from = i * image;
            java.util.function.UnaryOperator<HostTensor> pick = t -> HostTensor.floats(
                    java.util.Arrays.copyOfRange(t.data(), from, from + image), shape[1], shape[2], shape[3]);
            Sample one = batch.mapAll(pick);
            double[] alone = Evaluation.of(loss, one, DataType.FLOAT64).value();
            assertThat(alone).hasSize(1);
            Close.assertClose("image " + i + " alone vs in the batch", alone, new double[] {together[i]}, 1e-12);
        }
    }

    @Override
    protected TrainingTask trainingTask() {
        // DJL's Trainer needs a label list; the segregation loss ignores it.
        return AttentionTask.conceptMaps(3, AttentionTask.randomMasks(3));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        List<BadInput> cases = new ArrayList<>();
        List<HostTensor> masks = takesMasks() ? List.of(Generators.bernoulli(rng, 0.4, 2, 3, 4)) : List.of();
        cases.add(new BadInput("rank 2 maps", new Sample(masks, List.of(maps(rng, 3, 4))),
                "predictions[0]", "(K, H, W) or (N, K, H, W)", "rank 2"));
        cases.add(new BadInput("rank 5 maps", new Sample(masks, List.of(maps(rng, 1, 2, 3, 4, 1))),
                "predictions[0]", "rank 5"));
        double[] negative = maps(rng, 2, 3, 4).data();
        negative[5] = -0.25;
        cases.add(new BadInput("a negative attention value",
                new Sample(masks, List.of(HostTensor.floats(negative, 2, 3, 4))),
                "predictions[0]", "-0.25", "non-negative"));
        if (takesMasks()) {
            cases.add(new BadInput("masks of another shape",
                    new Sample(List.of(Generators.bernoulli(rng, 0.4, 2, 4, 3)), List.of(maps(rng, 2, 3, 4))),
                    "labels[0]", "(2, 4, 3)", "(2, 3, 4)"));
            double[] soft = Generators.bernoulli(rng, 0.4, 2, 3, 4).data();
            soft[3] = 0.5;
            cases.add(new BadInput("masks that are not 0/1",
                    new Sample(List.of(HostTensor.floats(soft, 2, 3, 4)), List.of(maps(rng, 2, 3, 4))),
                    "labels[0]", "0/1"));
            cases.add(new BadInput("no masks", new Sample(List.of(), List.of(maps(rng, 2, 3, 4))),
                    "0 labels slot(s)", "expected 1"));
        }
        return cases;
    }
}
