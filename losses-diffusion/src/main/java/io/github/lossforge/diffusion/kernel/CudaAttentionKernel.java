package io.github.lossforge.diffusion.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.engine.PtEngineAdapter;
import io.github.lossforge.core.kernels.CudaLauncher;
import io.github.lossforge.core.kernels.Dim3;
import io.github.lossforge.core.kernels.KernelArgs;
import io.github.lossforge.core.kernels.KernelLauncher;
import io.github.lossforge.core.kernels.KernelModule;
import io.github.lossforge.core.kernels.LaunchedKernel;

/**
 * The CUDA {@link AttentionKernel} ({@code src/main/cuda/attention.cu}): A-STAR segregation and retention and
 * BACON's layout terms, each value and its gradient in one kernel, as {@link CpuAttentionKernel} computes them
 * (sums in double, ties of {@code min} split evenly). One block per (pair of maps, image) for segregation, per
 * (concept, image) otherwise, the block's threads striding over the pixels and reducing with warp shuffles;
 * segregation adds each pair's gradient share atomically. BACON's self-attention alignment stays engine GEMMs
 * around the layout kernel ({@link SelfAttentionAlignment}).
 *
 * <p>Through {@link io.github.lossforge.core.kernels.EmulatedLauncher} the same kernels run on CPU arrays (the
 * tests); the registered instance uses the CUDA driver and serves CUDA arrays where the driver, the device and
 * the module load. Maps are float32 or float64.
 */
public final class CudaAttentionKernel extends LaunchedKernel implements AttentionKernel {

    /** The kernels' module: {@code attention.cu}. */
    public static final KernelModule MODULE = new KernelModule("attention", CudaAttentionKernel.class);

    /** Threads per block on a GPU. */
    public static final int GPU_BLOCK = 256;

    private final int block;

    /** The registered kernel: the system's CUDA driver, {@value #GPU_BLOCK} threads per block. */
    public CudaAttentionKernel() {
        this(CudaLauncher.system(), GPU_BLOCK);
    }

    /**
     * A kernel over a launcher (the emulated one in tests).
     *
     * @param launcher launches the kernels
     * @param block threads per block, a multiple of 32 up to 1024
     * @throws IllegalArgumentException for another block size
     */
    public CudaAttentionKernel(KernelLauncher launcher, int block) {
        super("attention", launcher, MODULE);
        if (block < 32 || block > 1024 || block % 32 != 0) {
            throw new IllegalArgumentException("attention kernel: block must be a multiple of 32 in [32, 1024], got "
                    + block);
        }
        this.block = block;
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue segregation(NDArray maps, double eps) {
        NDArray a = input(maps);
        Shape s = a.getShape();
        int k = Math.toIntExact(s.get(1));
        Outputs out = new Outputs(a);
        int pairs = k * (k - 1) / 2;
        if (pairs > 0) {
            launch("segregation", a, new Dim3(pairs, Math.toIntExact(s.get(0)), 1), new KernelArgs().array(a).int32(k)
                    .int32(Math.toIntExact(s.get(2))).scalar(a.getDataType(), eps).array(out.values).array(out.grad));
        }
        return new FusedValue(out.values, out.grad);
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue retention(NDArray maps, NDArray masks, double eps) {
        NDArray a = input(maps);
        NDArray b = PtEngineAdapter.contiguous(masks.stopGradient());
        Shape s = a.getShape();
        Outputs out = new Outputs(a);
        launch("retention", a, grid(s), new KernelArgs().array(a).array(b).int32(Math.toIntExact(s.get(1)))
                .int32(Math.toIntExact(s.get(2))).scalar(a.getDataType(), eps).array(out.values).array(out.grad));
        return new FusedValue(out.values, out.grad);
    }

    /** {@inheritDoc} */
    @Override
    public FusedValue layout(NDArray maps, NDArray selfAttention, NDArray masks, LayoutWeights weights) {
        input(maps);
        NDArray m = PtEngineAdapter.contiguous(masks.stopGradient());
        return SelfAttentionAlignment.around(maps, selfAttention, (aligned, s) -> {
            NDArray a = PtEngineAdapter.contiguous(aligned);
            DataType type = a.getDataType();
            Outputs out = new Outputs(a);
            NDManager manager = a.getManager();
            int h = Math.toIntExact(s.get(2));
            int w = Math.toIntExact(s.get(3));
            NDArray colDev = manager.zeros(new Shape(s.get(0), s.get(1), w), type, a.getDevice());
            NDArray rowDev = manager.zeros(new Shape(s.get(0), s.get(1), h), type, a.getDevice());
            launch("layout", a, grid(a.getShape()), new KernelArgs().array(a).array(m).int32(Math.toIntExact(s.get(1)))
                    .int32(h).int32(w).scalar(type, weights.inside()).scalar(type, weights.outside())
                    .scalar(type, weights.marginal()).scalar(type, weights.eps())
                    .array(out.values).array(out.grad).array(colDev).array(rowDev));
            colDev.close();
            rowDev.close();
            return new FusedValue(out.values, out.grad);
        });
    }

    private static NDArray input(NDArray maps) {
        DataType type = maps.getDataType();
        if (type != DataType.FLOAT32 && type != DataType.FLOAT64) {
            throw new IllegalArgumentException("attention kernel: maps must be float32 or float64, got " + type);
        }
        return PtEngineAdapter.contiguous(maps.stopGradient());
    }

    /** (K, N): one block per concept and image. */
    private static Dim3 grid(Shape s) {
        return new Dim3(Math.toIntExact(s.get(1)), Math.toIntExact(s.get(0)), 1);
    }

    private void launch(String loss, NDArray a, Dim3 grid, KernelArgs args) {
        String suffix = a.getDataType() == DataType.FLOAT32 ? "f32" : "f64";
        launcher().launch(a.getDevice(), MODULE, "attention_" + loss + "_" + suffix, grid, Dim3.of(block), args);
    }

    /** Zeroed values (N) and gradient (the maps' shape) on the maps' device. */
    private static final class Outputs {
        final NDArray values;
        final NDArray grad;

        Outputs(NDArray a) {
            NDManager manager = a.getManager();
            values = manager.zeros(new Shape(a.getShape().get(0)), a.getDataType(), a.getDevice());
            grad = manager.zeros(a.getShape(), a.getDataType(), a.getDevice());
        }
    }
}
