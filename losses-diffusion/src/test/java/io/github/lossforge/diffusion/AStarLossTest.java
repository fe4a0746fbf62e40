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

class AStarLossTest extends AStarContract {

    private static Variant variant(double eps, boolean fused) {
        return new Variant("eps=" + eps + (fused ? ", fused" : ", composition"),
                r -> AStarLoss.builder().optEps(eps).optFused(fused).optReduction(r).build(),
                AStarReferences.astar(eps));
    }

    @Override
    protected boolean takesMasks() {
        return true;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1e-8, true), variant(1e-8, false), variant(0.5, true));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> AStarLoss.builder().build()),
                new RegistryCase(Map.of("eps", 1e-3, "reduction", "sum"),
                        () -> AStarLoss.builder().optEps(1e-3).optReduction(Reduction.SUM).build()));
    }

    @Test
    void equalsSegregationPlusRetention() {
        Sample s = sample(2, new Random(1));
        for (boolean fused : new boolean[] {true, false}) {
            Evaluation sum = Evaluation.of(AStarLoss.builder().optFused(fused).optReduction(Reduction.NONE).build(),
                    s, DataType.FLOAT64);
            Evaluation seg = Evaluation.of(AttentionSegregationLoss.builder().optFused(fused)
                    .optReduction(Reduction.NONE).build(), new Sample(List.of(), s.predictions()), DataType.FLOAT64);
            Evaluation ret = Evaluation.of(AttentionRetentionLoss.builder().optFused(fused)
                    .optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
            double[] expected = seg.value();
            double[] grad = seg.gradient(0);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += ret.value()[i];
            }
            for (int i = 0; i < grad.length; i++) {
                grad[i] += ret.gradient(0)[i];
            }
            Close.assertClose("astar vs seg + ret: values", sum.value(), expected, 1e-12);
            Close.assertClose("astar vs seg + ret: gradient", sum.gradient(0), grad, 1e-12);
        }
    }

    @Test
    void allZeroMapsAndMasksGiveFiniteValueAndGradient() {
        Sample s = new Sample(List.of(HostTensor.floats(new double[2 * 3 * 3], 2, 3, 3)),
                List.of(HostTensor.floats(new double[2 * 3 * 3], 2, 3, 3)));
        for (boolean fused : new boolean[] {true, false}) {
            Evaluation e = Evaluation.of(AStarLoss.builder().optFused(fused).build(), s, DataType.FLOAT64);
            // no overlap anywhere: segregation 0, retention 1 per concept
            assertThat(e.value()).containsExactly(2.0);
            Close.assertFinite("gradient at zero maps", e.gradient(0));
        }
    }

    @Test
    void fusedKernelMatchesCompositionOnEightMapsOfSixtyFourSquared() {
        Random rng = new Random(3);
        Sample s = new Sample(List.of(Generators.bernoulli(rng, 0.3, 8, 64, 64)),
                List.of(AStarContract.maps(rng, 8, 64, 64)));
        Evaluation fused = Evaluation.of(AStarLoss.builder().build(), s, DataType.FLOAT64);
        Evaluation plain = Evaluation.of(AStarLoss.builder().optFused(false).build(), s, DataType.FLOAT64);
        Close.assertClose("fused vs composition: value", fused.value(), plain.value(), 1e-6);
        Close.assertClose("fused vs composition: gradient", fused.gradient(0), plain.gradient(0), 1e-6);
    }
}
