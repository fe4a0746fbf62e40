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
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.core.classification.AdversarialPerturbation;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Multi-class classification with the losses that need more than (logits, classes): an MLP on 4
 * Gaussian classes in 8 dimensions, 2000 training points.
 * <ul>
 *   <li>{@code aldr-kl}: 30% of the training labels are flipped at random; the loss keeps one λ per
 *       training sample and takes (class, sample id) labels, the ids being the points' indices.
 *   <li>{@code adv-comp-sum}: each batch is attacked by PGD ({@link AdversarialPerturbation}, ℓ∞
 *       radius 0.3) before the step and the loss takes (clean logits, adversarial logits); the example
 *       also prints the accuracy on attacked test points.
 *   <li>{@code makd}: the output layer is widened by A = 4 aspect logits, trained against the aspect
 *       probabilities a teacher gives offline (here \( \sigma(2\,x\cdot u_a) \) for fixed random
 *       directions u_a, standing in for an MLLM's yes/no answers); accuracy uses the first C logits.
 * </ul>
 * Prints the clean test accuracy before and after training.
 *
 * <p>Run: {@code examples/run-examples.sh classification.MulticlassClassification [--quick] [--loss ID]}.
 */
public final class MulticlassClassification {

    /** The losses this example trains with. */
    public static final List<String> LOSSES = List.of("aldr-kl", "adv-comp-sum", "makd");

    private static final int CLASSES = 4;
    private static final int DIMENSIONS = 8;
    private static final int TRAIN = 2000;
    private static final double FLIPPED = 0.3;
    private static final double RADIUS = 0.3;
    private static final int ASPECTS = 4;

    private MulticlassClassification() {
    }

    /** Inputs (N, 8), classes (N) and the same classes as Java values. */
    record Samples(NDArray x, NDArray y, long[] classes) {}

    static Samples samples(NDManager m, Random rng, double[][] centres, int n, double flipped) {
        float[] x = new float[n * DIMENSIONS];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(CLASSES);
            for (int k = 0; k < DIMENSIONS; k++) {
                x[i * DIMENSIONS + k] = (float) (centres[c][k] + rng.nextGaussian());
            }
            y[i] = rng.nextDouble() < flipped ? rng.nextInt(CLASSES) : c;
        }
        return new Samples(m.create(x, new Shape(n, DIMENSIONS)), m.create(y, new Shape(n)), y);
    }

    private static double accuracy(Block net, ParameterStore store, NDArray x, NDArray y) {
        try (NDManager m = x.getManager().newSubManager()) {
            NDArray logits = net.forward(store, new NDList(x), false).singletonOrThrow();
            logits.attach(m);
            return logits.get(":, :" + CLASSES).argMax(1).eq(y).sum().getLong() / (double) y.size();
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("classification.MulticlassClassification", LOSSES, 29, args);
        String lossId = a.loss();
        long seed = a.seed();
        int epochs = a.quick() ? 8 : 40;
        boolean adversarial = lossId.equals("adv-comp-sum");
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        double[][] centres = new double[CLASSES][DIMENSIONS];
        for (double[] c : centres) {
            for (int k = 0; k < DIMENSIONS; k++) {
                c[k] = 0.9 * rng.nextGaussian();
            }
        }
        boolean aspects = lossId.equals("makd");
        BaseLoss loss = Losses.create(lossId, lossId.equals("aldr-kl") ? Map.of("numSamples", TRAIN) : Map.of());
        AdversarialPerturbation pgd = AdversarialPerturbation.builder().optEpsilon(RADIUS).optStepSize(RADIUS / 4)
                .optSteps(5).optSeed(seed).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Samples train = samples(manager, rng, centres, TRAIN, lossId.equals("aldr-kl") ? FLIPPED : 0);
            NDArray teacher = Activation.sigmoid(
                    Scalar.mul(train.x().matMul(manager.randomNormal(new Shape(DIMENSIONS, ASPECTS))), 2));
            Samples test = samples(manager, rng, centres, 2000, 0);
            System.out.printf("%s: an MLP on %d Gaussian classes in %d dimensions, %d training points%s, %d epochs%n",
                    lossId, CLASSES, DIMENSIONS, TRAIN, adversarial ? String.format(", PGD radius %.1f", RADIUS)
                            : aspects ? String.format(", %d teacher aspects", ASPECTS)
                            : String.format(", %.0f%% labels flipped", 100 * FLIPPED), epochs);
            Block net = new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(aspects ? CLASSES + ASPECTS : CLASSES).build());
            net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, DIMENSIONS));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(3e-3).add(net);
            double before = accuracy(net, store, test.x(), test.y());
            double robustBefore = adversarial ? accuracy(net, store, pgd.perturb(net, store, test.x(), test.y()), test.y()) : 0;
            int batch = 100;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                for (int from = 0; from < TRAIN; from += batch) {
                    try (NDManager m = manager.newSubManager()) {
                        String rows = from + ":" + (from + batch);
                        NDArray x = train.x().get(rows);
                        NDArray y = train.y().get(rows);
                        NDArray aspectTargets = teacher.get(rows);
                        x.attach(m);
                        y.attach(m);
                        aspectTargets.attach(m);
                        NDArray attacked = adversarial ? pgd.perturb(net, store, x, y) : null;
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = net.forward(store, new NDList(x), true).singletonOrThrow();
                            NDArray value = adversarial
                                    ? loss.evaluate(new NDList(y), new NDList(logits,
                                            net.forward(store, new NDList(attacked), true).singletonOrThrow()))
                                    : aspects ? loss.evaluate(new NDList(y, aspectTargets), new NDList(logits))
                                    : loss.evaluate(new NDList(y, m.arange(from, from + batch).toType(DataType.INT64,
                                            false)), new NDList(logits));
                            collector.backward(value);
                        }
                        adam.step();
                    }
                }
                if (epoch % Math.max(1, epochs / 4) == 0) {
                    System.out.printf("  epoch %3d  test accuracy %.3f%n", epoch, accuracy(net, store, test.x(), test.y()));
                }
            }
            double after = accuracy(net, store, test.x(), test.y());
            String robust = "";
            if (adversarial) {
                double robustAfter = accuracy(net, store, pgd.perturb(net, store, test.x(), test.y()), test.y());
                robust = String.format(", under PGD %.3f -> %.3f", robustBefore, robustAfter);
            }
            ExampleResult.report(String.format("%s: clean test accuracy %.3f -> %.3f%s", lossId, before, after, robust),
                    after > before + 0.2, "training raises the test accuracy");
        }
    }
}
