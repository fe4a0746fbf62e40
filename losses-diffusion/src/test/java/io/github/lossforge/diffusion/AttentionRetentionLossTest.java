package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Sample;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class AttentionRetentionLossTest extends AStarContract {

    private static Variant variant(double eps, boolean fused) {
        return new Variant("eps=" + eps + (fused ? ", fused" : ", composition"),
                r -> AttentionRetentionLoss.builder().optEps(eps).optFused(fused).optReduction(r).build(),
                AStarReferences.retention(eps));
    }

    @Override
    protected boolean takesMasks() {
        return true;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1e-8, true), variant(1e-8, false), variant(0.5, true), variant(0.5, false));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> AttentionRetentionLoss.builder().build()),
                new RegistryCase(Map.of("eps", 0.25, "reduction", "none"),
                        () -> AttentionRetentionLoss.builder().optEps(0.25).optReduction(Reduction.NONE).build()));
    }

    private static Evaluation evaluate(boolean fused, Sample s) {
        return Evaluation.of(AttentionRetentionLoss.builder().optEps(1e-12).optFused(fused)
                .optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
    }

    @Test
    void mapsEqualToTheirMasksGiveOneHalfPerConcept() {
        HostTensor b = Generators.bernoulli(new Random(1), 0.5, 3, 4, 4);
        double[] d = b.data();
        d[0] = 1;
        d[16] = 1;
        d[32] = 1;
        HostTensor masks = b.withData(d);
        Sample s = new Sample(List.of(masks), List.of(masks));
        for (boolean fused : new boolean[] {true, false}) {
            Close.assertClose("A = B: each concept keeps half its union", evaluate(fused, s).value(),
                    new double[] {1.5}, 1e-9);
        }
    }

    @Test
    void mapsOutsideTheirMasksGiveOnePerConcept() {
        double[] a = {0, 0.3, 0, 0.8, 0.5, 0};
        double[] b = {1, 0, 1, 0, 0, 1};
        Sample s = new Sample(List.of(HostTensor.floats(b, 2, 1, 3)), List.of(HostTensor.floats(a, 2, 1, 3)));
        for (boolean fused : new boolean[] {true, false}) {
            Close.assertClose("disjoint maps and masks", evaluate(fused, s).value(), new double[] {2}, 1e-12);
        }
    }

    @Test
    void booleanAndIntegerMasksAreAccepted() {
        Sample s = sample(1, new Random(2));
        Sample ints = s.withLabel(0, s.label(0).withType(DataType.INT32));
        Sample bools = s.withLabel(0, s.label(0).withType(DataType.BOOLEAN));
        double[] expected = evaluate(true, s).value();
        assertThat(evaluate(true, ints).value()).containsExactly(expected);
        assertThat(evaluate(true, bools).value()).containsExactly(expected);
    }

    @Test
    void fusedKernelMatchesCompositionOnEightMapsOfSixtyFourSquared() {
        Random rng = new Random(3);
        Sample s = new Sample(List.of(Generators.bernoulli(rng, 0.3, 2, 8, 64, 64)),
                List.of(AStarContract.maps(rng, 2, 8, 64, 64)));
        Evaluation fused = evaluate(true, s);
        Evaluation plain = evaluate(false, s);
        Close.assertClose("fused vs composition: values", fused.value(), plain.value(), 1e-6);
        Close.assertClose("fused vs composition: gradient", fused.gradient(0), plain.gradient(0), 1e-6);
    }
}
