package io.github.lossforge.core.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class ClassConfusionLossTest extends LossContract {

    /** Batch-level over classes: one sample has constant confusion (C − 1)/C, so the smallest batch is 2. */
    private static final int[][] SHAPES = {{2, 3}, {7, 4}, {16, 6}};

    static Reference reference(double temperature) {
        return s -> {
            HostTensor logits = s.prediction(0);
            int n = logits.dim(0);
            int c = logits.dim(1);
            double[][] p = new double[n][c];
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, logits.at(i * c + k) / temperature);
                }
                double z = 0;
                for (int k = 0; k < c; k++) {
                    p[i][k] = Math.exp(logits.at(i * c + k) / temperature - max);
                    z += p[i][k];
                }
                for (int k = 0; k < c; k++) {
                    p[i][k] /= z;
                }
            }
            double confusion = 0;
            for (int a = 0; a < c; a++) {
                double row = 0;
                double[] r = new double[c];
                for (int b = 0; b < c; b++) {
                    for (int i = 0; i < n; i++) {
                        r[b] += p[i][a] * p[i][b];
                    }
                    row += r[b];
                }
                for (int b = 0; b < c; b++) {
                    if (b != a && row > 0) {
                        confusion += r[b] / row;
                    }
                }
            }
            return new double[] {confusion / c};
        };
    }

    private static Variant variant(double temperature) {
        return new Variant("temperature=" + temperature,
                r -> ClassConfusionLoss.builder().optTemperature(temperature).optReduction(r).build(),
                reference(temperature));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1.0), variant(2.5), variant(0.3));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return new Sample(List.of(), List.of(Generators.normal(rng, 1.5, SHAPES[shape][0], SHAPES[shape][1])));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> ClassConfusionLoss.builder().build()),
                new RegistryCase(Map.of("temperature", 2),
                        () -> ClassConfusionLoss.builder().optTemperature(2).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor logits = Generators.normal(rng, 1, 4, 3);
        return List.of(
                new BadInput("rank-3 logits", new Sample(List.of(), List.of(logits.reshape(4, 3, 1))),
                        "predictions[0] (logits)", "(N, C)"),
                new BadInput("rank-1 logits", new Sample(List.of(), List.of(logits.reshape(12))),
                        "predictions[0] (logits)", "(N, C)"),
                new BadInput("two prediction slots", new Sample(List.of(), List.of(logits, logits)), "predictions"));
    }

    @Test
    void confidentPredictionsOfSeparateClassesHaveNoConfusion() {
        double[] logits = {50, 0, 0, 0, 50, 0, 0, 0, 50, 50, 0, 0};
        double v = Evaluation.of(ClassConfusionLoss.builder().build(),
                new Sample(List.of(), List.of(HostTensor.floats(logits, 4, 3))), DataType.FLOAT64).scalar();
        assertThat(v).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void uniformPredictionsConfuseEveryPair() {
        for (int c : new int[] {2, 5}) {
            double v = Evaluation.of(ClassConfusionLoss.builder().build(),
                    new Sample(List.of(), List.of(HostTensor.floats(new double[3 * c], 3, c))), DataType.FLOAT64).scalar();
            assertThat(v).isCloseTo((c - 1.0) / c, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void aSingleSampleHasConstantConfusion() {
        Sample s = new Sample(List.of(), List.of(Generators.normal(new Random(4), 2, 1, 5)));
        Evaluation e = Evaluation.of(ClassConfusionLoss.builder().build(), s, DataType.FLOAT64);
        assertThat(e.scalar()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
        for (double g : e.gradient(0)) {
            assertThat(g).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-15));
        }
    }

    @Test
    void temperatureIsADivisionOfTheLogits() {
        Sample s = sample(2, new Random(5));
        HostTensor scaled = s.prediction(0).withData(java.util.Arrays.stream(s.prediction(0).data()).map(v -> v / 4).toArray());
        double withT = Evaluation.of(ClassConfusionLoss.builder().optTemperature(4).build(), s, DataType.FLOAT64).scalar();
        double divided = Evaluation.of(ClassConfusionLoss.builder().build(), s.withPrediction(0, scaled), DataType.FLOAT64).scalar();
        assertThat(withT).isCloseTo(divided, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void rejectsNonPositiveTemperature() {
        assertThatThrownBy(() -> ClassConfusionLoss.builder().optTemperature(0).build())
                .hasMessageContaining("class-confusion").hasMessageContaining("temperature");
    }
}
