package io.github.lossforge.examples.calibration;

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
import ai.djl.training.loss.Loss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.classification.CorrectnessAwareLoss;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;
import io.github.lossforge.examples.support.GaussianClasses;

import java.util.List;
import java.util.Random;

/**
 * Post-hoc calibration of an over-confident classifier with the correctness-aware loss. An MLP
 * over-fits 300 points of 4 overlapping Gaussian classes, so its max-softmax confidence exceeds its
 * accuracy. A temperature T = exp(τ) is then fitted on held-out logits with {@code
 * correctness-aware} (the calibrated logits z / T against the original logits z, which only decide
 * which predictions are correct). A temperature leaves every prediction unchanged; the example prints
 * the test accuracy and the top-label expected calibration error (10 bins of confidence) before and
 * after.
 *
 * <p>Run: {@code examples/run-examples.sh calibration.TemperatureCalibration [--quick]}.
 */
public final class TemperatureCalibration {

    private static final int CLASSES = 4;
    private static final int DIMENSIONS = 8;

    private TemperatureCalibration() {
    }

    private static NDList samples(NDManager m, Random rng, double[][] centres, int n) {
        return new NDList(GaussianClasses.sample(m, rng, centres, n));
    }

    /**
     * The top-label calibration error of logits: the ECE of the max-softmax confidence against
     * whether the prediction is right, and the accuracy.
     *
     * @return {ECE, accuracy}
     */
    static double[] topLabelCalibration(NDArray logits, NDArray classes) {
        NDArray probabilities = logits.softmax(1);
        float[] confidence = probabilities.max(new int[] {1}).toFloatArray();
        long[] predicted = probabilities.argMax(1).toLongArray();
        long[] y = classes.toLongArray();
        double[] p = new double[y.length];
        double[] correct = new double[y.length];
        int hits = 0;
        for (int i = 0; i < y.length; i++) {
            p[i] = confidence[i];
            correct[i] = predicted[i] == y[i] ? 1 : 0;
            hits += (int) correct[i];
        }
        return new double[] {PlattCalibration.expectedCalibrationError(p, correct), hits / (double) y.length};
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("calibration.TemperatureCalibration", List.of(), 41, args);
        long seed = a.seed();
        int epochs = a.quick() ? 200 : 600;
        Engine.getInstance().setRandomSeed((int) seed);
        Random rng = new Random(seed);
        double[][] centres = new double[CLASSES][DIMENSIONS];
        for (double[] c : centres) {
            for (int k = 0; k < DIMENSIONS; k++) {
                c[k] = 0.7 * rng.nextGaussian();
            }
        }
        CorrectnessAwareLoss correctnessAware = (CorrectnessAwareLoss) Losses.create("correctness-aware");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList train = samples(manager, rng, centres, 300);
            NDList heldOut = samples(manager, rng, centres, 2000);
            NDList test = samples(manager, rng, centres, 4000);
            Block net = new SequentialBlock()
                    .add(Linear.builder().setUnits(128).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(CLASSES).build());
            net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, DIMENSIONS));
            ParameterStore store = new ParameterStore(manager, false);
            AdamUpdater adam = new AdamUpdater(1e-2).add(net);
            Loss crossEntropy = Loss.softmaxCrossEntropyLoss();
            for (int epoch = 0; epoch < epochs; epoch++) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = net.forward(store, new NDList(train.get(0)), true).singletonOrThrow();
                    collector.backward(crossEntropy.evaluate(new NDList(train.get(1)), new NDList(logits)));
                }
                adam.step();
            }
            NDArray heldOutLogits = net.forward(store, new NDList(heldOut.get(0)), false).singletonOrThrow();
            NDArray testLogits = net.forward(store, new NDList(test.get(0)), false).singletonOrThrow();
            System.out.printf("An MLP over-fitted to 300 points of %d overlapping classes; a temperature fitted with"
                    + " correctness-aware on 2000 held-out logits%n", CLASSES);
            double[] before = topLabelCalibration(testLogits, test.get(1));
            NDArray logTemperature = manager.zeros(new Shape(1));
            AdamUpdater calibrator = new AdamUpdater(0.05).add("log T", logTemperature);
            for (int step = 0; step < epochs; step++) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray calibrated = heldOutLogits.div(logTemperature.exp());
                    collector.backward(correctnessAware.evaluate(new NDList(heldOut.get(1)),
                            new NDList(calibrated, heldOutLogits)));
                }
                calibrator.step();
            }
            double temperature = Math.exp(logTemperature.getFloat());
            double[] after = topLabelCalibration(testLogits.div(logTemperature.exp()), test.get(1));
            System.out.printf("  fitted temperature T = %.3f%n", temperature);
            ExampleResult.report(String.format("correctness-aware: test top-label ECE %.4f -> %.4f at accuracy %.3f"
                    + " (T = %.2f)", before[0], after[0], after[1], temperature),
                    after[0] < before[0] && after[1] == before[1],
                    "the fitted temperature lowers the calibration error and changes no prediction");
        }
    }
}
