package io.github.lossforge.core.kernels;

import ai.djl.ndarray.NDArray;

import org.jspecify.annotations.Nullable;

/**
 * The inputs of a fused linear cross-entropy. Every array is detached from autograd, on one device,
 * and floating ones share one dtype (the compute dtype: float32 or float64).
 *
 * <p>The gradients asked for are those of \( \sum_i w_i \ell_i \) (the token loss \( \ell_i \) as in
 * {@link LinearCrossEntropyOptions}); a token with weight 0 (an ignored position) contributes nothing.
 *
 * @param embeddings E (N, D)
 * @param classifier C (V, D)
 * @param bias b (V), or null for none
 * @param targets (N) int64 class indices in [0, V) (ignored positions hold any valid index)
 * @param weights (N) token weights w, in the compute dtype
 * @param options the token loss and the kernel's trade-offs
 * @param gradEmbeddings whether to compute dE
 * @param gradClassifier whether to compute dC
 * @param gradBias whether to compute dbias (ignored without a bias)
 */
public record LinearCrossEntropyProblem(
        NDArray embeddings,
        NDArray classifier,
        @Nullable NDArray bias,
        NDArray targets,
        NDArray weights,
        LinearCrossEntropyOptions options,
        boolean gradEmbeddings,
        boolean gradClassifier,
        boolean gradBias) {

    /**
     * Whether any gradient is asked for.
     *
     * @return true when the kernel must run its gradient pass
     */
    public boolean anyGradient() {
        return gradEmbeddings || gradClassifier || (gradBias && bias != null);
    }
}
