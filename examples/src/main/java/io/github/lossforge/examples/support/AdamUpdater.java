package io.github.lossforge.examples.support;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DJL's Adam applied to a block's parameters and to free-standing arrays (class weights, a
 * classifier head), for examples that call a loss with several prediction slots directly instead of
 * through a {@code Trainer}. Gradients are zeroed after each step (DJL accumulates them over
 * backward calls).
 */
public final class AdamUpdater {

    private final Optimizer adam;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    /**
     * An updater with a fixed learning rate.
     *
     * @param learningRate Adam's learning rate
     */
    public AdamUpdater(double learningRate) {
        this.adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).build();
    }

    /**
     * Adds every trainable parameter of an initialised block (not, e.g., a batch norm's running
     * statistics).
     *
     * @param block the block
     * @return this
     */
    public AdamUpdater add(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                parameters.put(p.getValue().getId(), p.getValue().getArray());
            }
        }
        return this;
    }

    /**
     * Adds a free-standing array and makes it require a gradient.
     *
     * @param name a unique name
     * @param array the array
     * @return this
     */
    public AdamUpdater add(String name, NDArray array) {
        array.setRequiresGradient(true);
        parameters.put(name, array);
        return this;
    }

    /** One Adam step on every parameter, then zeroes the gradients. */
    public void step() {
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            try (NDArray gradient = e.getValue().getGradient()) {
                adam.update(e.getKey(), e.getValue(), gradient);
                gradient.subi(gradient);
            }
        }
    }
}
