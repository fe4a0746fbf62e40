package io.github.lossforge.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Checks;
import io.github.lossforge.core.Losses;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The child JVM of the {@code losses} suite: for each id of {@link EagerWorkloads}, the median
 * forward + backward time with {@code checks=full} and with {@code checks=shapes}, the value checks'
 * host reads per step, and the peak RSS growth of one step ({@link PeakRss}) next to the bytes of
 * the inputs. Prints {@code LOSSES <id> <fullMs> <shapesMs> <hostReads> <peakBytes> <inputBytes>}.
 */
public final class LossesProbe {

    /** The prefix of a result line. */
    public static final String PREFIX = "LOSSES";

    private LossesProbe() {}

    /**
     * Measures the ids given (all with a workload when none).
     *
     * @param args {@code [--iterations N] ID...}
     * @throws IOException when /proc cannot be read
     */
    public static void main(String[] args) throws IOException {
        int iterations = 5;
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--iterations")) {
                iterations = Integer.parseInt(args[++i]);
            } else {
                ids.add(args[i]);
            }
        }
        for (String id : ids.isEmpty() ? EagerWorkloads.ids() : ids) {
            EagerWorkloads.Workload w = EagerWorkloads.of(id);
            BaseLoss loss = Losses.create(id, w.params());
            try (NDManager manager = NDManager.newBaseManager()) {
                NDList[] inputs = w.inputs().apply(manager, new Random(SuiteBench.SEED));
                long inputBytes = 0;
                for (NDList side : inputs) {
                    for (NDArray a : side) {
                        inputBytes += a.size() * a.getDataType().getNumOfBytes();
                    }
                }
                for (NDArray p : inputs[1]) {
                    p.setRequiresGradient(true);
                }
                double full = median(loss, inputs, Checks.Level.FULL, iterations);
                long readsBefore = Checks.hostReads();
                step(loss, inputs);
                long reads = Checks.hostReads() - readsBefore;
                double shapes = median(loss, inputs, Checks.Level.SHAPES, iterations);
                long peak = PeakRss.growth(() -> step(loss, inputs));
                Checks.setLevel(null);
                System.out.println(String.format(Locale.ROOT, "%s %s %.4f %.4f %d %d %d", PREFIX, id, full, shapes,
                        reads, peak, inputBytes));
            }
        }
    }

    private static double median(BaseLoss loss, NDList[] inputs, Checks.Level level, int iterations) {
        Checks.setLevel(level);
        step(loss, inputs);
        double[] t = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            step(loss, inputs);
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(t);
        return t[iterations / 2];
    }

    /**
     * One forward + backward step; the value and the gradients are closed.
     *
     * @param loss the loss
     * @param inputs {labels, predictions}, predictions requiring a gradient
     */
    static void step(BaseLoss loss, NDList[] inputs) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray value = loss.evaluate(inputs[0], inputs[1]);
            gc.backward(value);
            value.close();
        }
        for (NDArray p : inputs[1]) {
            p.getGradient().close();
        }
    }
}
