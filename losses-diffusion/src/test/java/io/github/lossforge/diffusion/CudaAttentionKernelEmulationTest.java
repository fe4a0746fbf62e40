package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.kernels.EmulatedKernels;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.diffusion.kernel.AttentionKernel;
import io.github.lossforge.diffusion.kernel.AttentionKernel.LayoutWeights;
import io.github.lossforge.diffusion.kernel.CpuAttentionKernel;
import io.github.lossforge.diffusion.kernel.CudaAttentionKernel;
import io.github.lossforge.diffusion.kernel.FusedValue;

import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * The CUDA attention kernels compiled for the CPU and launched through the real Java glue ({@link
 * CudaAttentionKernel} over the emulated launcher), against the CPU kernel, the plain autograd compositions
 * (A-STAR) and central finite differences of their own value (BACON's layout): K = 1 and several K, odd map
 * sizes, exact ties of min, float32 and float64.
 */
class CudaAttentionKernelEmulationTest {

    private static final double EPS = 1e-6;
    private static final LayoutWeights WEIGHTS = new LayoutWeights(1.0, 0.7, 2.5, 1e-6);

    private static AttentionKernel emulated() {
        return new CudaAttentionKernel(EmulatedKernels.launcher(CudaAttentionKernel.MODULE), 64);
    }

    /** Non-negative maps with exact ties between maps (equal values and shared zeros). */
    static NDArray maps(NDManager m, Random r, int n, int k, int p, DataType type) {
        double[] a = new double[n * k * p];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(5) == 0 ? 0 : r.nextDouble();
        }
        for (int img = 0; img < n; img++) {
            for (int q = 0; q < p; q += 3) {
                for (int j = 1; j < k; j++) {
                    a[(img * k + j) * p + q] = a[img * k * p + q];
                }
            }
        }
        return m.create(a, new Shape(n, k, p)).toType(type, false);
    }

    /** 0/1 boxes, one per (image, concept), none empty. */
    static NDArray boxes(NDManager m, Random r, int n, int k, int h, int w, DataType type) {
        double[] b = new double[n * k * h * w];
        for (int i = 0; i < n * k; i++) {
            int y0 = r.nextInt(h);
            int x0 = r.nextInt(w);
            int y1 = y0 + 1 + r.nextInt(h - y0);
            int x1 = x0 + 1 + r.nextInt(w - x0);
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    b[i * h * w + y * w + x] = 1;
                }
            }
        }
        return m.create(b, new Shape(n, k, h, w)).toType(type, false);
    }

    private static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    static void assertSame(String what, FusedValue got, FusedValue expected, double rel) {
        assertThat(got.values().getDataType()).isEqualTo(expected.values().getDataType());
        Close.assertClose(what + " values", doubles(got.values()), doubles(expected.values()), rel);
        assertThat(got.gradients()).hasSameSizeAs(expected.gradients());
        for (int i = 0; i < got.gradients().length; i++) {
            assertThat(got.gradients()[i].getShape()).isEqualTo(expected.gradients()[i].getShape());
            Close.assertClose(what + " gradient " + i, doubles(got.gradients()[i]), doubles(expected.gradients()[i]), rel);
        }
    }

    @Test
    void segregationMatchesTheCpuKernelAndTheAutogradComposition() {
        AttentionKernel cuda = emulated();
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(1);
            for (int k : new int[] {1, 2, 4}) {
                NDArray a = maps(m, r, 2, k, 35, DataType.FLOAT64);
                FusedValue got = cuda.segregation(a, EPS);
                assertSame("segregation K=" + k, got, new CpuAttentionKernel().segregation(a, EPS), 1e-10);
                NDArray x = a.duplicate();
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray v = AttentionMaps.segregationComposition(x, EPS);
                    Close.assertClose("segregation vs composition K=" + k, doubles(got.values()), doubles(v), 1e-10);
                    gc.backward(v.sum());
                }
                Close.assertClose("segregation gradient vs autograd K=" + k, doubles(got.gradients()[0]),
                        doubles(x.getGradient()), 1e-10);
            }
        }
    }

    @Test
    void retentionMatchesTheCpuKernelAndTheAutogradComposition() {
        AttentionKernel cuda = emulated();
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(2);
            for (int k : new int[] {1, 3}) {
                NDArray a = maps(m, r, 3, k, 33, DataType.FLOAT64);
                NDArray b = a.gt(0.5).toType(DataType.FLOAT64, false);
                FusedValue got = cuda.retention(a, b, EPS);
                assertSame("retention K=" + k, got, new CpuAttentionKernel().retention(a, b, EPS), 1e-10);
                NDArray x = a.duplicate();
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray v = AttentionMaps.retentionComposition(x, b, EPS);
                    Close.assertClose("retention vs composition K=" + k, doubles(got.values()), doubles(v), 1e-10);
                    gc.backward(v.sum());
                }
                Close.assertClose("retention gradient vs autograd K=" + k, doubles(got.gradients()[0]),
                        doubles(x.getGradient()), 1e-10);
            }
        }
    }

    @Test
    void layoutMatchesTheCpuKernelWithAndWithoutSelfAttentionOnOddMaps() {
        AttentionKernel cuda = emulated();
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(3);
            for (int k : new int[] {1, 3}) {
                int h = 5;
                int w = 7;
                NDArray a = maps(m, r, 2, k, h * w, DataType.FLOAT64).reshape(2, k, h, w);
                NDArray masks = boxes(m, r, 2, k, h, w, DataType.FLOAT64);
                NDArray self = m.randomUniform(0, 1, new Shape(2, h * w, h * w), DataType.FLOAT64);
                CpuAttentionKernel cpu = new CpuAttentionKernel();
                assertSame("layout K=" + k, cuda.layout(a, null, masks, WEIGHTS), cpu.layout(a, null, masks, WEIGHTS),
                        1e-10);
                assertSame("aligned layout K=" + k, cuda.layout(a, self, masks, WEIGHTS),
                        cpu.layout(a, self, masks, WEIGHTS), 1e-10);
            }
        }
    }

    @Test
    void layoutGradientMatchesCentralDifferencesOfTheKernelsOwnValue() {
        AttentionKernel cuda = emulated();
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(4);
            NDArray a = maps(m, r, 1, 2, 15, DataType.FLOAT64).reshape(1, 2, 3, 5).add(0.1);
            NDArray masks = boxes(m, r, 1, 2, 3, 5, DataType.FLOAT64);
            double[] grad = doubles(cuda.layout(a, null, masks, WEIGHTS).gradients()[0]);
            double[] x = doubles(a);
            double h = 1e-6;
            for (int i = 0; i < x.length; i += 4) {
                double[] plus = x.clone();
                double[] minus = x.clone();
                plus[i] += h;
                minus[i] -= h;
                double fp = cuda.layout(m.create(plus, a.getShape()), null, masks, WEIGHTS).values().getDouble(0);
                double fm = cuda.layout(m.create(minus, a.getShape()), null, masks, WEIGHTS).values().getDouble(0);
                assertThat(grad[i]).as("dL/dA[%d]", i).isCloseTo((fp - fm) / (2 * h), org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void float32ResultsStayFloat32AndMatchTheCpuKernel() {
        AttentionKernel cuda = emulated();
        try (NDManager m = NDManager.newBaseManager()) {
            Random r = new Random(5);
            NDArray a = maps(m, r, 2, 3, 21, DataType.FLOAT32);
            CpuAttentionKernel cpu = new CpuAttentionKernel();
            assertSame("float32 segregation", cuda.segregation(a, EPS), cpu.segregation(a, EPS), 1e-5);
            NDArray b = a.gt(0.4).toType(DataType.FLOAT32, false);
            assertSame("float32 retention", cuda.retention(a, b, EPS), cpu.retention(a, b, EPS), 1e-5);
            NDArray a4 = a.reshape(2, 3, 3, 7);
            NDArray masks = boxes(m, r, 2, 3, 3, 7, DataType.FLOAT32);
            assertSame("float32 layout", cuda.layout(a4, null, masks, WEIGHTS), cpu.layout(a4, null, masks, WEIGHTS),
                    1e-5);
        }
    }

    @Test
    void rejectsIntegerMapsAndBadBlockSizes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ints = m.zeros(new Shape(1, 2, 3), DataType.INT32);
            assertThatThrownBy(() -> emulated().segregation(ints, EPS)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("attention kernel").hasMessageContaining("int32");
        }
        assertThatThrownBy(() -> new CudaAttentionKernel(EmulatedKernels.launcher(CudaAttentionKernel.MODULE), 48))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 48");
    }
}
