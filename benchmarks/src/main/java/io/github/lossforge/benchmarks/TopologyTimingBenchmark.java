package io.github.lossforge.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.github.lossforge.segmentation.overlap.DiceLoss;
import io.github.lossforge.segmentation.topology.BettiMatchingLoss;
import io.github.lossforge.segmentation.topology.PersistenceDim0Loss;

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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * JMH timing of one forward + backward step of {@code betti-matching} on one S×S image (default
 * 256×256), against the Dice loss on the same image (the baseline: a loss every segmentation model
 * already pays for) and {@code topo-dim0} (dimension-0 persistence only). The image is float32,
 * seeded: the ground truth is six rings (3 pixels thick) and two lines, the prediction is 0.2 + 0.6·truth
 * + uniform noise of width {@link #noise}: 0.3 gives a noisy early-training map whose many local
 * extrema make thousands of persistence intervals, 0.05 a late-training one. All three losses take
 * the same probabilities.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TopologyTimingBenchmark {

    /** The image side S. */
    @Param({"256"})
    public int size;

    /** The width of the uniform noise on the prediction: 0.3 early in training, 0.05 late. */
    @Param({"0.3", "0.05"})
    public double noise;

    private BenchArrays arrays;
    private NDList probabilities;
    private NDList truth;
    private NDList truthIndices;
    private final Loss betti = BettiMatchingLoss.builder().build();
    private final Loss dim0 = PersistenceDim0Loss.builder().build();
    private final Loss dice = DiceLoss.builder().optFromLogits(false).build();

    /** Creates the image once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        arrays = new BenchArrays(SuiteBench.SEED);
        float[][] images = image(size, noise, SuiteBench.SEED);
        Shape shape = new Shape(1, 1, size, size);
        probabilities = new NDList(arrays.keep(arrays.manager().create(images[0], shape), true));
        NDArray t = arrays.keep(arrays.manager().create(images[1], shape), false);
        truth = new NDList(t);
        truthIndices = new NDList(arrays.keep(t.reshape(1, size, size).toType(ai.djl.ndarray.types.DataType.INT64,
                false), false));
    }

    /**
     * The benchmark image: prediction and ground truth, row-major.
     *
     * @param size the side
     * @param noise the width of the uniform noise on the prediction
     * @param seed the noise seed
     * @return {prediction, truth}
     */
    static float[][] image(int size, double noise, long seed) {
        Random random = new Random(seed);
        float[] truth = new float[size * size];
        for (int ring = 0; ring < 6; ring++) {
            double cy = size * (0.2 + 0.6 * random.nextDouble());
            double cx = size * (0.2 + 0.6 * random.nextDouble());
            double r = size * (0.05 + 0.1 * random.nextDouble());
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    if (Math.abs(Math.hypot(y - cy, x - cx) - r) < 1.5) {
                        truth[y * size + x] = 1;
                    }
                }
            }
        }
        for (int i = 0; i < size; i++) {
            truth[(size / 3) * size + i] = 1;
            truth[i * size + (2 * size / 3)] = 1;
        }
        float[] prediction = new float[size * size];
        for (int i = 0; i < prediction.length; i++) {
            prediction[i] = (float) (0.2 + 0.6 * truth[i] + noise * (random.nextDouble() - 0.5));
        }
        return new float[][] {prediction, truth};
    }

    /** Frees the image. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arrays.close();
    }

    /**
     * {@code betti-matching}, forward and backward.
     *
     * @return the loss
     */
    @Benchmark
    public float bettiMatching() {
        return arrays.forwardBackward(() -> betti.evaluate(truth, probabilities));
    }

    /**
     * {@code topo-dim0}, forward and backward.
     *
     * @return the loss
     */
    @Benchmark
    public float topoDim0() {
        return arrays.forwardBackward(() -> dim0.evaluate(truth, probabilities));
    }

    /**
     * The Dice loss (binary, probabilities), forward and backward: the baseline.
     *
     * @return the loss
     */
    @Benchmark
    public float dice() {
        return arrays.forwardBackward(() -> dice.evaluate(truthIndices, probabilities));
    }
}
