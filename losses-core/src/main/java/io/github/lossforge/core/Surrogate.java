package io.github.lossforge.core;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.engine.PtEngineAdapter;

/**
 * Values whose gradient is computed in closed form instead of by autograd: the surrogate trick of
 * spec §3,
 *
 * <p>\( L = \mathrm{sg}(v) + \Big(\sum_j x_j \odot \mathrm{sg}(g_j) - \mathrm{sg}\big(\sum_j x_j \odot
 * g_j\big)\Big) \)
 *
 * <p>summed over every axis but the first, per sample. Its value is exactly {@code v} (the last two
 * terms cancel before they are added) and its gradient with respect to x_j is exactly g_j, with one
 * product per input as the whole graph. A loss whose formula is a long chain of cheap elementwise
 * steps (guarded logs, series branches, {@code where}) computes value and gradient without autograd
 * and hands both here: the backward pass then costs a handful of engine calls instead of one per step.
 *
 * <p>The derivative carried is first order only: differentiating the gradient again (a gradient
 * penalty through the loss, {@code create_graph}) sees {@code g} as a constant. Losses that use this
 * say so in their javadoc.
 */
public final class Surrogate {

    private Surrogate() {}

    /**
     * Whether a gradient may be wanted: autograd is recording now (inside a {@code
     * GradientCollector}). When not, a loss skips the gradient computation and returns its values as
     * they are. Whether an input takes part in the graph is not asked: DJL answers {@code
     * hasGradient()} for leaves only, and a model's output is not one.
     *
     * @param inputs the differentiable inputs (their engine is asked)
     * @return true when {@link #attach} should be given gradients
     */
    public static boolean isNeeded(NDArray... inputs) {
        return PtEngineAdapter.isGradientRecording(inputs[0]);
    }

    /**
     * Per-sample values that carry the given gradients.
     *
     * @param values (N) values, or a scalar for a batch-level loss; detached
     * @param inputs the inputs the gradients belong to, each (N, …) (any shape for a scalar value)
     * @param gradients one per input, each of its input's shape: gradient j of sample n is the gradient
     *     of {@code values[n]} with respect to input j's slice n; detached
     * @return the values, with the gradients attached for autograd
     * @throws IllegalArgumentException when inputs and gradients differ in number or shape
     */
    public static NDArray attach(NDArray values, NDArray[] inputs, NDArray[] gradients) {
        if (inputs.length != gradients.length) {
            throw new IllegalArgumentException(
                    "surrogate: " + inputs.length + " inputs for " + gradients.length + " gradients");
        }
        boolean batchLevel = values.getShape().dimension() == 0;
        long n = batchLevel ? 1 : values.getShape().get(0);
        NDArray linear = null;
        for (int j = 0; j < inputs.length; j++) {
            if (!inputs[j].getShape().equals(gradients[j].getShape())) {
                throw new IllegalArgumentException("surrogate: gradient " + j + " has shape "
                        + gradients[j].getShape() + ", its input " + inputs[j].getShape());
            }
            NDArray product = inputs[j].mul(gradients[j]);
            NDArray term = batchLevel ? product.sum()
                    : product.getShape().dimension() == 1 ? product : product.reshape(n, -1).sum(new int[] {1});
            linear = linear == null ? term : linear.add(term);
        }
        return linear == null ? values : values.add(linear.sub(linear.stopGradient()));
    }

    /**
     * {@link #attach} for one input.
     *
     * @param values (N) values, or a scalar; detached
     * @param input the input, (N, …)
     * @param gradient its gradient, the input's shape; detached
     * @return the values, with the gradient attached for autograd
     */
    public static NDArray attach(NDArray values, NDArray input, NDArray gradient) {
        return attach(values, new NDArray[] {input}, new NDArray[] {gradient});
    }
}
