package io.github.lossforge.examples.condensation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import io.github.lossforge.contrastive.condensation.CondensationStep;
import io.github.lossforge.contrastive.condensation.GradientMatchingLoss;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Scalar;
import io.github.lossforge.examples.support.AdamUpdater;
import io.github.lossforge.examples.support.ExampleArgs;
import io.github.lossforge.examples.support.ExampleResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Dataset condensation by gradient matching ({@code gradient-matching} through {@code CondensationStep}):
 * {@value #PER_CLASS} synthetic points per class, started from noise, are moved so that a small
 * network's gradients on them match its gradients on the real data (4 Gaussian classes in
 * {@value #DIMENSIONS} dimensions, {@value #POOL} real points per class). Each outer step draws a fresh
 * random network (x ↦ W₂ relu(W₁x + b₁)), as the papers' outer loop re-initialises it, and takes one
 * {@code CondensationStep} with 64 real points per class.
 *
 * <p>Then a fresh network is trained on nothing but the {@value #PER_CLASS}·4 synthetic points and tested on
 * real held-out points: before condensation (the noise) and after; the accuracy of the same training
 * on {@value #PER_CLASS} random real points per class is printed for reference.
 *
 * <p>Run: {@code examples/run-examples.sh condensation.DatasetCondensation [--quick] [--loss ID]}.
 */
public final class DatasetCondensation {

    /** The matching losses this example condenses with. */
    public static final List<String> LOSSES = List.of("gradient-matching");

    static final int CLASSES = 4;
    static final int DIMENSIONS = 16;
    static final int PER_CLASS = 2;
    static final int POOL = 256;
    private static final int HIDDEN = 32;

    private DatasetCondensation() {
    }

    /** x ↦ W₂ relu(W₁x + b₁) with θ = (W₁ (H, D), b₁ (H), W₂ (C, H)). */
    static NDArray network(NDList theta, NDArray x) {
        return Activation.relu(x.matMul(theta.get(0).transpose()).add(theta.get(1))).matMul(theta.get(2).transpose());
    }

    /** A random θ (float64) with Xavier-like scales. */
    static NDList randomNetwork(NDManager m) {
        return new NDList(Scalar.mul(m.randomNormal(new Shape(HIDDEN, DIMENSIONS), DataType.FLOAT64), 1 / Math.sqrt(DIMENSIONS)),
                m.zeros(new Shape(HIDDEN), DataType.FLOAT64),
                Scalar.mul(m.randomNormal(new Shape(CLASSES, HIDDEN), DataType.FLOAT64), 1 / Math.sqrt(HIDDEN)));
    }

    /** n points of class c: its centre plus unit noise. */
    static NDArray points(NDManager m, Random rng, double[] centre, int n) {
        double[] x = new double[n * DIMENSIONS];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < DIMENSIONS; k++) {
                x[i * DIMENSIONS + k] = centre[k] + rng.nextGaussian();
            }
        }
        return m.create(x, new Shape(n, DIMENSIONS));
    }

    /** Class-major labels 0,0,…,1,1,… with k per class. */
    static NDArray labels(NDManager m, int k) {
        return m.arange(0, CLASSES).repeat(k).toType(DataType.INT64, false);
    }

    /** Trains a fresh network on (x, y) with Adam and returns its accuracy on (testX, testY). */
    static double trainAndTest(NDManager manager, NDArray x, NDArray y, NDArray testX, NDArray testY) {
        try (NDManager m = manager.newSubManager()) {
            NDList theta = randomNetwork(m);
            AdamUpdater adam = new AdamUpdater(1e-2);
            for (int i = 0; i < theta.size(); i++) {
                adam.add("theta" + i, theta.get(i));
            }
            NDArray data = x.stopGradient().duplicate();
            data.attach(m);
            NDArray oneHot = y.oneHot(CLASSES).toType(DataType.FLOAT64, false);
            for (int step = 0; step < 200; step++) {
                try (NDManager s = m.newSubManager()) {
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = network(theta, data);
                        collector.backward(oneHot.mul(logits.logSoftmax(1)).sum(new int[] {1}).mean().neg());
                    }
                    adam.step();
                }
            }
            return network(theta, testX).argMax(1).eq(testY).sum().getLong() / (double) testY.size();
        }
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--quick] [--loss ID] [--seed N]}
     */
    public static void main(String[] args) {
        ExampleArgs a = ExampleArgs.parse("condensation.DatasetCondensation", LOSSES, 23, args);
        int steps = a.quick() ? 100 : 400;
        Engine.getInstance().setRandomSeed((int) a.seed());
        Random rng = new Random(a.seed());
        BaseLoss loss = Losses.create(a.loss(), Map.of("mode", "dc"));
        System.out.printf("Dataset condensation with %s: %d synthetic points per class from %d real ones, %d classes in"
                + " %d dimensions, %d outer steps%n", a.loss(), PER_CLASS, POOL, CLASSES, DIMENSIONS, steps);
        try (NDManager m = NDManager.newBaseManager()) {
            double[][] centres = new double[CLASSES][DIMENSIONS];
            List<NDArray> real = new ArrayList<>();
            List<NDArray> test = new ArrayList<>();
            List<NDArray> randomReal = new ArrayList<>();
            for (int c = 0; c < CLASSES; c++) {
                for (int k = 0; k < DIMENSIONS; k++) {
                    centres[c][k] = 0.5 * rng.nextGaussian();
                }
                real.add(points(m, rng, centres[c], POOL));
                test.add(points(m, rng, centres[c], 250));
                randomReal.add(points(m, rng, centres[c], PER_CLASS));
            }
            NDArray testX = NDArrays.concat(new NDList(test));
            NDArray testY = labels(m, 250);
            NDArray synthetic = m.randomNormal(new Shape(CLASSES * PER_CLASS, DIMENSIONS), DataType.FLOAT64);
            synthetic.setRequiresGradient(true);
            NDArray syntheticY = labels(m, PER_CLASS);
            double before = trainAndTest(m, synthetic, syntheticY, testX, testY);
            double reference = trainAndTest(m, NDArrays.concat(new NDList(randomReal)), syntheticY, testX,
                    testY);
            CondensationStep step = new CondensationStep((GradientMatchingLoss) loss, 0.1);
            double first = Double.NaN;
            double last = Double.NaN;
            for (int outer = 1; outer <= steps; outer++) {
                try (NDManager s = m.newSubManager()) {
                    NDList theta = randomNetwork(s);
                    for (NDArray p : theta) {
                        p.setRequiresGradient(true);
                    }
                    List<NDArray> batch = new ArrayList<>();
                    for (NDArray r : real) {
                        batch.add(r.get(rng.nextInt(POOL - 64) + ":").get(":64"));
                    }
                    CondensationStep.Result r = step.update(theta, DatasetCondensation::network, batch, synthetic);
                    NDArray next = r.synthetic();
                    next.attach(m);
                    synthetic = next;
                    last = r.matchingLoss();
                    first = outer == 1 ? last : first;
                }
                if (outer % Math.max(1, steps / 4) == 0) {
                    System.out.printf("  step %4d  matching loss %.4f (of that step's fresh random network)%n", outer, last);
                }
            }
            double after = trainAndTest(m, synthetic, syntheticY, testX, testY);
            System.out.printf("  for reference: trained on %d random real points per class, test accuracy %.3f%n",
                    PER_CLASS, reference);
            ExampleResult.report(String.format("%s: test accuracy of a network trained on %d synthetic points %.3f (noise)"
                    + " -> %.3f (condensed); %d random real points: %.3f", a.loss(), CLASSES * PER_CLASS, before, after,
                    CLASSES * PER_CLASS, reference), after > before + 0.2,
                    "condensation turns noise into points a network can learn the real classes from");
        }
    }
}
