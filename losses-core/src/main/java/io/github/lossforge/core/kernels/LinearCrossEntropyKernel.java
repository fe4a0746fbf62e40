package io.github.lossforge.core.kernels;

import ai.djl.Device;

/**
 * A fused linear cross-entropy kernel: from embeddings E (N, D), a classifier C (V, D) and an
 * optional bias (V) it computes per-token cross-entropy over the logits softcap(E·Cᵀ + b) and,
 * when asked, the gradients dE, dC and dbias of the weighted sum of the token losses, without ever
 * holding the N×V logits. What exactly is computed is specified by {@link LinearCrossEntropyProblem}.
 *
 * <p>Implementations are found by {@link Kernels} through {@link java.util.ServiceLoader} (list the
 * class in {@code META-INF/services/io.github.lossforge.core.kernels.LinearCrossEntropyKernel}); the
 * portable {@link BlockedLinearCrossEntropy} serves every device no implementation claims. A kernel
 * records nothing for autograd: its inputs are detached, and its callers turn the gradients into
 * autograd's through a surrogate (see {@code CutCrossEntropyLoss}).
 */
public interface LinearCrossEntropyKernel extends DeviceKernel {

    /**
     * A short name for reports and messages, e.g. {@code blocked-engine}.
     *
     * @return the name
     */
    @Override
    String name();

    /**
     * Whether the kernel runs on arrays of this device.
     *
     * @param device the device of the inputs
     * @return true when it does
     */
    @Override
    boolean supports(Device device);

    /**
     * Runs the kernel.
     *
     * @param problem the inputs and options (detached arrays, all on one device)
     * @return the token losses, the log-sum-exp and the requested gradients
     */
    LinearCrossEntropyResult run(LinearCrossEntropyProblem problem);
}
