package io.github.lossforge.examples.regression;

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
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.regression.HistogramRegressionLoss;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Regression by classification: a network outputs m = 32 logits over a support [−2.5, 2.5], trained
 * with {@code hl-gauss} (cross-entropy against a Gaussian smeared over the bins, σ = 0.75 bin
 * widths) or {@code two-hot} (cross-entropy against the two atoms around y); the prediction is the
 * decoded mean, {@code HistogramRegressionLoss.decode}. The target is \( y = \sin(3x_1) + 0.5 x_2^2 -
 * 0.5 + 0.1\,\varepsilon \) on x uniform in [−1.5, 1.5]²; the example prints the test RMSE of the
 * decoded prediction before and after training (the noise alone gives 0.1).
 *
 * <p>Run: {@code examples/run-examples.sh regression.HistogramRegression [--quick] [--loss ID]}.
 */
public final class HistogramRegression {

    /** The losses this example trains with. */
    public static final List<String> LOSSES = List.of("hl-gauss", "two-hot");

    private static final int BINS = 32;
    private static final double NOISE = 0.1;

    private HistogramRegression() {
    }

    /** Inputs (N, 2) and targets (N). */
    record Samples(NDArray x, NDArray y, double[] targets) {}

    static Samples samples(NDManager m, Random rng, int n) {
        float[] x = new float[2 * n];
        float[] y = new float[n];
        double[] targets = new double[n];
        for (int i = 0; i < n; i++) {
            double a = 3 * rng.nextDouble() - 1.5;
            double b = 3 * rng.nextDouble() - 1.5;
            x[2 * i] = (float) a;
            x[2 * i + 1] = (float) b;
            targets[i] = Math.sin(3 * a) + 0.5 * b * b - 0.5 + NOISE * rng.nextGaussian();
            y[i] = (float) targets[i];
        }
        return new Samples(m.create(x, new Shape(n, 2)), m.create(y, new Shape(n)), targets);
    }

    private static double rmse(Block net, ParameterStore store, HistogramRegressionLoss loss, Samples test) {
        try (NDManager m = test.x().getManager().newSubManager()) {
            NDArray logits = net.forward(store, new NDList(test.x()), false).singletonOrThrow();
            logits.attach(m);
            float[] predicted = loss.decode(logits).toFloatArray();
            double sum = 0;
            for (int i = 0; i < predicted.length; i++) {
                sum += (predicted[i] - test.targets()[i]) * (predicted[i] - test.targets()[i]);
            }
            return Math.sqrt(sum / predicted.length);
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("regression.HistogramRegression", LOSSES, 19, args);
        String lossId = a.loss();
        long seed = a.seed();
        int steps = a.quick() ? 300 : 1500;
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        HistogramRegressionLoss loss = (HistogramRegressionLoss) Losses.create(lossId,
                Map.of("min", -2.5, "max", 2.5, "bins", BINS));
        System.out.printf("Regression with %s: %d bins on [-2.5, 2.5], y = sin(3 x1) + 0.5 x2^2 - 0.5 + noise %.1f,"
                + " %d steps of 128%n", lossId, BINS, NOISE, steps);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(64).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(BINS).build());
            net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(3e-3).add(net);
            Samples test = samples(manager, rng, 2000);
            double before = rmse(net, store, loss, test);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    Samples batch = samples(m, rng, 128);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = net.forward(store, new NDList(batch.x()), true).singletonOrThrow();
                        collector.backward(loss.evaluate(new NDList(batch.y()), new NDList(logits)));
                    }
                    adam.step();
                }
                if (step % Math.max(1, steps / 4) == 0) {
                    System.out.printf("  step %4d  test RMSE %.4f%n", step, rmse(net, store, loss, test));
                }
            }
            double after = rmse(net, store, loss, test);
            ExampleResult.report(String.format("%s: test RMSE of the decoded prediction %.3f -> %.3f (noise %.1f)",
                    lossId, before, after, NOISE), after < before / 2,
                    "training the histogram head halves the test error");
        }
    }
}
