package io.github.lossforge.diffusion.kernel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.engine.PtEngineAdapter;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * BACON's self-attention alignment around a per-pixel layout kernel: the kernel sees the aligned maps
 * \( \tilde A = A S^\top \) (per image, maps (K, P) and self-attention S (P, P)) and returns the values and
 * \( \partial L / \partial \tilde A \); the chain rule back to the inputs is \( \partial L/\partial A =
 * (\partial L/\partial \tilde A) S \) and \( \partial L/\partial S = (\partial L/\partial \tilde A)^\top A \),
 * engine GEMMs on detached arrays on the inputs' device ({@link #around}), or left to autograd through one
 * bilinear form ({@link #attached}).
 */
final class SelfAttentionAlignment {

    /** Row blocks of the self-attention in the CPU's \( G S \) product ({@link #product}). */
    private static final int ROW_BLOCKS = 64;

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

    /**
     * Runs a layout kernel on the aligned maps and returns its values carrying the gradients for autograd,
     * without forming \( \partial L/\partial S \) here: with \( G = \partial L/\partial \tilde A \) (detached)
     * and \( D = G S \) (recorded), the surrogate's linear term is the one product \( \sum A \odot D \), whose
     * value is \( \sum S \odot (G^\top A) \) and whose gradients are \( D = \partial L/\partial A \) and, by
     * the product's backward, \( G^\top A = \partial L/\partial S \), formed once by autograd as PyTorch's own
     * backward of \( S A^\top \) forms it. The spec §3 surrogate (first order only), as {@link
     * FusedValue#surrogate}, with two GEMMs in the forward pass (\( \tilde A \) and D) and no (P, P)
     * elementwise pass.
     *
     * @param maps (N, K, H, W) maps
     * @param selfAttention (N, P, P) self-attention
     * @param kernel from the aligned maps (N, K, H, W) to the values (N) and their gradient (N, K, H, W)
     * @return (N) values carrying the gradients with respect to {@code maps} and {@code selfAttention}
     */
    static NDArray attached(NDArray maps, NDArray selfAttention, Function<NDArray, FusedValue> kernel) {
        Shape s = maps.getShape();
        Shape flatShape = new Shape(s.get(0), s.get(1), s.get(2) * s.get(3));
        NDArray flat = maps.reshape(flatShape);
        NDArray aligned = flat.stopGradient().matMul(selfAttention.stopGradient().transpose(0, 2, 1));
        FusedValue onAligned = kernel.apply(aligned.reshape(s));
        // not Surrogate.isNeeded: it asks hasGradient, which DJL answers false for arrays derived from a
        // leaf that requires a gradient (the batched view of a single image's maps)
        if (!PtEngineAdapter.isGradientRecording(maps)) {
            return onAligned.values();
        }
        NDArray linear = flat.mul(product(onAligned.gradients()[0].reshape(flatShape), selfAttention))
                .sum(new int[] {1, 2});
        return onAligned.values().add(linear.sub(linear.stopGradient()));
    }

    /**
     * \( G S \) for a detached G (N, K, P) and the recorded S (N, P, P). On the CPU as a sum over {@value
     * #ROW_BLOCKS} row blocks of S (when P divides into them), so that the backward forms \( \partial L /
     * \partial S \) as that many (P/B, K)·(K, P) products instead of one (P, K)·(K, P) product with K ≈ 4,
     * a shape libtorch 2.7's CPU BLAS runs about twice as slowly: at K = 4, P = 1024 on one thread,
     * forward and backward of this product together took 1.6 ms unblocked, 1.2 ms in 64 blocks (thread
     * CPU time on a loaded 2-core machine; a (N, 64, K, P) temporary, 1 MB there).
     */
    private static NDArray product(NDArray g, NDArray s) {
        Shape shape = g.getShape();
        long n = shape.get(0);
        long k = shape.get(1);
        long p = shape.get(2);
        if (!Device.Type.CPU.equals(s.getDevice().getDeviceType()) || p % ROW_BLOCKS != 0) {
            return g.matMul(s);
        }
        long rows = p / ROW_BLOCKS;
        NDArray blocksOfG = g.reshape(n, k, ROW_BLOCKS, rows).transpose(0, 2, 1, 3).reshape(n * ROW_BLOCKS, k, rows);
        return blocksOfG.matMul(s.reshape(n * ROW_BLOCKS, rows, p)).reshape(n, ROW_BLOCKS, k, p).sum(new int[] {1});
    }
}
