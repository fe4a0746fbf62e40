package io.github.lossforge.core.kernels;

/**
 * The options of a fused linear cross-entropy: what the token loss is, and how the kernel may
 * trade exactness or memory for speed.
 *
 * <p>Token loss: \( \ell_i = \mathrm{LSE}_i - (1-\varepsilon) z_{i,y_i} - \frac{\varepsilon}{V}
 * \sum_v z_{iv} + \lambda\,\mathrm{LSE}_i^2 \) with \( z = s\tanh((E C^\top + b)/s) \) when the
 * softcap s &gt; 0, else \( z = E C^\top + b \), and \( \mathrm{LSE}_i = \log \sum_v e^{z_{iv}} \).
 *
 * @param softcap s ≥ 0; 0 turns the softcap off
 * @param labelSmoothing ε in [0, 1], spread over all V classes as PyTorch's cross-entropy does
 * @param zLossScale λ ≥ 0, the weight of the PaLM log-Z² penalty LSE²
 * @param filterEps ≥ 0: gradient entries of a (token, vocabulary block) tile whose every |∂ℓ/∂logit|
 *     (before the token weight) is below it are skipped; 0 is exact
 * @param sortVocab whether the gradient pass visits the vocabulary sorted by mean logit, so the
 *     entries that matter cluster into few blocks (only changes what filtering skips)
 * @param blockSize vocabulary entries per block, 0 for automatic from N, D and the memory budget
 * @param memoryBudget bytes the per-block temporaries may take when the block size is automatic
 */
public record LinearCrossEntropyOptions(
        double softcap,
        double labelSmoothing,
        double zLossScale,
        double filterEps,
        boolean sortVocab,
        int blockSize,
        long memoryBudget) {

    /** The default memory budget of the per-block temporaries: 64 MiB. */
    public static final long DEFAULT_MEMORY_BUDGET = 64L << 20;

    /**
     * Checks the ranges.
     *
     * @throws IllegalArgumentException for a value out of range
     */
    public LinearCrossEntropyOptions {
        require(softcap >= 0 && Double.isFinite(softcap), "softcap must be finite and ≥ 0, got " + softcap);
        require(labelSmoothing >= 0 && labelSmoothing <= 1,
                "labelSmoothing must lie in [0, 1], got " + labelSmoothing);
        require(zLossScale >= 0 && Double.isFinite(zLossScale),
                "zLossScale must be finite and ≥ 0, got " + zLossScale);
        require(filterEps >= 0 && Double.isFinite(filterEps), "filterEps must be finite and ≥ 0, got " + filterEps);
        require(blockSize >= 0, "blockSize must be ≥ 0 (0 = automatic), got " + blockSize);
        require(memoryBudget > 0, "memoryBudget must be > 0 bytes, got " + memoryBudget);
    }

    /**
     * Exact plain cross-entropy with automatic blocks.
     *
     * @return the options
     */
    public static LinearCrossEntropyOptions exact() {
        return new LinearCrossEntropyOptions(0, 0, 0, 0, false, 0, DEFAULT_MEMORY_BUDGET);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
