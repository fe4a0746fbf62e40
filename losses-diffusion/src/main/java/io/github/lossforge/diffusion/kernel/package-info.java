/**
 * Fused kernels of the attention-constrained losses (spec §3): {@link
 * io.github.lossforge.diffusion.kernel.AttentionKernel} (the family its implementations register under
 * through {@link java.util.ServiceLoader}, chosen per device by core's {@link
 * io.github.lossforge.core.kernels.Kernels}), the {@link io.github.lossforge.diffusion.kernel.CpuAttentionKernel},
 * the {@link io.github.lossforge.diffusion.kernel.CudaAttentionKernel} ({@code src/main/cuda/attention.cu}), and
 * the surrogate trick in {@link
 * io.github.lossforge.diffusion.kernel.FusedValue}.
 */
@NullMarked
package io.github.lossforge.diffusion.kernel;

import org.jspecify.annotations.NullMarked;
