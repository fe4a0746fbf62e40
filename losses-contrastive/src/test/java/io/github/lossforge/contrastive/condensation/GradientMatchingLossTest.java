package io.github.lossforge.contrastive.condensation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.github.lossforge.contrastive.face.LearnableSlots;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The contract of {@code gradient-matching} in its default mode {@code dc}. */
class GradientMatchingLossTest extends LossContract {

    /** The layer gradient shapes: a linear weight, a conv kernel, a bias. */
    static final long[][] LAYERS = {{4, 3}, {3, 2, 2, 2}, {4}};

    /** Classes per shape number. */
    static final int[] CLASSES = {1, 2, 3};

    static long[] withClasses(int c, long[] layer) {
        long[] out = new long[layer.length + 1];
        out[0] = c;
        System.arraycopy(layer, 0, out, 1, layer.length);
        return out;
    }

    /** d(G, G') of one layer gradient given as flat data of the layer's shape, by loops (0 for 1-D). */
    static double layerDistance(double[] g, double[] h, int offset, long[] layer, double eps) {
        if (layer.length < 2) {
            return 0;
        }
        int rows = (int) layer[0];
        int cols = 1;
        for (int i = 1; i < layer.length; i++) {
            cols *= (int) layer[i];
        }
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double dot = 0;
            double gg = 0;
            double hh = 0;
            for (int j = 0; j < cols; j++) {
                double a = g[offset + r * cols + j];
                double b = h[offset + r * cols + j];
                dot += a * b;
                gg += a * a;
                hh += b * b;
            }
            total += 1 - dot / (Math.sqrt(gg) * Math.sqrt(hh) + eps);
        }
        return total;
    }

    static int layerSize(long[] layer) {
        int n = 1;
        for (long s : layer) {
            n *= (int) s;
        }
        return n;
    }

    /** dc: Σ_layers Σ_c d(real_c, synthetic_c). */
    static Reference dcReference(double eps) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                return new double[] {mean(s)};
            }

            @Override
            public double mean(Sample s) {
                double total = 0;
                for (int l = 0; l < s.predictions().size(); l++) {
                    long[] shape = s.label(l).shape();
                    long[] layer = java.util.Arrays.copyOfRange(shape, 1, shape.length);
                    int size = layerSize(layer);
                    for (int c = 0; c < shape[0]; c++) {
                        total += layerDistance(s.label(l).data(), s.prediction(l).data(), c * size, layer, eps);
                    }
                }
                return total;
            }
        };
    }

    static Sample dcSample(Random rng, int classes) {
        List<HostTensor> real = new ArrayList<>();
        List<HostTensor> synthetic = new ArrayList<>();
        for (long[] layer : LAYERS) {
            real.add(Generators.normal(rng, 1, withClasses(classes, layer)));
            synthetic.add(Generators.normal(rng, 1, withClasses(classes, layer)));
        }
        return new Sample(real, synthetic);
    }

    private static Variant variant(double eps) {
        return new Variant("dc eps " + eps, r -> GradientMatchingLoss.builder().optEps(eps).optReduction(r).build(),
                dcReference(eps));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    /** Slot 2 is a bias gradient, which the distance ignores (its zero gradient is asserted below). */
    @Override
    protected boolean differentiable(int slot) {
        return slot != 2;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1e-6), variant(0.5));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return dcSample(rng, CLASSES[shape]);
    }

    /**
     * Learnable "synthetic gradients" (the input is ignored) matched to random real ones: the loss
     * pulls the parameters' rows toward the real rows' directions.
     */
    static TrainingTask learnableGradients(List<Shape> synthetic, List<Shape> real) {
        return new TrainingTask() {
            @Override
            public Block model() {
                return new LearnableSlots(synthetic, list -> list.subNDList(1));
            }

            @Override
            public Shape inputShape() {
                return new Shape(2, 3);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                NDList labels = new NDList();
                for (Shape s : real) {
                    labels.add(manager.randomNormal(s));
                }
                return new NDList[] {new NDList(manager.ones(new Shape(2, 3))), labels};
            }
        };
    }

    @Override
    protected TrainingTask trainingTask() {
        List<Shape> shapes = List.of(new Shape(2, 4, 3), new Shape(2, 3, 2, 2, 2), new Shape(2, 4));
        return learnableGradients(shapes, shapes);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> GradientMatchingLoss.builder().build()),
                new RegistryCase(Map.of("mode", "dc", "eps", 0.01),
                        () -> GradientMatchingLoss.builder().optEps(0.01).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor a = Generators.normal(rng, 1, 2, 4, 3);
        HostTensor b = Generators.normal(rng, 1, 3, 4, 3);
        return List.of(
                new BadInput("shape mismatch", new Sample(List.of(a), List.of(Generators.normal(rng, 1, 2, 4, 2))),
                        "predictions[0] (synthetic gradient of layer 0)", "(2, 4, 2)", "(2, 4, 3)"),
                new BadInput("fewer labels than predictions", new Sample(List.of(a), List.of(a, a)), "labels"),
                new BadInput("class count differs between layers", new Sample(List.of(a, b), List.of(a, b)),
                        "labels[1] (real gradient of layer 1)", "3 classes", "2"),
                new BadInput("NaN real gradient", new Sample(List.of(a.withData(nan(a.data()))), List.of(a)),
                        "labels[0]", "NaN"));
    }

    static double[] nan(double[] d) {
        double[] out = d.clone();
        out[1] = Double.NaN;
        return out;
    }

    @Test
    void identicalGradientsGiveZeroAndOppositeOnesTwicePerRow() {
        Sample s = dcSample(new Random(3), 2);
        Sample same = new Sample(s.labels(), s.labels());
        double zero = Evaluation.of(GradientMatchingLoss.builder().optEps(0).build(), same, DataType.FLOAT64).scalar();
        assertThat(Math.abs(zero)).isLessThan(1e-12);
        List<HostTensor> negated = new ArrayList<>();
        for (HostTensor t : s.labels()) {
            negated.add(t.withData(java.util.Arrays.stream(t.data()).map(v -> -v).toArray()));
        }
        double opposite = Evaluation.of(GradientMatchingLoss.builder().optEps(0).build(),
                new Sample(s.labels(), negated), DataType.FLOAT64).scalar();
        // 2 per row: (4 + 3) rows per class, 2 classes; the bias layer counts 0.
        Close.assertClose("opposite gradients", new double[] {opposite}, new double[] {2 * 7 * 2}, 1e-12);
    }

    @Test
    void biasGradientsAreIgnoredAndTakeNoGradient() {
        Sample s = dcSample(new Random(4), 2);
        Evaluation e = Evaluation.of(GradientMatchingLoss.builder().build(), s, DataType.FLOAT64);
        for (double g : e.gradient(2)) {
            assertThat(Math.abs(g)).isZero();
        }
    }

    @Test
    void matchingIsInvariantToTheScaleOfEachRow() {
        Sample s = dcSample(new Random(5), 2);
        HostTensor p = s.prediction(0);
        double[] scaled = p.data().clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 1 + (i / 3) % 4;
        }
        double a = Evaluation.of(GradientMatchingLoss.builder().optEps(0).build(), s, DataType.FLOAT64).scalar();
        double b = Evaluation.of(GradientMatchingLoss.builder().optEps(0).build(),
                s.withPrediction(0, p.withData(scaled)), DataType.FLOAT64).scalar();
        Close.assertClose("row scale", new double[] {b}, new double[] {a}, 1e-12);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> GradientMatchingLoss.builder().optMode("cos").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradient-matching")
                .hasMessageContaining("mode");
        assertThatThrownBy(() -> GradientMatchingLoss.builder().optEps(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps");
    }
}
