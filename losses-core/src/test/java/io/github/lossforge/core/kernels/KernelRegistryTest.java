package io.github.lossforge.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * The registry's choice and the CUDA launcher's refusals, without a GPU: libcuda missing, no device, a
 * driver that refuses the module, and a driver that accepts everything (a fake binding recording calls).
 */
class KernelRegistryTest {

    private static final int UNSUPPORTED_PTX_VERSION = 222;

    @AfterEach
    void restoreTheSwitch() {
        Kernels.setMode(null);
        System.clearProperty(Kernels.PROPERTY);
    }

    @Test
    void aMissingLibcudaRefusesWithOneLineAndTheKernelDoesNotClaimTheGpu() {
        CudaLauncher launcher = new CudaLauncher(() -> Native.load("lossforge-no-such-libcuda", CudaDriver.class));
        CudaLinearCrossEntropy kernel = new CudaLinearCrossEntropy(launcher, CudaLinearCrossEntropy.Tiles.GPU);
        assertThat(kernel.supports(Device.gpu())).isFalse();
        assertThat(kernel.refusal(Device.gpu())).contains("libcuda cannot be loaded").doesNotContain("\n");
        assertThatThrownBy(() -> launcher.launch(Device.gpu(), CudaLinearCrossEntropy.MODULE, "cce_forward_f32_16x32x32",
                Dim3.of(1), Dim3.of(1), new KernelArgs())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("libcuda cannot be loaded");
    }

    @Test
    void aDriverThatRefusesThePtxGivesTheDriverVersionAndTheCudaError() {
        FakeDriver driver = new FakeDriver(1, 12020, UNSUPPORTED_PTX_VERSION);
        CudaLinearCrossEntropy kernel = new CudaLinearCrossEntropy(new CudaLauncher(() -> driver),
                CudaLinearCrossEntropy.Tiles.GPU);
        assertThat(kernel.supports(Device.gpu())).isFalse();
        assertThat(kernel.refusal(Device.gpu()))
                .contains("CUDA 12.2", "refused module cce", "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "fake description")
                .doesNotContain("\n");
        // the PTX handed to the driver is the shipped resource, NUL-terminated
        assertThat(driver.loadedImage).startsWith("//").contains(".entry cce_forward_f32_16x32x32");
    }

    @Test
    void aDriverWithoutDevicesRefusesTheGpuOrdinal() {
        CudaLauncher launcher = new CudaLauncher(() -> new FakeDriver(1, 13000, 0));
        assertThat(launcher.refusal(Device.gpu(0), CudaLinearCrossEntropy.MODULE)).isNull();
        assertThat(launcher.refusal(Device.gpu(1), CudaLinearCrossEntropy.MODULE))
                .isEqualTo("CUDA device 1 does not exist (1 devices)");
    }

    @Test
    void aWorkingDriverServesGpuArraysOnlyAndLaunchesWithTheKernelsGridAndParameters() {
        FakeDriver driver = new FakeDriver(1, 13000, 0);
        CudaLauncher launcher = new CudaLauncher(() -> driver);
        CudaLinearCrossEntropy kernel = new CudaLinearCrossEntropy(launcher, CudaLinearCrossEntropy.Tiles.GPU);
        assertThat(kernel.supports(Device.gpu())).isTrue();
        assertThat(kernel.refusal(Device.gpu())).isNull();
        assertThat(kernel.supports(Device.cpu())).isFalse();
        launcher.launch(Device.gpu(), CudaLinearCrossEntropy.MODULE, "cce_backward_f32_16x32x32",
                new Dim3(4, 3, 1), Dim3.of(512), new KernelArgs().address(0).int32(7).scalar(ai.djl.ndarray.types.DataType.FLOAT32, 0.5));
        assertThat(driver.calls).containsSubsequence("cuInit", "cuDevicePrimaryCtxRetain", "cuModuleLoadData",
                "cuModuleGetFunction cce_backward_f32_16x32x32", "cuLaunchKernel grid 4x3x1 block 512x1x1 params 3 stream null");
    }

    @Test
    void aFailingLaunchCarriesTheDriversMessage() {
        FakeDriver driver = new FakeDriver(1, 13000, 0);
        driver.launchResult = 701;
        CudaLauncher launcher = new CudaLauncher(() -> driver);
        assertThatThrownBy(() -> launcher.launch(Device.gpu(), CudaLinearCrossEntropy.MODULE, "cce_forward_f32_16x32x32",
                Dim3.of(1), Dim3.of(1), new KernelArgs())).isInstanceOf(IllegalStateException.class)
                .hasMessage("cuLaunchKernel cce_forward_f32_16x32x32: CUDA_ERROR_701: fake description of 701");
    }

    @Test
    void theRegistryGivesThisGpulessMachineThePortablePathAndSaysWhy() {
        assertThat(Kernels.linearCrossEntropy(Device.cpu())).isSameAs(BlockedLinearCrossEntropy.INSTANCE);
        assertThat(Kernels.refusal(LinearCrossEntropyKernel.class, Device.cpu())).isEmpty();
        assertThat(Kernels.linearCrossEntropy(Device.gpu(3))).isSameAs(BlockedLinearCrossEntropy.INSTANCE);
        assertThat(Kernels.refusal(LinearCrossEntropyKernel.class, Device.gpu(3))).hasValueSatisfying(
                why -> assertThat(why).contains("cce-cuda-driver").containsAnyOf("libcuda", "CUDA"));
    }

    @Test
    void theSwitchReadsThePropertyAndTheSetterOverridesIt() {
        assertThat(Kernels.mode()).isEqualTo(Kernels.Mode.AUTO);
        System.setProperty(Kernels.PROPERTY, " Portable ");
        assertThat(Kernels.mode()).isEqualTo(Kernels.Mode.PORTABLE);
        assertThat(Kernels.select(LinearCrossEntropyKernel.class, Device.of("lossforge-test", 0))).isEmpty();
        assertThat(Kernels.refusal(LinearCrossEntropyKernel.class, Device.of("lossforge-test", 0)))
                .hasValue(Kernels.PROPERTY + "=portable");
        Kernels.setMode(Kernels.Mode.AUTO);
        assertThat(Kernels.select(LinearCrossEntropyKernel.class, Device.of("lossforge-test", 0))).isPresent();
        System.setProperty(Kernels.PROPERTY, "gpu");
        Kernels.setMode(null);
        assertThatThrownBy(Kernels::mode).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lossforge.kernels must be auto or portable, got 'gpu'");
    }

    /** A driver binding in Java: every call succeeds except the ones a test sets to fail. */
    static final class FakeDriver implements CudaDriver {
        final List<String> calls = new ArrayList<>();
        /** The strings handed out, kept reachable while the launcher reads them. */
        final List<Memory> strings = new ArrayList<>();
        final int devices;
        final int version;
        final int moduleResult;
        int launchResult;
        String loadedImage;

        FakeDriver(int devices, int version, int moduleResult) {
            this.devices = devices;
            this.version = version;
            this.moduleResult = moduleResult;
        }

        private int record(String call) {
            calls.add(call);
            return SUCCESS;
        }

        @Override
        public int cuInit(int flags) {
            return record("cuInit");
        }

        @Override
        public int cuDriverGetVersion(IntByReference v) {
            v.setValue(version);
            return record("cuDriverGetVersion");
        }

        @Override
        public int cuDeviceGetCount(IntByReference count) {
            count.setValue(devices);
            return record("cuDeviceGetCount");
        }

        @Override
        public int cuDeviceGet(IntByReference device, int ordinal) {
            device.setValue(ordinal);
            return record("cuDeviceGet");
        }

        @Override
        public int cuDevicePrimaryCtxRetain(PointerByReference context, int device) {
            context.setValue(new Pointer(0x1000 + device));
            return record("cuDevicePrimaryCtxRetain");
        }

        @Override
        public int cuCtxSetCurrent(Pointer context) {
            return record("cuCtxSetCurrent");
        }

        @Override
        public int cuModuleLoadData(PointerByReference module, Pointer image) {
            loadedImage = image.getString(0);
            record("cuModuleLoadData");
            module.setValue(new Pointer(0x2000));
            return moduleResult;
        }

        @Override
        public int cuModuleGetFunction(PointerByReference function, Pointer module, String name) {
            function.setValue(new Pointer(0x3000));
            return record("cuModuleGetFunction " + name);
        }

        @Override
        public int cuLaunchKernel(Pointer function, int gridX, int gridY, int gridZ, int blockX, int blockY,
                int blockZ, int sharedMemBytes, Pointer stream, Pointer[] kernelParams, Pointer extra) {
            record("cuLaunchKernel grid " + gridX + "x" + gridY + "x" + gridZ + " block " + blockX + "x" + blockY
                    + "x" + blockZ + " params " + kernelParams.length + " stream " + stream);
            return launchResult;
        }

        @Override
        public int cuCtxSynchronize() {
            return record("cuCtxSynchronize");
        }

        @Override
        public int cuGetErrorName(int error, PointerByReference name) {
            name.setValue(text(error == UNSUPPORTED_PTX_VERSION ? "CUDA_ERROR_UNSUPPORTED_PTX_VERSION" : "CUDA_ERROR_" + error));
            return SUCCESS;
        }

        @Override
        public int cuGetErrorString(int error, PointerByReference description) {
            description.setValue(text("fake description of " + error));
            return SUCCESS;
        }

        private Pointer text(String s) {
            Memory m = new Memory(s.length() + 1L);
            m.setString(0, s);
            strings.add(m);
            return m;
        }
    }
}
