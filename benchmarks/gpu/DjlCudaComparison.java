import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.lossforge.core.kernels.BlockedLinearCrossEntropy;
import io.github.lossforge.core.kernels.CudaLinearCrossEntropy;
import io.github.lossforge.core.kernels.Kernels;
import io.github.lossforge.core.kernels.LinearCrossEntropyOptions;
import io.github.lossforge.core.kernels.LinearCrossEntropyProblem;
import io.github.lossforge.core.kernels.LinearCrossEntropyResult;
import io.github.lossforge.core.kernels.LinearCrossEntropyKernel;
import io.github.lossforge.diffusion.kernel.AttentionKernel;
import io.github.lossforge.diffusion.kernel.CpuAttentionKernel;
import io.github.lossforge.diffusion.kernel.CudaAttentionKernel;
import io.github.lossforge.diffusion.kernel.FusedValue;

/**
 * The DJL side of the GPU check (run by run-gpu-checks.sh only where DJL loads a CUDA libtorch): on gpu(0),
 * Cut Cross-Entropy at N=8192, D=2048, V=131072 in float32 through the registry's CUDA kernel, the portable
 * path and the naive composition (materialised logits, autograd), forward + backward, each the median of three
 * runs after one warm-up, as ratios to naive; then the attention kernels on CUDA arrays against the CPU kernel.
 * Single-file program: java -cp CLASSPATH DjlCudaComparison.java
 */
public final class DjlCudaComparison {

    public static void main(String[] args) {
        Device gpu = Device.gpu(0);
        System.out.println("engine: " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                + ", GPUs visible to DJL: " + Engine.getInstance().getGpuCount());
        LinearCrossEntropyKernel chosen = Kernels.linearCrossEntropy(gpu);
        System.out.println("registry's kernel for " + gpu + ": " + chosen.name()
                + Kernels.refusal(LinearCrossEntropyKernel.class, gpu).map(r -> " (refused: " + r + ")").orElse(""));
        try (NDManager m = NDManager.newBaseManager(gpu)) {
            cce(m, chosen);
            attention(m);
        }
    }

    private static void cce(NDManager m, LinearCrossEntropyKernel chosen) {
        int n = 8192;
        int d = 2048;
        int v = 131072;
        NDArray e = m.randomNormal(0, 0.05f, new Shape(n, d), DataType.FLOAT32);
        NDArray c = m.randomNormal(0, 0.05f, new Shape(v, d), DataType.FLOAT32);
        NDArray y = m.randomInteger(0, v, new Shape(n), DataType.INT64);
        NDArray w = m.ones(new Shape(n), DataType.FLOAT32);
        LinearCrossEntropyProblem p = new LinearCrossEntropyProblem(e, c, null, y, w,
                LinearCrossEntropyOptions.exact(), true, true, false);
        double naive = median(() -> naive(e, c, y));
        double cuda = chosen instanceof CudaLinearCrossEntropy ? median(() -> kernel(chosen, p)) : Double.NaN;
        double portable = median(() -> kernel(BlockedLinearCrossEntropy.INSTANCE, p));
        System.out.printf("%n| cce N=8192 D=2048 V=131072 float32, fwd+bwd | ms (median of 3) | vs naive |%n|---|---:|---:|%n");
        System.out.printf("| naive (materialised logits, autograd) | %.1f | 1.000x |%n", naive);
        System.out.printf("| portable (blocked engine ops) | %.1f | %.3fx |%n", portable, portable / naive);
        System.out.printf("| CUDA kernel (%s) | %.1f | %.3fx |%n", chosen.name(), cuda, cuda / naive);
        if (chosen instanceof CudaLinearCrossEntropy) {
            LinearCrossEntropyResult a = chosen.run(p);
            LinearCrossEntropyResult b = BlockedLinearCrossEntropy.INSTANCE.run(p);
            System.out.printf("CUDA vs portable: max |loss diff| %.2e, max |dE diff| / max|dE| %.2e, max |dC diff| / max|dC| %.2e%n",
                    a.tokenLoss().sub(b.tokenLoss()).abs().max().getFloat(),
                    a.gradEmbeddings().sub(b.gradEmbeddings()).abs().max().getFloat() / b.gradEmbeddings().abs().max().getFloat(),
                    a.gradClassifier().sub(b.gradClassifier()).abs().max().getFloat() / b.gradClassifier().abs().max().getFloat());
        }
    }

    private static void kernel(LinearCrossEntropyKernel k, LinearCrossEntropyProblem p) {
        try (NDManager scope = p.embeddings().getManager().newSubManager()) {
            LinearCrossEntropyResult r = k.run(p);
            r.tokenLoss().attach(scope);
            r.gradEmbeddings().attach(scope);
            r.gradClassifier().attach(scope);
            r.gradClassifier().sum().getFloat();  // waits for the device
        }
    }

    private static void naive(NDArray e0, NDArray c0, NDArray y) {
        try (NDManager scope = e0.getManager().newSubManager()) {
            NDArray e = e0.duplicate();
            NDArray c = c0.duplicate();
            e.attach(scope);
            c.attach(scope);
            e.setRequiresGradient(true);
            c.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = e.matMul(c.transpose());
                NDArray loss = logits.logSoftmax(1).mul(y.oneHot((int) c.getShape().get(0), DataType.FLOAT32)).sum().neg();
                gc.backward(loss);
            }
            c.getGradient().sum().getFloat();
        }
    }

    private static void attention(NDManager m) {
        AttentionKernel cuda = new CudaAttentionKernel();
        AttentionKernel cpu = new CpuAttentionKernel();
        NDArray maps = m.randomUniform(0, 1, new Shape(8, 6, 64 * 64), DataType.FLOAT32);
        NDArray masks = maps.gt(0.5).toType(DataType.FLOAT32, false);
        NDArray cpuMaps = maps.toDevice(Device.cpu(), true);
        NDArray cpuMasks = masks.toDevice(Device.cpu(), true);
        System.out.printf("%n| attention, 8 images, K=6, 64x64, float32 | CUDA ms (median of 3) | CPU kernel ms | max |diff| / scale |%n|---|---:|---:|---:|%n");
        row("segregation", () -> cuda.segregation(maps, 1e-6), () -> cpu.segregation(cpuMaps, 1e-6));
        row("retention", () -> cuda.retention(maps, masks, 1e-6), () -> cpu.retention(cpuMaps, cpuMasks, 1e-6));
        NDArray maps4 = maps.reshape(8, 6, 64, 64);
        NDArray masks4 = masks.reshape(8, 6, 64, 64);
        AttentionKernel.LayoutWeights weights = new AttentionKernel.LayoutWeights(1, 1, 1, 1e-6);
        row("layout", () -> cuda.layout(maps4, null, masks4, weights),
                () -> cpu.layout(cpuMaps.reshape(8, 6, 64, 64), null, cpuMasks.reshape(8, 6, 64, 64), weights));
    }

    private static void row(String name, java.util.function.Supplier<FusedValue> gpu, java.util.function.Supplier<FusedValue> host) {
        FusedValue[] last = new FusedValue[2];
        double g = median(() -> {
            last[0] = gpu.get();
            last[0].gradients()[0].sum().getFloat();
        });
        double h = median(() -> last[1] = host.get());
        NDArray a = last[0].gradients()[0].toDevice(Device.cpu(), true);
        NDArray b = last[1].gradients()[0];
        System.out.printf("| %s | %.2f | %.2f | %.2e |%n", name, g, h,
                a.sub(b).abs().max().getFloat() / b.abs().max().getFloat());
    }

    private static double median(Runnable r) {
        r.run();
        double[] t = new double[3];
        for (int i = 0; i < t.length; i++) {
            long start = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(t);
        return t[1];
    }
}
