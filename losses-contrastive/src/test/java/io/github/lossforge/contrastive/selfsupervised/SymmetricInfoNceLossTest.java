package io.github.lossforge.contrastive.selfsupervised;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.EmbeddingTasks;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

/** The Sample4Geo preset, with its learnable log-scale slot. */
class SymmetricInfoNceLossTest extends LossContract {

    private static final long[][] SHAPES = {{2, 4}, {6, 3}, {9, 5}};

    @Override
    protected List<Variant> variants() {
        return List.of(
                new Variant("preset", r -> InfoNceLoss.symmetricBuilder().optReduction(r).build(),
                        InfoNceLossTest.reference(0.07, true, 0.1, true)),
                new Variant("preset chunk 4", r -> InfoNceLoss.symmetricBuilder().optChunk(4).optReduction(r).build(),
                        InfoNceLossTest.reference(0.07, true, 0.1, true)),
                new Variant("preset smoothing 0.3",
                        r -> InfoNceLoss.symmetricBuilder().optLabelSmoothing(0.3).optReduction(r).build(),
                        InfoNceLossTest.reference(0.07, true, 0.3, true)));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long d = SHAPES[shape][1];
        HostTensor logScale = HostTensor.floats(new double[] {Math.log(1 / 0.07) + 0.3 * rng.nextGaussian()}, 1);
        return new Sample(List.of(),
                List.of(Generators.normal(rng, 1, n, d), Generators.normal(rng, 1, n, d), logScale));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.twoViews(4, 8, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> InfoNceLoss.symmetricBuilder().build()),
                new RegistryCase(Map.of("temperature", 0.5, "labelSmoothing", 0, "chunk", 3L, "reduction", "sum"),
                        () -> InfoNceLoss.symmetricBuilder().optTemperature(0.5).optLabelSmoothing(0).optChunk(3)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor q = Generators.normal(rng, 1, 4, 3);
        HostTensor scale = HostTensor.floats(new double[] {2.0}, 1);
        return List.of(
                new BadInput("more keys than queries",
                        new Sample(List.of(), List.of(q, Generators.normal(rng, 1, 5, 3), scale)),
                        "predictions[1] (keys)", "(5, 3)", "4"),
                new BadInput("log-scale of two values",
                        new Sample(List.of(), List.of(q, q, HostTensor.floats(new double[] {1, 2}, 2))),
                        "predictions[2] (log-scale)", "scalar"),
                new BadInput("log-scale of rank 2",
                        new Sample(List.of(), List.of(q, q, HostTensor.floats(new double[] {1}, 1, 1))),
                        "predictions[2] (log-scale)", "(1, 1)"));
    }

    @Test
    void theLogScaleSlotReplacesTheTemperature() {
        Random rng = new Random(5);
        HostTensor q = Generators.normal(rng, 1, 7, 4);
        HostTensor k = Generators.normal(rng, 1, 7, 4);
        double tau = 0.13;
        Sample withScale = new Sample(List.of(), List.of(q, k, HostTensor.floats(new double[] {Math.log(1 / tau)}, 1)));
        Sample withoutScale = new Sample(List.of(), List.of(q, k));
        double a = Evaluation.of(InfoNceLoss.symmetricBuilder().optTemperature(5).build(), withScale, DataType.FLOAT64)
                .scalar();
        double b = Evaluation.of(InfoNceLoss.symmetricBuilder().optTemperature(tau).build(), withoutScale,
                DataType.FLOAT64).scalar();
        Close.assertClose("e^{P2} = 1/τ", new double[] {a}, new double[] {b}, 1e-12);
    }

    @Test
    void withoutSmoothingItIsTheSymmetricClipLoss() {
        Sample s = sample(2, new Random(6)).mapAll(t -> t);
        Sample noScale = new Sample(List.of(), s.predictions().subList(0, 2));
        double preset = Evaluation.of(InfoNceLoss.symmetricBuilder().optLabelSmoothing(0).build(), noScale,
                DataType.FLOAT64).scalar();
        double clip = Evaluation.of(InfoNceLoss.builder().optSymmetric(true).build(), noScale, DataType.FLOAT64)
                .scalar();
        Close.assertClose("preset with ε = 0 vs info-nce symmetric", new double[] {preset}, new double[] {clip}, 1e-12);
    }

    @Test
    void theLogScaleReceivesTheGradientOfTheWholeMatrixInChunks() {
        Sample s = new Sample(List.of(), List.of(Generators.normal(new Random(7), 1, 23, 6),
                Generators.normal(new Random(8), 1, 23, 6), HostTensor.floats(new double[] {2.4}, 1)));
        Evaluation whole = Evaluation.of(InfoNceLoss.symmetricBuilder().build(), s, DataType.FLOAT64);
        Evaluation blocked = Evaluation.of(InfoNceLoss.symmetricBuilder().optChunk(4).build(), s, DataType.FLOAT64);
        assertThat(Math.abs(whole.gradient(2)[0])).isGreaterThan(1e-6);
        Close.assertClose("∂L/∂logScale, chunk 4 vs whole", blocked.gradient(2), whole.gradient(2), 1e-6);
        Close.assertClose("value, chunk 4 vs whole", blocked.value(), whole.value(), 1e-6);
    }

    @Test
    void aHugeLogScaleIsClampedToFiftyGivingFiniteValuesAndNoScaleGradient() {
        Random rng = new Random(9);
        HostTensor q = Generators.normal(rng, 1, 5, 4);
        HostTensor k = Generators.normal(rng, 1, 5, 4);
        Sample huge = new Sample(List.of(), List.of(q, k, HostTensor.floats(new double[] {2.6e4}, 1)));
        Sample ceiling = new Sample(List.of(), List.of(q, k, HostTensor.floats(new double[] {InfoNceLoss.MAX_LOG_SCALE}, 1)));
        for (BaseLoss loss : List.of(InfoNceLoss.symmetricBuilder().build(), InfoNceLoss.symmetricBuilder().optChunk(2).build(),
                InfoNceLoss.builder().build(), InfoNceLoss.builder().optChunk(2).build())) {
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                Evaluation e = Evaluation.of(loss, huge, type);
                Close.assertFinite(loss.id() + " " + type + ": value", e.value());
                for (int slot = 0; slot < 3; slot++) {
                    Close.assertFinite(loss.id() + " " + type + ": gradient of predictions[" + slot + "]", e.gradient(slot));
                }
                assertThat(e.gradient(2)).as("%s: no gradient above the ceiling", loss.id()).containsExactly(0.0);
            }
            Close.assertClose(loss.id() + ": log-scale 2.6e4 acts as 50", Evaluation.of(loss, huge, DataType.FLOAT64).value(),
                    Evaluation.of(loss, ceiling, DataType.FLOAT64).value(), 1e-12);
        }
    }

    @Test
    void thePresetIsSymmetricByDefinition() {
        assertThatThrownBy(() -> InfoNceLoss.symmetricBuilder().optSymmetric(false).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("symmetric-info-nce");
        assertThat(Losses.info("symmetric-info-nce").lossClass()).isEqualTo(InfoNceLoss.class);
        BaseLoss loss = Losses.create("symmetric-info-nce");
        assertThat(loss.id()).isEqualTo("symmetric-info-nce");
    }
}
