package io.github.lossforge.diffusion.kernel;

import ai.djl.ndarray.NDArray;

/**
 * A fused kernel's result: the per-image loss values and the gradient of each value with respect
 * to each differentiable input, all detached from autograd.
 *
 * @param values (N) loss values
 * @param gradients one per input, each of its input's shape; gradient i of image n is the gradient
 *     of {@code values[n]} with respect to input i's slice n
 */
public record FusedValue(NDArray values, NDArray... gradients) {

    /**
     * Returns the values through the surrogate trick of spec §3: \( L_{sg} + \sum (x \odot sg(g)) -
     * sg(\sum x \odot g) \) per image. The forward value is exactly {@code values} (the last two terms
     * cancel before they are added), and autograd through it gives exactly {@code gradients}, with
     * no graph kept besides one product per input.
     *
     * @param inputs the inputs the gradients belong to, in order, each (N, …)
     * @return (N) values carrying the gradients
     */
    public NDArray surrogate(NDArray... inputs) {
        if (inputs.length != gradients.length) {
            throw new IllegalArgumentException(
                    "surrogate: " + inputs.length + " inputs for " + gradients.length + " gradients");
        }
        long n = values.getShape().get(0);
        NDArray linear = null;
        for (int i = 0; i < inputs.length; i++) {
            NDArray term = inputs[i].mul(gradients[i]).reshape(n, -1).sum(new int[] {1});
            linear = linear == null ? term : linear.add(term);
        }
        return linear == null ? values : values.add(linear.sub(linear.stopGradient()));
    }
}
