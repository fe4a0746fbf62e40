package io.github.lossforge.diffusion.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.function.BiFunction;

/**
 * BACON's self-attention alignment around a per-pixel layout kernel: the kernel sees the aligned maps
 * \( \tilde A = A S^\top \) (per image, maps (K, P) and self-attention S (P, P)) and returns the values and
 * \( \partial L / \partial \tilde A \); the chain rule back to the inputs is \( \partial L/\partial A =
 * (\partial L/\partial \tilde A) S \) and \( \partial L/\partial S = (\partial L/\partial \tilde A)^\top A \),
 * engine GEMMs on detached arrays on the inputs' device.
 */
final class SelfAttentionAlignment {

    private SelfAttentionAlignment() {}

    /**
     * Runs a layout kernel on the aligned maps and returns the gradients with respect to the inputs.
     *
     * @param maps (N, K, H, W) maps
     * @param selfAttention (N, P, P) self-attention, or null for none (the maps are used as they are)
     * @param kernel from the aligned maps (N, K, P) to the values (N) and their gradient (N, K, P)
     * @return values and the gradients with respect to {@code maps} and, when given, {@code selfAttention}
     */
    static FusedValue around(NDArray maps, NDArray selfAttention, BiFunction<NDArray, Shape, FusedValue> kernel) {
        Shape s = maps.getShape();
        NDArray flat = maps.stopGradient().reshape(s.get(0), s.get(1), s.get(2) * s.get(3));
        NDArray self = selfAttention == null ? null : selfAttention.stopGradient();
        NDArray aligned = self == null ? flat : flat.matMul(self.transpose(0, 2, 1));
        FusedValue onAligned = kernel.apply(aligned, s);
        NDArray gAligned = onAligned.gradients()[0];
        if (self == null) {
            return new FusedValue(onAligned.values(), gAligned.reshape(s));
        }
        return new FusedValue(onAligned.values(), gAligned.matMul(self).reshape(s),
                gAligned.transpose(0, 2, 1).matMul(flat));
    }
}
