package io.github.lossforge.contrastive.condensation;

import static io.github.lossforge.contrastive.condensation.GradientMatchingLossTest.LAYERS;
import static io.github.lossforge.contrastive.condensation.GradientMatchingLossTest.layerDistance;
import static io.github.lossforge.contrastive.condensation.GradientMatchingLossTest.layerSize;
import static io.github.lossforge.contrastive.condensation.GradientMatchingLossTest.withClasses;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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

/** The contract of {@code gradient-matching} in mode {@code dcc}. */
class GradientMatchingDccTest extends LossContract {

    /** dcc: Σ_layers d(mean_c real_c, synthetic). */
    static Reference dccReference(double eps) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                return new double[] {mean(s)};
            }

            @Override
            public double mean(Sample s) {
                double total = 0;
                for (int l = 0; l < s.predictions().size(); l++) {
                    long[] layer = s.prediction(l).shape();
                    int size = layerSize(layer);
                    int classes = (int) s.label(l).shape()[0];
                    double[] averaged = new double[size];
                    for (int c = 0; c < classes; c++) {
                        for (int j = 0; j < size; j++) {
                            averaged[j] += s.label(l).data()[c * size + j] / classes;
                        }
                    }
                    total += layerDistance(averaged, s.prediction(l).data(), 0, layer, eps);
                }
                return total;
            }
        };
    }

    static Sample dccSample(Random rng, int classes) {
        List<HostTensor> real = new ArrayList<>();
        List<HostTensor> synthetic = new ArrayList<>();
        for (long[] layer : LAYERS) {
            real.add(Generators.normal(rng, 1, withClasses(classes, layer)));
            synthetic.add(Generators.normal(rng, 1, layer));
        }
        return new Sample(real, synthetic);
    }

    private static Variant variant(double eps) {
        return new Variant("dcc eps " + eps,
                r -> GradientMatchingLoss.builder().optMode("dcc").optEps(eps).optReduction(r).build(),
                dccReference(eps));
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
        return List.of(variant(1e-6), variant(0.3));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return dccSample(rng, GradientMatchingLossTest.CLASSES[shape]);
    }

    @Override
    protected TrainingTask trainingTask() {
        return GradientMatchingLossTest.learnableGradients(List.of(new Shape(4, 3), new Shape(3, 2, 2, 2)),
                List.of(new Shape(3, 4, 3), new Shape(3, 3, 2, 2, 2)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(new RegistryCase(Map.of("mode", "dcc"),
                () -> GradientMatchingLoss.builder().optMode("dcc").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor real = Generators.normal(rng, 1, 2, 4, 3);
        return List.of(
                new BadInput("synthetic with a class axis", new Sample(List.of(real), List.of(real)),
                        "predictions[0] (synthetic gradient of layer 0)", "(2, 4, 3)", "(4, 3)", "dcc"));
    }

    /** dcc's loss is the matched whole-set gradient: the order of classes does not matter, the average does. */
    @Test
    void withOneClassDccEqualsDc() {
        Sample dcc = dccSample(new Random(3), 1);
        List<HostTensor> withAxis = new ArrayList<>();
        for (HostTensor t : dcc.predictions()) {
            withAxis.add(t.reshape(withClasses(1, t.shape())));
        }
        double a = Evaluation.of(GradientMatchingLoss.builder().optMode("dcc").build(), dcc, DataType.FLOAT64).scalar();
        double b = Evaluation.of(GradientMatchingLoss.builder().build(), new Sample(dcc.labels(), withAxis),
                DataType.FLOAT64).scalar();
        Close.assertClose("C = 1", new double[] {a}, new double[] {b}, 1e-12);
    }

    @Test
    void biasGradientsAreIgnoredAndTakeNoGradient() {
        Evaluation e = Evaluation.of(GradientMatchingLoss.builder().optMode("dcc").build(), dccSample(new Random(4), 2),
                DataType.FLOAT64);
        for (double g : e.gradient(2)) {
            org.assertj.core.api.Assertions.assertThat(Math.abs(g)).isZero();
        }
    }

    @Override
    protected String id() {
        return GradientMatchingLoss.ID;
    }
}
