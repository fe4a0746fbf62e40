package io.github.lossforge.examples.classification;

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
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.diagnostics.AlphaBatchNorm;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;
import io.github.lossforge.examples.support.GaussianClasses;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Test-time adaptation under covariate shift with {@code class-confusion}: an MLP with a batch-norm
 * layer (Linear → BatchNorm → ReLU → Linear) is trained on 4 Gaussian classes in 8 dimensions (the
 * source); the test points come from a shifted domain, \( x' = s \odot x + b \) with a fixed random
 * per-dimension scale s ∈ [0.5, 2] and offset b ∈ [−2, 2]. Without labels, the batch-norm layer is
 * replaced by an {@link AlphaBatchNorm} (α = {@value #ALPHA}: half source, half test-batch statistics)
 * and its γ, β are fitted by minimising the class confusion of the predictions on unlabelled
 * shifted batches (the rest of the network frozen).
 *
 * <p>Prints the accuracy on held-out shifted points of the source model, of α-BN alone and of α-BN
 * after the adaptation, and the class confusion before and after.
 *
 * <p>Run: {@code examples/run-examples.sh classification.TestTimeAdaptation [--quick] [--loss ID]}.
 */
public final class TestTimeAdaptation {

    /** The test-time losses this example adapts with. */
    public static final List<String> LOSSES = List.of("class-confusion");

    private static final int CLASSES = 4;
    private static final int DIMENSIONS = 8;
    private static final int HIDDEN = 32;
    private static final double ALPHA = 0.5;
    private static final int BATCH = 128;

    private TestTimeAdaptation() {
    }

    /** Accuracies on the shifted test set and the class confusion of the adapted layer. */
    record Result(double source, double alphaBn, double adapted, double confusionBefore, double confusionAfter) {}

    private static double accuracy(Block net, ParameterStore store, NDArray[] test) {
        try (NDManager m = test[0].getManager().newSubManager()) {
            double hits = 0;
            long n = test[1].size();
            // evaluated in batches of BATCH, as the adaptation sees them (α-BN uses the batch statistics)
            for (long from = 0; from < n; from += BATCH) {
                String rows = from + ":" + Math.min(n, from + BATCH);
                NDArray logits = net.forward(store, new NDList(test[0].get(rows)), false).singletonOrThrow();
                logits.attach(m);
                hits += logits.argMax(1).eq(test[1].get(rows)).sum().getLong();
            }
            return hits / n;
        }
    }

    private static double confusion(Block net, ParameterStore store, BaseLoss loss, NDArray x) {
        try (NDManager m = x.getManager().newSubManager()) {
            NDArray logits = net.forward(store, new NDList(x), false).singletonOrThrow();
            logits.attach(m);
            return loss.evaluate(new NDList(), new NDList(logits)).getFloat();
        }
    }

    /**
     * Trains on the source, then adapts on the shifted domain.
     *
     * @param lossId the test-time loss
     * @param steps source training steps; the adaptation takes a quarter of them
     * @param seed data and initialisation seed
     * @return the measurements
     */
    static Result run(String lossId, int steps, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        double[][] centres = new double[CLASSES][DIMENSIONS];
        for (double[] c : centres) {
            for (int k = 0; k < DIMENSIONS; k++) {
                c[k] = 1.2 * rng.nextGaussian();
            }
        }
        double[] one = new double[DIMENSIONS];
        double[] zero = new double[DIMENSIONS];
        double[] scale = new double[DIMENSIONS];
        double[] offset = new double[DIMENSIONS];
        Arrays.fill(one, 1);
        for (int k = 0; k < DIMENSIONS; k++) {
            scale[k] = Math.pow(2, 2 * rng.nextDouble() - 1);
            offset[k] = 4 * rng.nextDouble() - 2;
        }
        BaseLoss loss = Losses.create(lossId);
        Loss crossEntropy = Loss.softmaxCrossEntropyLoss();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block first = Linear.builder().setUnits(HIDDEN).build();
            BatchNorm norm = BatchNorm.builder().build();
            Block last = Linear.builder().setUnits(CLASSES).build();
            Block net = new SequentialBlock().add(first).add(norm).add(Activation::relu).add(last);
            net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(BATCH, DIMENSIONS));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(1e-2).add(net);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    NDArray[] b = GaussianClasses.sample(m, rng, centres, BATCH, one, zero);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = net.forward(store, new NDList(b[0]), true).singletonOrThrow();
                        collector.backward(crossEntropy.evaluate(new NDList(b[1]), new NDList(logits)));
                    }
                    adam.step();
                }
            }
            NDArray[] sourceTest = GaussianClasses.sample(manager, rng, centres, 2048, one, zero);
            NDArray[] shiftedTest = GaussianClasses.sample(manager, rng, centres, 2048, scale, offset);
            System.out.printf("  source model: accuracy on source test points %.3f, on shifted ones %.3f%n",
                    accuracy(net, store, sourceTest), accuracy(net, store, shiftedTest));
            double source = accuracy(net, store, shiftedTest);

            AlphaBatchNorm alphaNorm = AlphaBatchNorm.fromBatchNorm(norm, ALPHA, 1e-5);
            alphaNorm.initialize(manager, DataType.FLOAT32, new Shape(BATCH, HIDDEN));
            Block adapted = new SequentialBlock().add(first).add(alphaNorm).add(Activation::relu).add(last);
            double alphaBn = accuracy(adapted, store, shiftedTest);
            NDArray probe = shiftedTest[0].get(":" + BATCH);
            double confusionBefore = confusion(adapted, store, loss, probe);
            AdamUpdater tta = new AdamUpdater(1e-2).add(alphaNorm);
            for (int step = 1; step <= Math.max(1, steps / 4); step++) {
                try (NDManager m = manager.newSubManager()) {
                    NDArray unlabelled = GaussianClasses.sample(m, rng, centres, BATCH, scale, offset)[0];
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = adapted.forward(store, new NDList(unlabelled), true).singletonOrThrow();
                        collector.backward(loss.evaluate(new NDList(), new NDList(logits)));
                    }
                    tta.step();
                }
            }
            return new Result(source, alphaBn, accuracy(adapted, store, shiftedTest), confusionBefore,
                    confusion(adapted, store, loss, probe));
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("classification.TestTimeAdaptation", LOSSES, 13, args);
        int steps = a.quick() ? 200 : 800;
        System.out.printf("Test-time adaptation with %s: an MLP with batch norm trained %d steps on 4 Gaussian classes,"
                + " tested on an affinely shifted domain; α-BN (α = %.1f) adapted on unlabelled shifted batches%n",
                a.loss(), steps, ALPHA);
        Result r = run(a.loss(), steps, a.seed());
        System.out.printf("  α-BN alone: shifted accuracy %.3f%n", r.alphaBn());
        ExampleResult.report(String.format("%s: shifted-domain accuracy %.3f (source model) -> %.3f (α-BN) -> %.3f"
                + " (α-BN adapted), class confusion %.3f -> %.3f", a.loss(), r.source(), r.alphaBn(), r.adapted(),
                r.confusionBefore(), r.confusionAfter()),
                r.adapted() > r.source() + 0.05 && r.adapted() >= r.alphaBn() && r.confusionAfter() < r.confusionBefore(),
                "adapting α-BN with the class confusion on unlabelled shifted batches raises the shifted-domain accuracy");
    }
}
