package io.github.lossforge.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The inputs of a benchmark and one training step on them: inputs are registered with {@link
 * #keep}, a step ({@link #forwardBackward}) records the loss, reads its value back, runs backward
 * and then closes every other array of the manager, so repeated steps do not accumulate memory
 * (the inputs' gradient buffers stay allocated, as in training).
 */
public final class BenchArrays implements AutoCloseable {

    private final NDManager manager = NDManager.newBaseManager();
    private final List<NDArray> kept = new ArrayList<>();

    /**
     * Starts with a seeded engine random generator.
     *
     * @param seed the seed
     */
    public BenchArrays(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
    }

    /**
     * The manager inputs are created in.
     *
     * @return the manager
     */
    public NDManager manager() {
        return manager;
    }

    /**
     * Keeps an array across steps (and frees everything else made so far).
     *
     * @param array the input
     * @param requiresGradient whether backward computes its gradient
     * @return the array
     */
    public NDArray keep(NDArray array, boolean requiresGradient) {
        kept.add(array);
        closeTemporaries();
        if (requiresGradient) {
            array.setRequiresGradient(true);
        }
        return array;
    }

    /**
     * One forward + backward step.
     *
     * @param loss computes the scalar loss from the kept inputs
     * @return the loss value
     */
    public float forwardBackward(Supplier<NDArray> loss) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = loss.get();
            float v = value.getFloat();
            collector.backward(value);
            return v;
        } finally {
            closeTemporaries();
        }
    }

    private void closeTemporaries() {
        for (NDArray a : List.copyOf(manager.getManagedArrays())) {
            if (kept.stream().noneMatch(k -> k == a)) {
                a.close();
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
