package io.github.lossforge.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The LossForge side of the eager comparison: for each id of {@link EagerWorkloads}, the median
 * time of one forward + backward step (after warm-up steps), printed as {@code LOSSFORGE <id> <ms>}.
 * Run it on one libtorch thread ({@code OMP_NUM_THREADS=1}, {@code -Dai.djl.pytorch.num_threads=1});
 * {@code benchmarks/eager/compare.py} runs it interleaved with the PyTorch side and prints the ratios.
 *
 * <p>Usage: {@code EagerComparison [--warmup 3] [--iterations 10] [ID...]}.
 */
public final class EagerComparison {

    /** The prefix of a result line. */
    public static final String PREFIX = "LOSSFORGE";

    private EagerComparison() {}

    /**
     * Times the ids.
     *
     * @param args options and ids
     */
    public static void main(String[] args) {
        int warmup = 3;
        int iterations = 10;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                default -> ids.add(args[i]);
            }
        }
        for (String id : ids.isEmpty() ? EagerWorkloads.ids() : ids) {
            double ms = medianMillis(id, warmup, iterations);
            System.out.println(String.format(Locale.ROOT, "%s %s %.4f", PREFIX, id, ms));
        }
    }

    /**
     * The median forward + backward time of one id's workload.
     *
     * @param id a registry id with a workload
     * @param warmup steps not timed
     * @param iterations timed steps
     * @return milliseconds
     */
    public static double medianMillis(String id, int warmup, int iterations) {
        EagerWorkloads.Workload w = EagerWorkloads.of(id);
        if (w == null) {
            throw new IllegalArgumentException("no workload for " + id + ", known: " + EagerWorkloads.ids());
        }
        BaseLoss loss = Losses.create(id, w.params());
        double[] times = new double[iterations];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList[] inputs = w.inputs().apply(manager, new Random(42));
            for (int i = 0; i < warmup + iterations; i++) {
                // fresh leaves per step, made before the clock starts: libtorch then stores the
                // gradient instead of adding it to the last step's, as PyTorch's side does after
                // `t.grad = None` (a loss's input is a model's output in training, never an accumulating leaf)
                NDList predictions = new NDList();
                for (NDArray p : inputs[1]) {
                    NDArray leaf = p.duplicate();
                    leaf.setRequiresGradient(true);
                    predictions.add(leaf);
                }
                long start = System.nanoTime();
                LossesProbe.step(loss, new NDList[] {inputs[0], predictions});
                if (i >= warmup) {
                    times[i - warmup] = (System.nanoTime() - start) / 1e6;
                }
                predictions.close();
            }
        }
        Arrays.sort(times);
        return iterations % 2 == 1 ? times[iterations / 2] : (times[iterations / 2 - 1] + times[iterations / 2]) / 2;
    }
}
