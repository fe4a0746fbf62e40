package io.github.lossforge.core.kernels;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.lossforge.core.engine.PtEngineAdapter;

/**
 * The CUDA Cut Cross-Entropy kernel ({@code src/main/cuda/cce.cu}; Wijmans et al., "Cut Your Losses in
 * Large-Vocabulary Language Models", 2024, arXiv:2411.09009) behind the {@link LinearCrossEntropyKernel}
 * interface: the same problem, options and results as {@link BlockedLinearCrossEntropy}, computed by two
 * launches through a {@link KernelLauncher}.
 *
 * <ol>
 *   <li>{@code cce_forward}: per tile of tokens, every vocabulary tile's logits softcap(E·Cᵀ + b) merged
 *       into a per-token online log-sum-exp, the target logit by an indexed dot product, and the token loss
 *       \( \ell_i = \mathrm{LSE}_i - (1-\varepsilon) z_{i,y_i} - \frac{\varepsilon}{V} \sum_v z_{iv} +
 *       \lambda\,\mathrm{LSE}_i^2 \); with {@code sortVocab} also each class's logit sum over the weighted
 *       tokens, whose descending order (an engine {@code argSort}) is the gradient pass's visiting order;
 *   <li>{@code cce_backward} (only when a gradient is asked for): per (vocabulary tile, token tile) the
 *       recomputed logits give \( G = w \odot (A - \varepsilon/V) \), A as in {@link BlockedLinearCrossEntropy},
 *       and \( dE \mathrel{+}= G C \), \( dC \mathrel{+}= G^\top E \), \( db \mathrel{+}= \sum_i G_i \).
 * </ol>
 *
 * <p>Filtering works per (token, vocabulary tile) with the tile's width as the block: the result equals the
 * portable path's with {@code blockSize} = the tile width ({@link LinearCrossEntropyResult#blockSize}
 * reports it); an explicit {@code blockSize} option does not change the tiles. Inputs are float32 or
 * float64 (the loss widens float16 first, so accumulation is at least float32).
 */
public final class CudaLinearCrossEntropy extends LaunchedKernel implements LinearCrossEntropyKernel {

    /** The kernels' module: {@code cce.cu}. */
    public static final KernelModule MODULE = new KernelModule("cce", CudaLinearCrossEntropy.class);

    /** CUDA's limit of a grid's y size, which counts the backward pass's vocabulary tiles. */
    private static final int MAX_GRID_Y = 65535;

    /**
     * A compiled tile shape: BN tokens × BV vocabulary entries per block (one thread each), the hidden size
     * streamed in chunks of BK (per element type). Only the shapes instantiated in {@code cce.cu} exist.
     *
     * @param tokens BN
     * @param vocab BV
     * @param hiddenFloat BK of the float32 kernels
     * @param hiddenDouble BK of the float64 kernels
     */
    public record Tiles(int tokens, int vocab, int hiddenFloat, int hiddenDouble) {

        /** The GPU tiles: 512 threads per block. */
        public static final Tiles GPU = new Tiles(16, 32, 32, 16);

        /** Small tiles for the CPU emulation (32 threads per block). */
        public static final Tiles EMULATION = new Tiles(4, 8, 8, 8);

        String suffix(DataType type) {
            boolean f32 = type == DataType.FLOAT32;
            return (f32 ? "f32_" : "f64_") + tokens + "x" + vocab + "x" + (f32 ? hiddenFloat : hiddenDouble);
        }
    }

    private final Tiles tiles;

    /** The registered kernel: the system's CUDA driver, GPU tiles. */
    public CudaLinearCrossEntropy() {
        this(CudaLauncher.system(), Tiles.GPU);
    }

    /**
     * A kernel over a launcher (the emulated one in tests).
     *
     * @param launcher launches the kernels
     * @param tiles the tile shape
     */
    public CudaLinearCrossEntropy(KernelLauncher launcher, Tiles tiles) {
        super("cce", launcher, MODULE);
        this.tiles = tiles;
    }

    /** {@inheritDoc} */
    @Override
    public LinearCrossEntropyResult run(LinearCrossEntropyProblem p) {
        DataType type = p.embeddings().getDataType();
        if (type != DataType.FLOAT32 && type != DataType.FLOAT64) {
            throw new IllegalArgumentException("cce kernel: embeddings must be float32 or float64, got " + type);
        }
        long vocab = p.classifier().getShape().get(0);
        if (Dim3.tiles(vocab, tiles.vocab()) > MAX_GRID_Y) {
            throw new IllegalArgumentException("cce kernel: a vocabulary of " + vocab + " needs more than " + MAX_GRID_Y
                    + " tiles of " + tiles.vocab() + " (the grid's y limit); use the portable path (" + Kernels.PROPERTY
                    + "=portable)");
        }
        NDArray e = PtEngineAdapter.contiguous(p.embeddings());
        NDArray c = PtEngineAdapter.contiguous(p.classifier());
        NDArray b = p.bias() == null ? null : PtEngineAdapter.contiguous(p.bias());
        NDArray y = PtEngineAdapter.contiguous(p.targets().toType(DataType.INT64, false));
        NDArray w = PtEngineAdapter.contiguous(p.weights());
        long n = e.getShape().get(0);
        long v = c.getShape().get(0);
        LinearCrossEntropyOptions o = p.options();
        NDManager manager = e.getManager();
        Device device = e.getDevice();
        NDArray tokenLoss = manager.zeros(new Shape(n), type, device);
        NDArray lse = manager.zeros(new Shape(n), type, device);
        NDArray classLogitSum = o.sortVocab() && p.anyGradient() ? manager.zeros(new Shape(v), type, device) : null;
        Dim3 block = Dim3.of(tiles.tokens() * tiles.vocab());
        String suffix = tiles.suffix(type);
        launcher().launch(device, MODULE, "cce_forward_" + suffix, Dim3.of(Dim3.tiles(n, tiles.tokens())), block,
                problemArgs(e, c, b, y, w, null, o, type).array(tokenLoss).array(lse).array(classLogitSum));
        if (!p.anyGradient()) {
            return new LinearCrossEntropyResult(tokenLoss, lse, null, null, null, tiles.vocab());
        }
        NDArray order = classLogitSum == null ? null : classLogitSum.argSort(0, false);
        NDArray dE = p.gradEmbeddings() ? manager.zeros(e.getShape(), type, device) : null;
        NDArray dC = p.gradClassifier() ? manager.zeros(c.getShape(), type, device) : null;
        NDArray dB = p.gradBias() && b != null ? manager.zeros(b.getShape(), type, device) : null;
        Dim3 grid = new Dim3(Dim3.tiles(n, tiles.tokens()), Dim3.tiles(v, tiles.vocab()), 1);
        launcher().launch(device, MODULE, "cce_backward_" + suffix, grid, block,
                problemArgs(e, c, b, y, w, order, o, type).array(lse).scalar(type, o.filterEps())
                        .array(dE).array(dC).array(dB));
        return new LinearCrossEntropyResult(tokenLoss, lse, dE, dC, dB, tiles.vocab());
    }

    /** The parameters both kernels start with ({@code LF_CCE_ARGS} in cce.cu). */
    private static KernelArgs problemArgs(NDArray e, NDArray c, NDArray b, NDArray y, NDArray w, NDArray order,
            LinearCrossEntropyOptions o, DataType type) {
        return new KernelArgs().array(e).array(c).array(b).array(y).array(w).array(order)
                .int32(Math.toIntExact(e.getShape().get(0))).int32(Math.toIntExact(c.getShape().get(0)))
                .int32(Math.toIntExact(e.getShape().get(1)))
                .scalar(type, o.softcap()).scalar(type, o.labelSmoothing()).scalar(type, o.zLossScale());
    }
}
