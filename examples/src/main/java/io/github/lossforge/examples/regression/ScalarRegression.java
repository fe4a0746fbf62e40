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
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Scalar regression with losses that see more than (prediction, target), on the problem of {@link
 * HistogramRegression} (\( y = \sin(3x_1) + 0.5 x_2^2 - 0.5 + 0.1\,\varepsilon \)). The network is an
 * encoder to a 16-dimensional representation t and a linear head ŷ.
 * <ul>
 *   <li>{@code cs-ib}: the Cauchy–Schwarz information bottleneck takes (ŷ, t) and (y, x): a divergence
 *       between p(y|x) and q(ŷ|x) plus β × the normalised CS mutual information of x and t (kernel
 *       width σ = 0.5, on the scale of y).
 *   <li>{@code aggregate}: the instances come in bags of 4 and only each bag's mean response is
 *       observed; the loss takes per-instance predictions, bag indices and bag responses, with ρ = 0
 *       (the bag-level loss, unbiased; ρ = 0.5 pulls each prediction toward its bag's mean and learns
 *       far slower here).
 * </ul>
 * Prints the per-instance test RMSE of ŷ before and after training.
 *
 * <p>Run: {@code examples/run-examples.sh regression.ScalarRegression [--quick] [--loss ID]}.
 */
public final class ScalarRegression {

    /** The losses this example trains with. */
    public static final List<String> LOSSES = List.of("cs-ib", "aggregate");

    private static final int BAG = 4;

    private ScalarRegression() {
    }

    private static double rmse(Block encoder, Block head, ParameterStore store, HistogramRegression.Samples test) {
        try (NDManager m = test.x().getManager().newSubManager()) {
            NDArray t = encoder.forward(store, new NDList(test.x()), false).singletonOrThrow();
            NDArray y = head.forward(store, new NDList(t), false).singletonOrThrow();
            y.attach(m);
            t.attach(m);
            float[] predicted = y.toFloatArray();
            double sum = 0;
            for (int i = 0; i < predicted.length; i++) {
                sum += (predicted[i] - test.targets()[i]) * (predicted[i] - test.targets()[i]);
            }
            return Math.sqrt(sum / predicted.length);
        }
    }

    /** Bag indices (n) and bag mean responses (n / 8) of consecutive instances. */
    private static NDList bags(NDManager m, double[] targets) {
        long[] index = new long[targets.length];
        float[] responses = new float[targets.length / BAG];
        for (int i = 0; i < targets.length; i++) {
            index[i] = i / BAG;
            responses[i / BAG] += (float) (targets[i] / BAG);
        }
        return new NDList(m.create(index), m.create(responses));
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("regression.ScalarRegression", LOSSES, 37, args);
        String lossId = a.loss();
        long seed = a.seed();
        int steps = a.quick() ? 300 : 1500;
        boolean bagged = lossId.equals("aggregate");
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        BaseLoss loss = Losses.create(lossId, bagged ? Map.of("rho", 0.0) : Map.of("sigma", 0.5));
        System.out.printf("Regression with %s: y = sin(3 x1) + 0.5 x2^2 - 0.5 + noise 0.1%s, %d steps of 128%n", lossId,
                bagged ? ", only the means of bags of " + BAG + " observed" : ", an encoder to t (16) and a head", steps);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block encoder = new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(16).build()).add(Activation::relu);
            Block head = Linear.builder().setUnits(1).build();
            encoder.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            head.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
            head.initialize(manager, DataType.FLOAT32, new Shape(1, 16));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(1e-2).add(encoder).add(head);
            HistogramRegression.Samples test = HistogramRegression.samples(manager, rng, 2000);
            double before = rmse(encoder, head, store, test);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    HistogramRegression.Samples batch = HistogramRegression.samples(m, rng, 128);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray t = encoder.forward(store, new NDList(batch.x()), true).singletonOrThrow();
                        NDArray y = head.forward(store, new NDList(t), true).singletonOrThrow();
                        NDArray value = bagged
                                ? loss.evaluate(bags(m, batch.targets()), new NDList(y.reshape(-1)))
                                : loss.evaluate(new NDList(batch.y().reshape(-1, 1), batch.x()), new NDList(y, t));
                        collector.backward(value);
                    }
                    adam.step();
                }
                if (step % Math.max(1, steps / 4) == 0) {
                    System.out.printf("  step %4d  test RMSE %.4f%n", step, rmse(encoder, head, store, test));
                }
            }
            double after = rmse(encoder, head, store, test);
            ExampleResult.report(String.format("%s: per-instance test RMSE %.3f -> %.3f (noise 0.1)", lossId, before,
                    after), after < before / 2, "training halves the per-instance test error");
        }
    }
}
