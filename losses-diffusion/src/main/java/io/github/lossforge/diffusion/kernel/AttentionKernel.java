package io.github.lossforge.diffusion.kernel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.kernels.DeviceKernel;

import org.jspecify.annotations.Nullable;

/**
 * A fused implementation of the attention-constrained diffusion losses (spec §3): one pass over the
 * K attention maps computes each image's loss value and its gradient together, with no autograd
 * graph; the loss classes return the result through {@link FusedValue#surrogate}. Implementations
 * are chosen by the device of the inputs through core's one kernel registry ({@code
 * Kernels.select(AttentionKernel.class, device)}); the module registers, through {@link
 * java.util.ServiceLoader} under this interface, the CUDA kernel ({@link CudaAttentionKernel}, which serves CUDA
 * arrays where it can run) and the CPU one, in that order.
 *
 * <p>Every method receives arrays it must not modify and returns detached arrays on the inputs'
 * device, in the inputs' dtype, owned by the engine (never wrapping Java memory), created under the
 * manager of the first input.
 */
public interface AttentionKernel extends DeviceKernel {

    /**
     * Whether this kernel runs on a device.
     *
     * @param device the inputs' device
     * @return true when {@link #segregation}, {@link #retention} and {@link #layout} run there
     */
    @Override
    boolean supports(Device device);

    /**
     * A-STAR segregation, per image: \( \sum_{m &lt; n} \sum_p \min(A^m_p, A^n_p) / (\sum_p (A^m_p + A^n_p) + \epsilon) \).
     *
     * @param maps (N, K, P) non-negative maps
     * @param eps the denominator's epsilon
     * @return values (N) and the gradient (N, K, P) with respect to {@code maps}
     */
    FusedValue segregation(NDArray maps, double eps);

    /**
     * A-STAR retention, per image: \( \sum_k 1 - \sum_p \min(A^k_p, B^k_p) / (\sum_p (A^k_p + B^k_p) + \epsilon) \).
     *
     * @param maps (N, K, P) non-negative current maps
     * @param masks (N, K, P) 0/1 masks of the previous step, in the maps' dtype
     * @param eps the denominator's epsilon
     * @return values (N) and the gradient (N, K, P) with respect to {@code maps}
     */
    FusedValue retention(NDArray maps, NDArray masks, double eps);

    /**
     * The A-STAR objective per image, {@link #segregation} plus {@link #retention}.
     *
     * @param maps (N, K, P) non-negative current maps
     * @param masks (N, K, P) 0/1 masks of the previous step, in the maps' dtype
     * @param eps the denominators' epsilon
     * @return values (N) and the gradient (N, K, P) with respect to {@code maps}
     */
    default FusedValue aStar(NDArray maps, NDArray masks, double eps) {
        FusedValue seg = segregation(maps, eps);
        FusedValue ret = retention(maps, masks, eps);
        return new FusedValue(seg.values().add(ret.values()), seg.gradients()[0].add(ret.gradients()[0]));
    }

    /**
     * BACON's boundary-constrained layout loss, per image, as documented on {@code
     * BoundaryConstrainedLayoutLoss}.
     *
     * @param maps (N, K, H, W) non-negative cross-attention maps
     * @param selfAttention (N, H·W, H·W) non-negative self-attention, or null for no alignment
     * @param masks (N, K, H, W) 0/1 layout masks in the maps' dtype, none empty
     * @param weights the term weights and the normaliser's epsilon
     * @return values (N) and the gradients with respect to {@code maps} and, when given, {@code selfAttention}
     */
    FusedValue layout(NDArray maps, @Nullable NDArray selfAttention, NDArray masks, LayoutWeights weights);

    /**
     * BACON's layout loss, per image, with its gradients attached for autograd: {@link #layout} without a
     * self-attention through {@link FusedValue#surrogate}; with one, {@link #layout} on the aligned maps and
     * the alignment's chain rule left to autograd through one bilinear form, so that the (H·W, H·W)
     * gradient with respect to the self-attention is formed once, by the backward pass (no elementwise
     * pass over the self-attention in the forward). First-order gradients only (spec §3).
     *
     * @param maps (N, K, H, W) non-negative cross-attention maps
     * @param selfAttention (N, H·W, H·W) non-negative self-attention, or null for no alignment
     * @param masks (N, K, H, W) 0/1 layout masks in the maps' dtype, none empty
     * @param weights the term weights and the normaliser's epsilon
     * @return values (N) carrying the gradients with respect to {@code maps} and, when given, {@code
     *     selfAttention}
     */
    default NDArray layoutSurrogate(NDArray maps, @Nullable NDArray selfAttention, NDArray masks,
            LayoutWeights weights) {
        return selfAttention == null ? layout(maps, null, masks, weights).surrogate(maps)
                : SelfAttentionAlignment.attached(maps, selfAttention, aligned -> layout(aligned, null, masks, weights));
    }

    /**
     * Whether {@link #layout} is faster than the loss's autograd composition for these inputs; when
     * it is not, the loss runs the composition (the value and gradient are the same either way).
     *
     * @param maps the shape (N, K, H, W) of the cross-attention maps
     * @param aligned whether a self-attention is given
     * @return true by default
     */
    default boolean fasterLayout(Shape maps, boolean aligned) {
        return true;
    }

    /**
     * The weights of BACON's three terms and the epsilon of its normaliser.
     *
     * @param inside w_in
     * @param outside w_out
     * @param marginal w_marg
     * @param eps added to each map's total before normalising
     */
    record LayoutWeights(double inside, double outside, double marginal, double eps) {}
}
