package io.github.lossforge.core.spherical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.classification.ClassificationBadInputs;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

class SphericalZLossTest extends LossContract {

    private static final long[][] SHAPES = {{1, 5}, {6, 4}, {7, 12}};

    /** z_c = (o_c − μ)/sqrt(var + ε²), L = (1/a) log(1 + exp(a(b − z_c))), by plain loops. */
    static Reference reference(double a, double b, double eps) {
        return s -> {
            HostTensor outputs = s.prediction(0);
            int d = outputs.dim(1);
            double[] out = new double[outputs.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] o = Arrays.copyOfRange(outputs.data(), i * d, (i + 1) * d);
                double mu = Arrays.stream(o).sum() / d;
                double var = 0;
                for (double v : o) {
                    var += (v - mu) * (v - mu) / d;
                }
                double z = (o[s.label(0).index(i)] - mu) / Math.sqrt(var + eps * eps);
                double u = a * (b - z);
                out[i] = (Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)))) / a;
            }
            return out;
        };
    }

    private static Variant variant(double a, double b, double eps) {
        return new Variant("a=" + a + ", b=" + b + ", eps=" + eps,
                r -> SphericalZLoss.builder().optA(a).optB(b).optEps(eps).optReduction(r).build(),
                reference(a, b, eps));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1.0, 0.0, 1e-6), variant(3.0, 1.5, 1e-6), variant(0.5, -1.0, 0.1));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long d = SHAPES[shape][1];
        return new Sample(List.of(Generators.classes(rng, (int) d, n)),
                List.of(Generators.normal(rng, 2.0, n, d)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> SphericalZLoss.builder().build()),
                new RegistryCase(Map.of("a", 3, "b", 1.5, "eps", 0.0, "reduction", "sum"),
                        () -> SphericalZLoss.builder().optA(3).optB(1.5).optEps(0).optReduction("sum").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return ClassificationBadInputs.forScoresAndTargets(rng, "outputs", "(N, D)");
    }

    @Test
    void invariantToPositiveAffineMapsOfTheOutputs() {
        Sample s = sample(2, new Random(1));
        SphericalZLoss loss = SphericalZLoss.builder().optA(2).optB(0.5).optEps(0).optReduction(Reduction.NONE).build();
        double[] base = Evaluation.of(loss, s, DataType.FLOAT64).value();
        for (double[] ab : new double[][] {{3.0, 0.0}, {0.01, 7.0}, {250.0, -1e3}}) {
            HostTensor o = s.prediction(0);
            HostTensor mapped = o.withData(Arrays.stream(o.data()).map(v -> ab[0] * v + ab[1]).toArray());
            double[] got = Evaluation.of(loss, s.withPrediction(0, mapped), DataType.FLOAT64).value();
            Close.assertClose("Z-loss after o → " + ab[0] + "·o + " + ab[1], got, base, 1e-9);
        }
    }

    @Test
    void equalOutputsGiveFiniteValueAndTheEpsilonScaledGradient() {
        HostTensor target = HostTensor.longs(new long[] {1, 0}, 2);
        HostTensor outputs = HostTensor.floats(new double[] {3, 3, 3, 0, 0, 0}, 2, 3);
        Evaluation e = Evaluation.of(SphericalZLoss.builder().build(),
                new Sample(List.of(target), List.of(outputs)), DataType.FLOAT32);
        assertThat(e.scalar()).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-6));
        // z = 0 and ∂z/∂o_k = (1[k=c] − 1/D)/ε; softplus'(0) = 1/2; mean over 2 rows
        double[] expected = new double[6];
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 3; k++) {
                expected[i * 3 + k] = -0.5 * ((k == target.index(i) ? 1 : 0) - 1.0 / 3) / 1e-6 / 2;
            }
        }
        Close.assertClose("gradient at equal outputs", e.gradient(0), expected, 1e-5);
    }

    @Test
    void lossFallsAsTheTargetZScoreRises() {
        HostTensor target = HostTensor.longs(new long[] {0, 0}, 2);
        HostTensor outputs = HostTensor.floats(new double[] {1, 0, 0, 0, 3, 0, 0, 0}, 2, 4);
        double[] v = Evaluation.of(SphericalZLoss.builder().optReduction(Reduction.NONE).build(),
                new Sample(List.of(target), List.of(outputs)), DataType.FLOAT64).value();
        // both rows have the same z-score: the loss depends on the outputs only through it
        assertThat(v[0]).isCloseTo(v[1], org.assertj.core.data.Offset.offset(1e-9));
        HostTensor wrong = HostTensor.floats(new double[] {0, 1, 0, 0, 1, 0, 0, 0}, 2, 4);
        double[] w = Evaluation.of(SphericalZLoss.builder().optReduction(Reduction.NONE).build(),
                new Sample(List.of(target), List.of(wrong)), DataType.FLOAT64).value();
        assertThat(w[0]).isGreaterThan(v[0]);
    }

    @Test
    void rejectsNonPositiveSharpness() {
        assertThatThrownBy(() -> SphericalZLoss.builder().optA(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("z-loss-spherical")
                .hasMessageContaining("a must be");
    }
}
