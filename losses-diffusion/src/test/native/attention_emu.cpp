// The emulated attention module: attention.cu compiled for the CPU (see losses-core's cuda_emu.h).
#include "../../main/cuda/attention.cu"

CUDA_EMU_MODULE(CUDA_EMU_KERNEL(attention_segregation_f32), CUDA_EMU_KERNEL(attention_retention_f32),
                CUDA_EMU_KERNEL(attention_layout_f32), CUDA_EMU_KERNEL(attention_segregation_f64),
                CUDA_EMU_KERNEL(attention_retention_f64), CUDA_EMU_KERNEL(attention_layout_f64))
