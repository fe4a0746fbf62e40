package io.github.lossforge.core.classification;

import static io.github.lossforge.core.classification.ClassificationReferences.logSumExp;
import static io.github.lossforge.core.classification.ClassificationReferences.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
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

class LdrKlLossTest extends LossContract {

    private static final long[][] SHAPES = {{1, 3}, {5, 4}, {8, 10}};

    /** ψ = λ log((1/C) Σ_k exp((c·1[k≠y] + z_k − z_y)/λ)), z = f or softplus(f)/mean softplus(f). */
    static Reference reference(double lambda, double margin, boolean softplusMean) {
        return s -> {
            HostTensor logits = s.prediction(0);
            int c = logits.dim(1);
            double[] out = new double[logits.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] z = row(logits, i);
                if (softplusMean) {
                    double mean = 0;
                    for (int k = 0; k < c; k++) {
                        z[k] = Math.log1p(Math.exp(z[k]));
                        mean += z[k] / c;
                    }
                    for (int k = 0; k < c; k++) {
                        z[k] /= mean;
                    }
                }
                int y = s.label(0).index(i);
                double[] scaled = new double[c];
                for (int k = 0; k < c; k++) {
                    scaled[k] = ((k == y ? 0 : margin) + z[k] - z[y]) / lambda;
                }
                out[i] = lambda * (logSumExp(scaled) - Math.log(c));
            }
            return out;
        };
    }

    private static Variant variant(double lambda, double margin, String normalize) {
        return new Variant("lambda=" + lambda + ", margin=" + margin + ", " + normalize,
                r -> LdrKlLoss.builder().optLambda(lambda).optMargin(margin).optNormalize(normalize)
                        .optReduction(r).build(),
                reference(lambda, margin, "softplus-mean".equals(normalize)));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant(1.0, 0.1, "none"),
                variant(0.1, 0.1, "none"),
                variant(10.0, 2.0, "none"),
                variant(1.0, 0.1, "softplus-mean"),
                variant(10.0, 0.1, "softplus-mean"));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long c = SHAPES[shape][1];
        return new Sample(List.of(Generators.classes(rng, (int) c, n)),
                List.of(Generators.normal(rng, 1.5, n, c)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> LdrKlLoss.builder().build()),
                new RegistryCase(Map.of("lambda", 10, "margin", 2L, "normalize", "softplus-mean"),
                        () -> LdrKlLoss.builder().optLambda(10).optMargin(2).optNormalize("softplus-mean").build()),
                new RegistryCase(Map.of("reduction", "none"),
                        () -> LdrKlLoss.builder().optReduction(Reduction.NONE).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return ClassificationBadInputs.forScoresAndTargets(rng, "logits", "(N, C)");
    }

    private double[] perSample(LdrKlLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64).value();
    }

    @Test
    void zeroMarginUnitLambdaEqualsCrossEntropyMinusLogC() {
        Sample s = sample(2, new Random(1));
        double[] got = perSample(LdrKlLoss.builder().optMargin(0).optReduction(Reduction.NONE).build(), s);
        int c = s.prediction(0).dim(1);
        double[] expected = CompSumLossTest.reference(1.0).perSample(s);
        for (int i = 0; i < expected.length; i++) {
            expected[i] -= Math.log(c);
        }
        Close.assertClose("LDR-KL(c=0, λ=1) vs CE − log C", got, expected, 1e-12);
    }

    @Test
    void smallLambdaApproachesCrammerSinger() {
        Sample s = sample(2, new Random(2));
        double[] got = perSample(
                LdrKlLoss.builder().optLambda(1e-4).optMargin(0.5).optReduction(Reduction.NONE).build(), s);
        HostTensor logits = s.prediction(0);
        int c = logits.dim(1);
        for (int i = 0; i < got.length; i++) {
            double[] f = row(logits, i);
            int y = s.label(0).index(i);
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                max = Math.max(max, (k == y ? 0 : 0.5) + f[k] - f[y]);
            }
            // λ log(1/C Σ exp(m/λ)) lies in [max − λ log C, max]
            assertThat(got[i]).isBetween(max - 1e-4 * Math.log(c) - 1e-12, max + 1e-12);
        }
    }

    @Test
    void largeLambdaApproachesMeanMarginViolation() {
        Sample s = sample(1, new Random(3));
        double[] got = perSample(
                LdrKlLoss.builder().optLambda(1e6).optMargin(0.3).optReduction(Reduction.NONE).build(), s);
        HostTensor logits = s.prediction(0);
        int c = logits.dim(1);
        double[] expected = new double[got.length];
        for (int i = 0; i < got.length; i++) {
            double[] f = row(logits, i);
            int y = s.label(0).index(i);
            for (int k = 0; k < c; k++) {
                expected[i] += ((k == y ? 0 : 0.3) + f[k] - f[y]) / c;
            }
        }
        Close.assertClose("LDR-KL(λ→∞) vs mean_k(δ + f_k − f_y)", got, expected, 1e-4);
    }

    @Test
    void canBeNegativeDownToMinusLambdaLogC() {
        HostTensor target = HostTensor.longs(new long[] {0}, 1);
        HostTensor logits = HostTensor.floats(new double[] {50, 0, 0, 0}, 1, 4);
        double got = Evaluation.of(LdrKlLoss.builder().optLambda(2).optMargin(0).build(),
                new Sample(List.of(target), List.of(logits)), DataType.FLOAT64).scalar();
        assertThat(got).isLessThan(0).isGreaterThanOrEqualTo(-2 * Math.log(4));
    }

    @Test
    void rejectsNonPositiveLambdaAndUnknownNormalization() {
        assertThatThrownBy(() -> LdrKlLoss.builder().optLambda(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldr-kl").hasMessageContaining("lambda");
        assertThatThrownBy(() -> LdrKlLoss.builder().optNormalize("l2").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("softplus-mean");
    }
}
