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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The child JVM of the {@code losses} suite: for each registered id, at its workload's realistic shape
 * ({@link SuiteWorkloads#workload}: the eager comparison's or {@link SuiteWorkloads}'), the median
 * forward + backward time with {@code checks=full} and with {@code checks=shapes} and the value
 * checks' host reads per step, printed as {@code LOSSES <id> <fullMs> <shapesMs> <hostReads>}; or,
 * with {@code --memory} (run in a JVM of its own with a low mmap threshold, see {@link ChildJvm}),
 * the peak RSS growth of one step after a warm-up step ({@link PeakRss}) next to the bytes of the
 * inputs, printed as {@code LOSSES_MEMORY <id> <peakBytes> <inputBytes>}.
 */
public final class LossesProbe {

    /** The prefix of a timing line. */
    public static final String PREFIX = "LOSSES";

    /** The prefix of a memory line. */
    public static final String MEMORY_PREFIX = "LOSSES_MEMORY";

    private LossesProbe() {}

    /**
     * Measures the ids given (every id of {@link SuiteWorkloads#suiteIds()} when none).
     *
     * @param args {@code [--iterations N] [--memory] ID...}
     * @throws IOException when /proc cannot be read
     */
    public static void main(String[] args) throws IOException {
        int iterations = 5;
        boolean memory = false;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--memory" -> memory = true;
                default -> ids.add(args[i]);
            }
        }
        for (String id : ids.isEmpty() ? SuiteWorkloads.suiteIds() : ids) {
            EagerWorkloads.Workload w = SuiteWorkloads.workload(id, SuiteWorkloads.Size.REALISTIC);
            if (w == null) {
                throw new IllegalArgumentException("no workload for " + id + ", known: " + SuiteWorkloads.suiteIds());
            }
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
                if (memory) {
                    step(loss, inputs);
                    long peak = PeakRss.growth(() -> step(loss, inputs));
                    System.out.println(String.format(Locale.ROOT, "%s %s %d %d", MEMORY_PREFIX, id, peak, inputBytes));
                } else {
                    double full = median(loss, inputs, Checks.Level.FULL, iterations);
                    long readsBefore = Checks.hostReads();
                    step(loss, inputs);
                    long reads = Checks.hostReads() - readsBefore;
                    double shapes = median(loss, inputs, Checks.Level.SHAPES, iterations);
                    Checks.setLevel(null);
                    System.out.println(String.format(Locale.ROOT, "%s %s %.4f %.4f %d", PREFIX, id, full, shapes, reads));
                }
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
