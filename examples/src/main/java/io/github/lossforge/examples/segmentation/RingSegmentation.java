package io.github.lossforge.examples.segmentation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Set;

/**
 * Segmentation of generated ring images ({@link RingImages}) by a 3-layer convolutional network,
 * trained with an overlap loss plus a topological loss, \( L = L_{dice}(x, y) + \lambda\,
 * L_{betti}(\sigma(x), y) \), λ = 0.5 as in the Betti-matching paper's configurations. Every ring has
 * Betti numbers (1, 1); the example prints the mean Betti-number error \( |\beta_0 - 1| + |\beta_1 -
 * 1| \) of the thresholded prediction ({@link BettiNumbers}) and the Dice score on held-out images,
 * before and after training (the full run also trains the overlap loss alone, for comparison).
 *
 * <p>Options: {@code --overlap dice|tversky}, {@code --topology betti-matching|topo-dim0}, and
 * {@code --unlabelled cbc}: semi-supervised, TraCoCo style: only {@value #FEW_LABELLED} images of each
 * step carry masks (the overlap and topological losses), and two networks are co-trained on 16 further
 * unlabelled images, each with {@code cbc} toward the other's confident pixels (the peer's logits as a
 * label, without gradient; the one-channel logits x become the two classes (0, x)). The figures are the
 * first network's; the full run also trains it on the labelled images alone, for comparison.
 *
 * <p>Run: {@code examples/run-examples.sh segmentation.RingSegmentation [--quick]}.
 */
public final class RingSegmentation {

    /** The overlap losses this example trains with. */
    public static final List<String> OVERLAP = List.of("dice", "tversky");

    /** The topological losses this example trains with. */
    public static final List<String> TOPOLOGY = List.of("betti-matching", "topo-dim0");

    private static final double TOPOLOGY_WEIGHT = 0.5;
    private static final double NOISE = 0.6;

    /** Images with masks per step when the rest is unlabelled ({@code --unlabelled cbc}). */
    static final int FEW_LABELLED = 2;

    private RingSegmentation() {
    }

    /** Held-out measurements: mean Betti-number error and mean Dice score. */
    record Quality(double bettiError, double dice) {}

    /** Before and after. */
    record Result(Quality before, Quality after) {}

    /**
     * Trains a network and measures it before and after.
     *
     * @param overlapId the overlap loss
     * @param topologyId the topological loss, or null for none
     * @param unlabelledId {@code cbc} for two networks co-trained on unlabelled images too, or null
     * @param labelled images with masks per step
     * @param steps Adam steps
     * @param seed data and initialisation seed
     * @return the measurements
     */
    static Result train(String overlapId, String topologyId, String unlabelledId, int labelled, int steps,
            long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        RingImages data = new RingImages(seed, NOISE);
        BaseLoss overlap = Losses.create(overlapId);
        BaseLoss topology = topologyId == null ? null : Losses.create(topologyId);
        BaseLoss crossModel = unlabelledId == null ? null : Losses.create(unlabelledId);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = newNet(manager);
            List<Block> nets = crossModel == null ? List.of(net) : List.of(net, newNet(manager));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(2e-2);
            nets.forEach(adam::add);
            RingImages.Batch test = data.batch(manager, 64);
            Quality before = measure(net, store, test);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    RingImages.Batch b = data.batch(m, labelled);
                    NDArray unlabelled = crossModel == null ? null : data.batch(m, 16).images();
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray value = m.zeros(new Shape());
                        for (Block n : nets) {
                            NDArray logits = n.forward(store, new NDList(b.images()), true).singletonOrThrow();
                            value = value.add(overlap.evaluate(new NDList(b.truth()), new NDList(logits)));
                            if (topology != null) {
                                NDArray topological = topology.evaluate(new NDList(b.truth().expandDims(1)),
                                        new NDList(Activation.sigmoid(logits)));
                                value = value.add(Scalar.mul(topological, TOPOLOGY_WEIGHT));
                            }
                        }
                        if (crossModel != null) {
                            NDArray first = twoClasses(net.forward(store, new NDList(unlabelled), true).singletonOrThrow());
                            NDArray second = twoClasses(
                                    nets.get(1).forward(store, new NDList(unlabelled), true).singletonOrThrow());
                            value = value.add(crossModel.evaluate(new NDList(second.stopGradient()), new NDList(first)))
                                    .add(crossModel.evaluate(new NDList(first.stopGradient()), new NDList(second)));
                        }
                        collector.backward(value);
                    }
                    adam.step();
                }
                if (step % Math.max(1, steps / 4) == 0) {
                    Quality q = measure(net, store, test);
                    System.out.printf("  step %4d  Betti error %.3f, Dice %.3f%n", step, q.bettiError(), q.dice());
                }
            }
            return new Result(before, measure(net, store, test));
        }
    }

    private static Block newNet(NDManager manager) {
        Block net = new SequentialBlock()
                .add(conv(16)).add(Activation::relu)
                .add(conv(16)).add(Activation::relu)
                .add(conv(1));
        net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, RingImages.SIZE, RingImages.SIZE));
        return net;
    }

    /** One-channel logits x (N, 1, H, W) as two-class logits (0, x): softmax gives (1 − σ(x), σ(x)). */
    private static NDArray twoClasses(NDArray logits) {
        return logits.zerosLike().concat(logits, 1);
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build();
    }

    private static Quality measure(Block net, ParameterStore store, RingImages.Batch test) {
        try (NDManager m = test.images().getManager().newSubManager()) {
            NDArray logits = net.forward(store, new NDList(test.images()), false).singletonOrThrow();
            logits.attach(m);
            float[] x = logits.toFloatArray();
            int pixels = RingImages.SIZE * RingImages.SIZE;
            double betti = 0;
            double dice = 0;
            for (int i = 0; i < test.masks().length; i++) {
                boolean[] predicted = new boolean[pixels];
                int overlap = 0;
                int sizes = 0;
                for (int p = 0; p < pixels; p++) {
                    predicted[p] = x[i * pixels + p] > 0;
                    overlap += predicted[p] && test.masks()[i][p] ? 1 : 0;
                    sizes += (predicted[p] ? 1 : 0) + (test.masks()[i][p] ? 1 : 0);
                }
                int[] b = BettiNumbers.of(predicted, RingImages.SIZE, RingImages.SIZE);
                betti += Math.abs(b[0] - 1) + Math.abs(b[1] - 1);
                dice += 2.0 * overlap / sizes;
            }
            int n = test.masks().length;
            return new Quality(betti / n, dice / n);
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--overlap ID] [--topology ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("segmentation.RingSegmentation", "  --overlap ID   one of " + OVERLAP
                + " (default dice)\n  --topology ID  one of " + TOPOLOGY + " (default betti-matching)\n"
                + "  --unlabelled cbc  semi-supervised: " + FEW_LABELLED + " labelled images a step, two networks co-trained"
                + " with cbc on 16 unlabelled ones\n"
                + "  --seed N       seed (default 11)", args, Set.of("--overlap", "--topology", "--unlabelled", "--seed"));
        String overlapId = a.word("--overlap", "dice", OVERLAP);
        String topologyId = a.word("--topology", "betti-matching", TOPOLOGY);
        String unlabelled = a.word("--unlabelled", "none", List.of("none", "cbc"));
        String unlabelledId = unlabelled.equals("none") ? null : unlabelled;
        int labelled = unlabelledId == null ? 16 : FEW_LABELLED;
        long seed = a.integer("--seed", 11);
        int steps = a.quick() ? 80 : 400;
        System.out.printf("Segmenting generated %dx%d ring images (noise sigma %.1f) with %s + %.1f %s, %d steps of %d"
                + " labelled images%s%n", RingImages.SIZE, RingImages.SIZE, NOISE, overlapId, TOPOLOGY_WEIGHT, topologyId,
                steps, labelled, unlabelledId == null ? "" : " and 16 unlabelled ones (two networks, cbc)");
        if (!a.quick()) {
            String compared = unlabelledId == null ? overlapId : overlapId + " + " + topologyId + " on the labelled images";
            System.out.println(compared + " alone:");
            Result alone = train(overlapId, unlabelledId == null ? null : topologyId, null, labelled, steps, seed);
            System.out.printf("  %s alone: Betti error %.3f -> %.3f, Dice %.3f -> %.3f%n", compared,
                    alone.before().bettiError(), alone.after().bettiError(), alone.before().dice(), alone.after().dice());
            System.out.println(overlapId + " + " + topologyId + (unlabelledId == null ? "" : " + cbc") + ":");
        }
        Result r = train(overlapId, topologyId, unlabelledId, labelled, steps, seed);
        ExampleResult.report(String.format("%s + %s%s: held-out Betti-number error %.3f -> %.3f, Dice %.3f -> %.3f",
                overlapId, topologyId, unlabelledId == null ? "" : " + cbc (" + labelled + " labelled a step)",
                r.before().bettiError(), r.after().bettiError(), r.before().dice(),
                r.after().dice()),
                r.after().bettiError() < r.before().bettiError() && r.after().dice() > r.before().dice(),
                "training lowers the Betti-number error and raises the Dice score");
    }
}
