package io.github.lossforge.examples.density;

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
import io.github.lossforge.core.density.CompositionalNllLoss;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.List;
import java.util.Random;

/**
 * Maximum likelihood for an unnormalised 1-D density \( p_\theta(x) = e^{f_\theta(x)}/Z(\theta) \) with
 * {@code compositional-nll}: f is a small MLP, the data a mixture of two Gaussians (means ±2, σ = 0.5),
 * and Z is estimated from noise drawn from q = N(0, 3²) through the loss's moving average. In one
 * dimension Z can also be computed exactly (trapezoid rule on [−12, 12]), so the example prints the
 * exact test NLL before and after training beside the NLL of the true density, and the loss's own
 * monitored estimate.
 *
 * <p>Run: {@code examples/run-examples.sh density.EnergyDensity [--quick]}.
 */
public final class EnergyDensity {

    private static final double NOISE_SIGMA = 3;

    private EnergyDensity() {
    }

    private static double[] mixture(Random rng, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (rng.nextBoolean() ? 2 : -2) + 0.5 * rng.nextGaussian();
        }
        return x;
    }

    /** The NLL of the true mixture density on points. */
    static double trueNll(double[] x) {
        double sum = 0;
        for (double v : x) {
            double a = Math.exp(-(v - 2) * (v - 2) / 0.5) + Math.exp(-(v + 2) * (v + 2) / 0.5);
            sum -= Math.log(0.5 * a / (0.5 * Math.sqrt(2 * Math.PI)));
        }
        return sum / x.length;
    }

    private static NDArray column(NDManager m, double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return m.create(f, new Shape(x.length, 1));
    }

    private static NDArray energy(Block f, ParameterStore store, NDArray x, boolean training) {
        return f.forward(store, new NDList(x), training).singletonOrThrow().reshape(-1);
    }

    /** The exact test NLL: −mean f(x) + log Z, Z by the trapezoid rule on 4801 points of [−12, 12]. */
    static double exactNll(Block f, ParameterStore store, NDManager manager, double[] test) {
        try (NDManager m = manager.newSubManager()) {
            int points = 4801;
            double[] grid = new double[points];
            for (int i = 0; i < points; i++) {
                grid[i] = -12 + 24.0 * i / (points - 1);
            }
            float[] values = energy(f, store, column(m, grid), false).toFloatArray();
            double max = Double.NEGATIVE_INFINITY;
            for (float v : values) {
                max = Math.max(max, v);
            }
            double integral = 0;
            for (int i = 0; i < points; i++) {
                integral += (i == 0 || i == points - 1 ? 0.5 : 1) * Math.exp(values[i] - max);
            }
            double logZ = max + Math.log(integral * 24.0 / (points - 1));
            return -energy(f, store, column(m, test), false).mean().getFloat() + logZ;
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("density.EnergyDensity", List.of(), 47, args);
        long seed = a.seed();
        int steps = a.quick() ? 400 : 2000;
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        CompositionalNllLoss loss = CompositionalNllLoss.builder().build();
        double[] test = mixture(rng, 4000);
        System.out.printf("An energy model on a two-Gaussian mixture, Z from noise N(0, %.0f^2) via compositional-nll,"
                + " %d steps of 256 data and 256 noise points%n", NOISE_SIGMA, steps);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block f = new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build()).add(Activation::tanh)
                    .add(Linear.builder().setUnits(64).build()).add(Activation::tanh)
                    .add(Linear.builder().setUnits(1).build());
            f.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            f.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(3e-3).add(f);
            double before = exactNll(f, store, manager, test);
            for (int step = 1; step <= steps; step++) {
                try (NDManager m = manager.newSubManager()) {
                    double[] noise = new double[256];
                    float[] logQ = new float[noise.length];
                    for (int j = 0; j < noise.length; j++) {
                        noise[j] = NOISE_SIGMA * rng.nextGaussian();
                        logQ[j] = (float) (-0.5 * noise[j] * noise[j] / (NOISE_SIGMA * NOISE_SIGMA)
                                - Math.log(NOISE_SIGMA * Math.sqrt(2 * Math.PI)));
                    }
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray data = energy(f, store, column(m, mixture(rng, 256)), true);
                        NDArray atNoise = energy(f, store, column(m, noise), true);
                        collector.backward(loss.evaluate(new NDList(), new NDList(data, atNoise, m.create(logQ))));
                    }
                    adam.step();
                }
                if (step % Math.max(1, steps / 4) == 0) {
                    System.out.printf("  step %4d  exact test NLL %.4f, the loss's monitored estimate %.4f%n", step,
                            exactNll(f, store, manager, test), loss.monitoredNll());
                }
            }
            double after = exactNll(f, store, manager, test);
            double truth = trueNll(test);
            ExampleResult.report(String.format("compositional-nll: exact test NLL %.3f -> %.3f nats (true density %.3f)",
                    before, after, truth), after < before && after < truth + 0.1,
                    "the energy model's exact test NLL comes within 0.1 nats of the true density's");
        }
    }
}
