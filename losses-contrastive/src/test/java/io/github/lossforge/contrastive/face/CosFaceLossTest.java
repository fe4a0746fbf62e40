package io.github.lossforge.contrastive.face;

import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract of {@code cosface}. */
class CosFaceLossTest extends LossContract {

    private static Variant cos(double s, double m) {
        return new Variant("cosface s " + s + " m " + m,
                r -> MarginSoftmaxLoss.cosFace().optScale(s).optMargin(m).optReduction(r).build(),
                MarginSoftmaxLossTest.reference(false, s, m, false));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(cos(64, 0.35), cos(8, 0.1), cos(30, 0.6));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return MarginSoftmaxLossTest.randomSample(shape, rng);
    }

    @Override
    protected TrainingTask trainingTask() {
        return FaceTasks.embeddingsWithClassWeights(4, 3, 12, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> MarginSoftmaxLoss.cosFace().build()),
                new RegistryCase(Map.of("scale", 30L, "margin", 0.2, "reduction", "none"),
                        () -> MarginSoftmaxLoss.cosFace().optScale(30).optMargin(0.2)
                                .optReduction(Reduction.NONE).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return FaceBadInputs.forEmbeddingsWeightsAndClasses(rng);
    }

    @Test
    void cosfaceHasNoFallbackParameter() {
        assertThat(MarginSoftmaxLoss.COSFACE_INFO.parameters()).extracting(p -> p.name())
                .containsExactly("scale", "margin", "reduction");
    }
}
