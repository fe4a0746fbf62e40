package io.github.lossforge.diffusion.kernel;

import ai.djl.ndarray.NDArray;
import io.github.lossforge.core.Surrogate;

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
     * Returns the values through the surrogate trick of spec §3 ({@link Surrogate#attach}): \( L_{sg} +
     * \sum (x \odot sg(g)) - sg(\sum x \odot g) \) per image. The forward value is exactly {@code values} (the last two terms
     * cancel before they are added), and autograd through it gives exactly {@code gradients}, with
     * no graph kept besides one product per input.
     *
     * @param inputs the inputs the gradients belong to, in order, each (N, …)
     * @return (N) values carrying the gradients
     */
    public NDArray surrogate(NDArray... inputs) {
        return Surrogate.attach(values, inputs, gradients);
    }
}
