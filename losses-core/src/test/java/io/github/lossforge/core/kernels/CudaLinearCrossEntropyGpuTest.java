package io.github.lossforge.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import org.junit.jupiter.api.Test;

/**
 * The registered CUDA kernel on a real GPU, through DJL CUDA tensors: runs only where DJL sees a GPU and the
 * CUDA kernel can run there (skipped with the reason otherwise, as on this project's GPU-less machines).
 */
class CudaLinearCrossEntropyGpuTest {

    @Test
    void theRegistrysCudaKernelMatchesTheDoubleLoopsAndThePortablePathOnTheGpu() {
        assumeTrue(Engine.getInstance().getGpuCount() > 0, "GPU test skipped: DJL's engine sees no GPU");
        Device gpu = Device.gpu();
        LinearCrossEntropyKernel kernel = Kernels.linearCrossEntropy(gpu);
        assumeTrue(kernel instanceof CudaLinearCrossEntropy, () -> "GPU test skipped: "
                + Kernels.refusal(LinearCrossEntropyKernel.class, gpu).orElse("no CUDA kernel"));
        CudaLinearCrossEntropyEmulationTest.Case k = CudaLinearCrossEntropyEmulationTest.Case.random(45, 301, 67, true,
                3, 11);
        try (NDManager m = NDManager.newBaseManager(gpu)) {
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                LinearCrossEntropyProblem p = k.problem(m, type, CudaLinearCrossEntropyEmulationTest.ALL);
                assertThat(p.embeddings().getDevice()).isEqualTo(gpu);
                LinearCrossEntropyResult r = kernel.run(p);
                double rel = type == DataType.FLOAT32 ? 1e-5 : 1e-10;
                CudaLinearCrossEntropyEmulationTest.assertMatches("GPU " + type, r,
                        k.reference(CudaLinearCrossEntropyEmulationTest.ALL), rel);
                CudaLinearCrossEntropyEmulationTest.assertMatches("GPU vs portable " + type, r,
                        CudaLinearCrossEntropyEmulationTest.asArrays(BlockedLinearCrossEntropy.INSTANCE.run(p)), rel);
            }
        }
    }
}
