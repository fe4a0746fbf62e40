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
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Binary classification with the losses that take one logit (or probability) per sample, on an
 * imbalanced generated problem (about one positive in four, a curved boundary, 10% label noise):
 * {@code anyloss} (1 − a smooth F1 of the sigmoid probabilities, {@code fromLogits=true}),
 * {@code ensloss} (a random surrogate drawn each step: monitor the test metrics, not its value) and
 * {@code tri-bce} (a two-tower model: a deep tower's logit d and a linear tower's logit s, predicting
 * σ((d + s)/2)). Prints the test F1 and accuracy at threshold 0.5 before and after training.
 *
 * <p>Run: {@code examples/run-examples.sh classification.BinaryClassification [--quick] [--loss ID]}.
 */
public final class BinaryClassification {

    /** The losses this example trains with. */
    public static final List<String> LOSSES = List.of("anyloss", "ensloss", "tri-bce");

    private static final int DIMENSIONS = 8;

    private BinaryClassification() {
    }

    /** Inputs (N, 8), 0/1 labels (N) as float32 and as Java values. */
    record Samples(NDArray x, NDArray y, int[] labels) {}

    static Samples samples(NDManager m, Random rng, int n) {
        float[] x = new float[n * DIMENSIONS];
        float[] y = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < DIMENSIONS; k++) {
                x[i * DIMENSIONS + k] = (float) rng.nextGaussian();
            }
            double score = x[i * DIMENSIONS] + 0.8 * x[i * DIMENSIONS + 1] * x[i * DIMENSIONS + 1] - 0.5 * x[i * DIMENSIONS + 2];
            int label = score > 1.4 ? 1 : 0;
            if (rng.nextDouble() < 0.1) {
                label = 1 - label;
            }
            labels[i] = label;
            y[i] = label;
        }
        return new Samples(m.create(x, new Shape(n, DIMENSIONS)), m.create(y, new Shape(n)), labels);
    }

    /** The model: a deep tower, and for tri-bce a linear tower beside it. */
    record Towers(Block deep, Block linear, ParameterStore store) {
        NDList logits(NDArray x, boolean training) {
            NDArray d = deep.forward(store, new NDList(x), training).singletonOrThrow().reshape(-1);
            if (linear == null) {
                return new NDList(d);
            }
            return new NDList(d, linear.forward(store, new NDList(x), training).singletonOrThrow().reshape(-1));
        }

        /** The predicted logit: d, or (d + s)/2 with two towers. */
        NDArray prediction(NDArray x) {
            NDList l = logits(x, false);
            return l.size() == 1 ? l.get(0) : Scalar.mul(l.get(0).add(l.get(1)), 0.5);
        }
    }

    /** {F1, accuracy} of the predictions at threshold 0.5. */
    static double[] f1AndAccuracy(Towers model, Samples test) {
        try (NDManager m = test.x().getManager().newSubManager()) {
            NDArray logit = model.prediction(test.x());
            logit.attach(m);
            float[] z = logit.toFloatArray();
            int tp = 0;
            int fp = 0;
            int fn = 0;
            int correct = 0;
            for (int i = 0; i < z.length; i++) {
                boolean predicted = z[i] > 0;
                boolean positive = test.labels()[i] == 1;
                tp += predicted && positive ? 1 : 0;
                fp += predicted && !positive ? 1 : 0;
                fn += !predicted && positive ? 1 : 0;
                correct += predicted == positive ? 1 : 0;
            }
            double f1 = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
            return new double[] {f1, correct / (double) z.length};
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("classification.BinaryClassification", LOSSES, 23, args);
        String lossId = a.loss();
        long seed = a.seed();
        int steps = a.quick() ? 300 : 1500;
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        BaseLoss loss = Losses.create(lossId, lossId.equals("anyloss") ? Map.of("fromLogits", true) : Map.of());
        try (NDManager manager = NDManager.newBaseManager()) {
            Block deep = new SequentialBlock()
                    .add(Linear.builder().setUnits(32).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(1).build());
            Block linear = lossId.equals("tri-bce") ? Linear.builder().setUnits(1).build() : null;
            AdamUpdater adam = new AdamUpdater(3e-3);
            for (Block b : linear == null ? List.of(deep) : List.of(deep, linear)) {
                b.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
                b.initialize(manager, DataType.FLOAT32, new Shape(1, DIMENSIONS));
                adam.add(b);
            }
            Towers model = new Towers(deep, linear, new ParameterStore(manager, false));
            Samples test = samples(manager, rng, 4000);
            long positives = Arrays.stream(test.labels()).filter(l -> l == 1).count();
            System.out.printf("Binary classification with %s: %d inputs, %.0f%% positives, 10%% label noise, %d steps of"
                    + " 256%n", lossId, DIMENSIONS, 100.0 * positives / test.labels().length, steps);
            double[] before = f1AndAccuracy(model, test);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    Samples batch = samples(m, rng, 256);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        collector.backward(loss.evaluate(new NDList(batch.y()), model.logits(batch.x(), true)));
                    }
                    adam.step();
                }
                if (step % Math.max(1, steps / 4) == 0) {
                    double[] q = f1AndAccuracy(model, test);
                    System.out.printf("  step %4d  test F1 %.3f, accuracy %.3f%n", step, q[0], q[1]);
                }
            }
            double[] after = f1AndAccuracy(model, test);
            ExampleResult.report(String.format("%s: test F1 %.3f -> %.3f, accuracy %.3f -> %.3f", lossId, before[0],
                    after[0], before[1], after[1]), after[0] > before[0] + 0.1 && after[1] > 0.8,
                    "training raises the test F1 and reaches 80% accuracy");
        }
    }
}
