package io.github.lossforge.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.github.lossforge.diffusion.AStarLoss;
import io.github.lossforge.diffusion.AttentionMaps;
import io.github.lossforge.diffusion.BoundaryConstrainedLayoutLoss;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * JMH timing of one forward + backward step of the A-STAR ({@code astar}) and BACON ({@code bacon})
 * losses with their fused CPU kernel (the default) and with the plain autograd composition ({@code
 * optFused(false)}, the baseline), at K maps of S×S (default 8 of 64×64), float32, seeded. The maps
 * are uniform in [0, 1) normalised to sum 1 each; A-STAR's previous-step masks are the binarised
 * maps of a second draw (threshold 0.5 of each map's maximum); BACON's layout is eight boxes (a 4×2
 * grid), once without and once with a row-stochastic (S², S²) self-attention that requires a
 * gradient, as it does when it comes from the latent being guided. BACON's kernel is forced ({@code
 * optFused(true)}): by default the loss runs it on the CPU only with self-attention.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FusedKernelBenchmark {

    /** The number of maps K. */
    @Param({"8"})
    public int maps;

    /** The map side S. */
    @Param({"64"})
    public int size;

    private BenchArrays arrays;
    private NDList attention;
    private NDList attentionWithSelf;
    private NDList previousMasks;
    private NDList layout;
    private final Loss astarFused = AStarLoss.builder().build();
    private final Loss astarComposition = AStarLoss.builder().optFused(false).build();
    private final Loss baconFused = BoundaryConstrainedLayoutLoss.builder().optFused(true).build();
    private final Loss baconComposition = BoundaryConstrainedLayoutLoss.builder().optFused(false).build();

    /** Creates the maps once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        arrays = new BenchArrays(SuiteBench.SEED);
        NDManager m = arrays.manager();
        Shape shape = new Shape(maps, size, size);
        NDArray a = m.randomUniform(0, 1, shape, DataType.FLOAT32);
        a = arrays.keep(a.div(a.sum(new int[] {1, 2}, true)), true);
        NDArray previous = m.randomUniform(0, 1, shape, DataType.FLOAT32);
        previousMasks = new NDList(arrays.keep(AttentionMaps.binarize(previous,
                AttentionMaps.DEFAULT_BINARIZE_THRESHOLD), false));
        double[][] boxes = new double[maps][];
        for (int k = 0; k < maps; k++) {
            double x0 = (k % 4) / 4.0;
            double y0 = ((k / 4) % 2) / 2.0;
            boxes[k] = new double[] {x0 + 0.02, y0 + 0.02, x0 + 0.24, y0 + 0.48};
        }
        layout = new NDList(arrays.keep(AttentionMaps.rasterizeBoxes(m, boxes, size, size), false));
        NDArray self = m.randomUniform(0, 1, new Shape((long) size * size, (long) size * size), DataType.FLOAT32);
        self = arrays.keep(self.div(self.sum(new int[] {1}, true)), true);
        attention = new NDList(a);
        attentionWithSelf = new NDList(a, self);
    }

    /** Frees the maps. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arrays.close();
    }

    /**
     * A-STAR, fused kernel.
     *
     * @return the loss
     */
    @Benchmark
    public float astarFused() {
        return arrays.forwardBackward(() -> astarFused.evaluate(previousMasks, attention));
    }

    /**
     * A-STAR, autograd composition.
     *
     * @return the loss
     */
    @Benchmark
    public float astarComposition() {
        return arrays.forwardBackward(() -> astarComposition.evaluate(previousMasks, attention));
    }

    /**
     * BACON without self-attention, fused kernel.
     *
     * @return the loss
     */
    @Benchmark
    public float baconFused() {
        return arrays.forwardBackward(() -> baconFused.evaluate(layout, attention));
    }

    /**
     * BACON without self-attention, autograd composition.
     *
     * @return the loss
     */
    @Benchmark
    public float baconComposition() {
        return arrays.forwardBackward(() -> baconComposition.evaluate(layout, attention));
    }

    /**
     * BACON with self-attention, fused kernel.
     *
     * @return the loss
     */
    @Benchmark
    public float baconAlignedFused() {
        return arrays.forwardBackward(() -> baconFused.evaluate(layout, attentionWithSelf));
    }

    /**
     * BACON with self-attention, autograd composition.
     *
     * @return the loss
     */
    @Benchmark
    public float baconAlignedComposition() {
        return arrays.forwardBackward(() -> baconComposition.evaluate(layout, attentionWithSelf));
    }
}
