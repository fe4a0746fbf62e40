package io.github.lossforge.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.Sample;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

class AttentionSegregationLossTest extends AStarContract {

    private static Variant variant(double eps, boolean fused) {
        return new Variant("eps=" + eps + (fused ? ", fused" : ", composition"),
                r -> AttentionSegregationLoss.builder().optEps(eps).optFused(fused).optReduction(r).build(),
                AStarReferences.segregation(eps));
    }

    @Override
    protected boolean takesMasks() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1e-8, true), variant(1e-8, false), variant(0.5, true), variant(0.5, false));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> AttentionSegregationLoss.builder().build()),
                new RegistryCase(Map.of("eps", 1, "reduction", "sum"),
                        () -> AttentionSegregationLoss.builder().optEps(1).optReduction(Reduction.SUM).build()));
    }

    private static Evaluation evaluate(boolean fused, Sample s) {
        return Evaluation.of(AttentionSegregationLoss.builder().optEps(1e-12).optFused(fused)
                .optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
    }

    @Test
    void identicalMapsGiveOneHalfPerPair() {
        double[] one = AStarContract.maps(new Random(1), 3, 5).data();
        double[] three = new double[3 * one.length];
        for (int k = 0; k < 3; k++) {
            System.arraycopy(one, 0, three, k * one.length, one.length);
        }
        Sample s = new Sample(List.of(), List.of(HostTensor.floats(three, 3, 3, 5)));
        for (boolean fused : new boolean[] {true, false}) {
            Close.assertClose("three identical maps: 3 pairs × 0.5", evaluate(fused, s).value(),
                    new double[] {1.5}, 1e-9);
        }
    }

    @Test
    void disjointMapsGiveZero() {
        double[] a = new double[2 * 2 * 2];
        a[0] = 0.7;
        a[3] = 0.2;
        a[5] = 0.9;
        a[6] = 0.4;
        Sample s = new Sample(List.of(), List.of(HostTensor.floats(a, 2, 2, 2)));
        for (boolean fused : new boolean[] {true, false}) {
            assertThat(evaluate(fused, s).value()).containsExactly(0.0);
        }
    }

    @Test
    void singleConceptGivesZeroValueAndGradient() {
        Sample s = new Sample(List.of(), List.of(AStarContract.maps(new Random(2), 1, 3, 3)));
        for (boolean fused : new boolean[] {true, false}) {
            Evaluation e = evaluate(fused, s);
            assertThat(e.value()).containsExactly(0.0);
            assertThat(e.gradient(0)).containsOnly(0.0);
        }
    }

    @Test
    void tiesSplitTheGradientEvenlyInBothPaths() {
        double[] a = {0.5, 0.2, 0.5, 0.6};
        Sample s = new Sample(List.of(), List.of(HostTensor.floats(a, 2, 1, 2)));
        double eps = 1e-12;
        // maps (0.5, 0.2) and (0.5, 0.6): overlap 0.7, union 1.8; pixel 0 ties, pixel 1 goes to map 0.
        double u = 1.8 + eps;
        double shift = -0.7 / (u * u);
        double[] expected = {0.5 / u + shift, 1 / u + shift, 0.5 / u + shift, shift};
        for (boolean fused : new boolean[] {true, false}) {
            Close.assertClose((fused ? "fused" : "composition") + " gradient at a tie",
                    evaluate(fused, s).gradient(0), expected, 1e-9);
        }
    }

    @Test
    void fusedKernelMatchesCompositionOnEightMapsOfSixtyFourSquared() {
        Sample s = new Sample(List.of(), List.of(AStarContract.maps(new Random(3), 2, 8, 64, 64)));
        Evaluation fused = evaluate(true, s);
        Evaluation plain = evaluate(false, s);
        Close.assertClose("fused vs composition: values", fused.value(), plain.value(), 1e-6);
        Close.assertClose("fused vs composition: gradient", fused.gradient(0), plain.gradient(0), 1e-6);
    }

    @Test
    void rejectsNonPositiveEps() {
        for (double eps : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> AttentionSegregationLoss.builder().optEps(eps).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("astar-segregation").hasMessageContaining("eps");
        }
    }

    @Test
    void singleImageInputGivesOneValueWithNone() {
        Sample s = sample(0, new Random(4));
        double[] none = evaluate(true, s).value();
        assertThat(none).hasSize(1);
        Close.assertClose("single image", none, AStarReferences.segregation(1e-12).perSample(s), 1e-9);
        assertThat(Arrays.stream(none).allMatch(Double::isFinite)).isTrue();
    }
}
