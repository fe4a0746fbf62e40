/**
 * Fused kernels of the attention-constrained losses (spec §3): {@link
 * io.github.lossforge.diffusion.kernel.AttentionKernel} (the interface a CUDA implementation
 * registers through {@link java.util.ServiceLoader}), the built-in {@link
 * io.github.lossforge.diffusion.kernel.CpuAttentionKernel}, the device-based choice in {@link
 * io.github.lossforge.diffusion.kernel.AttentionKernels}, and the surrogate trick in {@link
 * io.github.lossforge.diffusion.kernel.FusedValue}.
 */
@NullMarked
package io.github.lossforge.diffusion.kernel;

import org.jspecify.annotations.NullMarked;
