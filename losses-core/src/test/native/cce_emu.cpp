// The emulated CCE module: cce.cu compiled for the CPU (see ../../main/cuda/emu/cuda_emu.h), exporting
// the kernels the Java launcher asks for by name.
#include "../../main/cuda/cce.cu"

CUDA_EMU_MODULE(CUDA_EMU_KERNEL(cce_forward_f32_16x32x32), CUDA_EMU_KERNEL(cce_backward_f32_16x32x32),
                CUDA_EMU_KERNEL(cce_forward_f64_16x32x16), CUDA_EMU_KERNEL(cce_backward_f64_16x32x16),
                CUDA_EMU_KERNEL(cce_forward_f32_4x8x8), CUDA_EMU_KERNEL(cce_backward_f32_4x8x8),
                CUDA_EMU_KERNEL(cce_forward_f64_4x8x8), CUDA_EMU_KERNEL(cce_backward_f64_4x8x8))
