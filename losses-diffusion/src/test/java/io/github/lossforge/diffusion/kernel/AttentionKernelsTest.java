package io.github.lossforge.diffusion.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.kernels.EmulatedKernels;
import io.github.lossforge.core.kernels.Kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AttentionKernelsTest {

    @AfterEach
    void restoreTheSwitch() {
        Kernels.setMode(null);
    }

    @Test
    void theCoreRegistryGivesTheCpuTheCpuKernelAndAGpulessMachineTheComposition() {
        assertThat(Kernels.select(AttentionKernel.class, Device.cpu())).containsInstanceOf(CpuAttentionKernel.class);
        assertThat(Kernels.select(AttentionKernel.class, Device.gpu())).isEmpty();
        // the CUDA kernel is registered and said why it cannot serve the GPU here
        assertThat(Kernels.refusal(AttentionKernel.class, Device.gpu())).hasValueSatisfying(
                why -> assertThat(why).contains("attention-cuda-driver"));
    }

    @Test
    void thePortableSwitchForcesTheComposition() {
        Kernels.setMode(Kernels.Mode.PORTABLE);
        assertThat(Kernels.select(AttentionKernel.class, Device.cpu())).isEmpty();
        Kernels.setMode(Kernels.Mode.AUTO);
        assertThat(Kernels.select(AttentionKernel.class, Device.cpu())).isPresent();
    }

    @Test
    void theEmulatedCudaKernelServesOnlyTheDevicesItsLauncherRuns() {
        CudaAttentionKernel emulated = new CudaAttentionKernel(
                EmulatedKernels.launcher(CudaAttentionKernel.MODULE), 32);
        assertThat(emulated.supports(Device.cpu())).isTrue();
        assertThat(emulated.supports(Device.gpu())).isFalse();
        assertThat(emulated.refusal(Device.gpu())).contains("emulation runs on CPU arrays");
    }

    @Test
    void surrogateReturnsTheValuesExactlyAndTheGradientsThroughAutograd() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray y = m.create(new double[] {7, 8}, new Shape(2, 1));
            x.setRequiresGradient(true);
            y.setRequiresGradient(true);
            NDArray values = m.create(new double[] {0.1, 1e-17});
            NDArray gx = m.create(new double[] {1, -2, 3, -4, 5, -6}, new Shape(2, 3));
            NDArray gy = m.create(new double[] {0.5, 0.25}, new Shape(2, 1));
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray out = new FusedValue(values, gx, gy).surrogate(x, y);
                assertThat(out.toDoubleArray()).containsExactly(0.1, 1e-17);
                c.backward(out.sum());
            }
            assertThat(x.getGradient().toDoubleArray()).containsExactly(gx.toDoubleArray());
            assertThat(y.getGradient().toDoubleArray()).containsExactly(gy.toDoubleArray());
            assertThatThrownBy(() -> new FusedValue(values, gx).surrogate(x, y))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 inputs for 1 gradients");
        }
    }

    @Test
    void cpuKernelResultsKeepTheInputDtype() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray maps = m.randomUniform(0, 1, new Shape(2, 3, 4), DataType.FLOAT32);
            FusedValue v = new CpuAttentionKernel().segregation(maps, 1e-8);
            assertThat(v.values().getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(v.gradients()[0].getShape()).isEqualTo(maps.getShape());
            assertThat(v.gradients()[0].getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void theCpuLayoutKernelIsChosenOnlyWhereItBeatsTheComposition() {
        CpuAttentionKernel cpu = new CpuAttentionKernel();
        assertThat(cpu.fasterLayout(new Shape(1, 8, 64, 64), false)).as("8 maps of 64×64, no self-attention").isFalse();
        assertThat(cpu.fasterLayout(new Shape(1, 8, 64, 64), true)).as("with self-attention").isTrue();
        assertThat(cpu.fasterLayout(new Shape(4, 8, 128, 128), false)).as("4 images of 8 maps of 128×128").isFalse();
    }
}
