package io.github.lossforge.core.kernels;

import ai.djl.ndarray.NDArray;

import org.jspecify.annotations.Nullable;

/**
 * What a fused linear cross-entropy kernel returns. Gradients not asked for are null.
 *
 * @param tokenLoss (N) the token losses \( \ell_i \), unweighted (ignored positions included)
 * @param logSumExp (N) \( \mathrm{LSE}_i \) over the (softcapped) logits
 * @param gradEmbeddings (N, D) dE of \( \sum_i w_i \ell_i \), or null
 * @param gradClassifier (V, D) dC, or null
 * @param gradBias (V) dbias, or null
 * @param blockSize the vocabulary block size used
 */
public record LinearCrossEntropyResult(
        NDArray tokenLoss,
        NDArray logSumExp,
        @Nullable NDArray gradEmbeddings,
        @Nullable NDArray gradClassifier,
        @Nullable NDArray gradBias,
        int blockSize) {}
