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
import io.github.lossforge.core.classification.HybridMultiLabelLoss;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Random;

/**
 * Multi-label classification with {@code hybrid-multilabel}: 6 labels of very different frequency,
 * two pairs of them strongly correlated, decided by thresholds on linear scores of an 8-dimensional
 * input. The network returns logits (N, 6) and its 16-dimensional embeddings; the loss is built with
 * {@code HybridMultiLabelLoss.statisticsOf} the training labels (positive-class weights and the label
 * correlation matrix). Prints the test macro-F1 (threshold 0.5) and the rarest label's F1 before and
 * after training.
 *
 * <p>Run: {@code examples/run-examples.sh classification.MultiLabelClassification [--quick]}.
 */
public final class MultiLabelClassification {

    private static final int LABELS = 6;
    private static final int DIMENSIONS = 8;
    private static final double[] THRESHOLDS = {0.0, 0.5, 1.0, 1.5, 1.8, 2.2};

    private MultiLabelClassification() {
    }

    /** Inputs (N, 8) and 0/1 labels (N, 6), also as Java values. */
    record Samples(NDArray x, NDArray y, double[][] labels) {}

    static Samples samples(NDManager m, Random rng, double[][] directions, int n) {
        float[] x = new float[n * DIMENSIONS];
        float[] y = new float[n * LABELS];
        double[][] labels = new double[n][LABELS];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < DIMENSIONS; k++) {
                x[i * DIMENSIONS + k] = (float) rng.nextGaussian();
            }
            for (int c = 0; c < LABELS; c++) {
                double score = 0.2 * rng.nextGaussian();
                for (int k = 0; k < DIMENSIONS; k++) {
                    score += directions[c][k] * x[i * DIMENSIONS + k];
                }
                labels[i][c] = score > THRESHOLDS[c] ? 1 : 0;
                y[i * LABELS + c] = (float) labels[i][c];
            }
        }
        return new Samples(m.create(x, new Shape(n, DIMENSIONS)), m.create(y, new Shape(n, LABELS)), labels);
    }

    /** Per-label F1 at threshold 0.5 (logit 0). */
    static double[] f1PerLabel(NDArray logits, double[][] labels) {
        float[] z = logits.toFloatArray();
        double[] f1 = new double[LABELS];
        for (int c = 0; c < LABELS; c++) {
            int tp = 0;
            int fp = 0;
            int fn = 0;
            for (int i = 0; i < labels.length; i++) {
                boolean predicted = z[i * LABELS + c] > 0;
                boolean positive = labels[i][c] == 1;
                tp += predicted && positive ? 1 : 0;
                fp += predicted && !positive ? 1 : 0;
                fn += !predicted && positive ? 1 : 0;
            }
            f1[c] = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        }
        return f1;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("classification.MultiLabelClassification", List.of(), 43, args);
        long seed = a.seed();
        int epochs = a.quick() ? 10 : 40;
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        double[][] directions = new double[LABELS][DIMENSIONS];
        for (int c = 0; c < LABELS; c++) {
            for (int k = 0; k < DIMENSIONS; k++) {
                // labels 1 and 3 follow labels 0 and 2: two strongly correlated pairs
                directions[c][k] = c == 1 || c == 3 ? directions[c - 1][k] + 0.3 * rng.nextGaussian() : rng.nextGaussian();
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Samples train = samples(manager, rng, directions, 2000);
            Samples test = samples(manager, rng, directions, 4000);
            HybridMultiLabelLoss loss = HybridMultiLabelLoss.builder()
                    .optLabelStatistics(HybridMultiLabelLoss.statisticsOf(train.labels())).build();
            Block encoder = new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(16).build());
            Block head = new SequentialBlock().add(Activation::relu).add(Linear.builder().setUnits(LABELS).build());
            encoder.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            head.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            encoder.initialize(manager, DataType.FLOAT32, new Shape(1, DIMENSIONS));
            head.initialize(manager, DataType.FLOAT32, new Shape(1, 16));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(3e-3).add(encoder).add(head);
            double[] before = f1PerLabel(head.forward(store, encoder.forward(store, new NDList(test.x()), false), false)
                    .singletonOrThrow(), test.labels());
            System.out.printf("Multi-label classification with hybrid-multilabel: %d labels, %d training points, %d"
                    + " epochs%n", LABELS, train.labels().length, epochs);
            int batch = 100;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                for (int from = 0; from < train.labels().length; from += batch) {
                    try (NDManager m = manager.newSubManager()) {
                        String rows = from + ":" + (from + batch);
                        NDArray x = train.x().get(rows);
                        NDArray y = train.y().get(rows);
                        x.attach(m);
                        y.attach(m);
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray embeddings = encoder.forward(store, new NDList(x), true).singletonOrThrow();
                            NDArray logits = head.forward(store, new NDList(embeddings), true).singletonOrThrow();
                            collector.backward(loss.evaluate(new NDList(y), new NDList(logits, embeddings)));
                        }
                        adam.step();
                    }
                }
            }
            double[] after = f1PerLabel(head.forward(store, encoder.forward(store, new NDList(test.x()), false), false)
                    .singletonOrThrow(), test.labels());
            ExampleResult.report(String.format("hybrid-multilabel: test macro-F1 %.3f -> %.3f, rarest label's F1 %.3f"
                    + " -> %.3f", mean(before), mean(after), before[LABELS - 1], after[LABELS - 1]),
                    mean(after) > mean(before) + 0.2, "training raises the test macro-F1");
        }
    }
}
