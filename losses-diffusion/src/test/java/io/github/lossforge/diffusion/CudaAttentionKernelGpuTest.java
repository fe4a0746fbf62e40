package io.github.lossforge.diffusion;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.kernels.Kernels;
import io.github.lossforge.diffusion.kernel.AttentionKernel;
import io.github.lossforge.diffusion.kernel.CpuAttentionKernel;
import io.github.lossforge.diffusion.kernel.CudaAttentionKernel;
import io.github.lossforge.diffusion.kernel.FusedValue;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Random;

/**
 * The registered CUDA attention kernel on a real GPU against the CPU kernel: runs only where DJL sees a GPU
 * and the CUDA kernel can run there (skipped with the reason otherwise).
 */
class CudaAttentionKernelGpuTest {

    @Test
    void theRegistrysCudaKernelMatchesTheCpuKernelOnTheGpu() {
        assumeTrue(Engine.getInstance().getGpuCount() > 0, "GPU test skipped: DJL's engine sees no GPU");
        Device gpu = Device.gpu();
        Optional<AttentionKernel> kernel = Kernels.select(AttentionKernel.class, gpu);
        assumeTrue(kernel.isPresent() && kernel.get() instanceof CudaAttentionKernel, () -> "GPU test skipped: "
                + Kernels.refusal(AttentionKernel.class, gpu).orElse("no CUDA kernel"));
        AttentionKernel cuda = kernel.get();
        CpuAttentionKernel cpu = new CpuAttentionKernel();
        AttentionKernel.LayoutWeights weights = new AttentionKernel.LayoutWeights(1.0, 0.7, 2.5, 1e-6);
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            Random r = new Random(12);
            NDArray maps = CudaAttentionKernelEmulationTest.maps(host, r, 2, 3, 9 * 11, DataType.FLOAT64);
            NDArray masks = CudaAttentionKernelEmulationTest.boxes(host, r, 2, 3, 9, 11, DataType.FLOAT64);
            NDArray onGpu = maps.toDevice(gpu, true);
            NDArray masksOnGpu = masks.toDevice(gpu, true);
            CudaAttentionKernelEmulationTest.assertSame("GPU segregation", toCpu(cuda.segregation(onGpu, 1e-6)),
                    cpu.segregation(maps, 1e-6), 1e-10);
            NDArray flatMasks = masks.reshape(2, 3, 99);
            CudaAttentionKernelEmulationTest.assertSame("GPU retention",
                    toCpu(cuda.retention(onGpu, masksOnGpu.reshape(2, 3, 99), 1e-6)),
                    cpu.retention(maps, flatMasks, 1e-6), 1e-10);
            CudaAttentionKernelEmulationTest.assertSame("GPU layout",
                    toCpu(cuda.layout(onGpu.reshape(2, 3, 9, 11), null, masksOnGpu, weights)),
                    cpu.layout(maps.reshape(2, 3, 9, 11), null, masks, weights), 1e-10);
            NDArray self = host.randomUniform(0, 1, new Shape(2, 99, 99), DataType.FLOAT64);
            CudaAttentionKernelEmulationTest.assertSame("GPU aligned layout",
                    toCpu(cuda.layout(onGpu.reshape(2, 3, 9, 11), self.toDevice(gpu, true), masksOnGpu, weights)),
                    cpu.layout(maps.reshape(2, 3, 9, 11), self, masks, weights), 1e-10);
        }
    }

    private static FusedValue toCpu(FusedValue v) {
        NDArray[] grads = new NDArray[v.gradients().length];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = v.gradients()[i].toDevice(Device.cpu(), true);
        }
        return new FusedValue(v.values().toDevice(Device.cpu(), true), grads);
    }
}
