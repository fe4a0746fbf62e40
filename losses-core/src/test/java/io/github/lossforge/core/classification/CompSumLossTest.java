package io.github.lossforge.core.classification;

import static io.github.lossforge.core.classification.ClassificationReferences.logSoftmaxAt;
import static io.github.lossforge.core.classification.ClassificationReferences.row;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
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

class CompSumLossTest extends LossContract {

    private static final long[][] SHAPES = {{1, 4}, {6, 5}, {9, 13}};

    /** ℓ_τ = (p_y^(τ−1) − 1)/(1 − τ), ℓ_1 = −log p_y, written directly from the paper. */
    static Reference reference(double tau) {
        return s -> {
            HostTensor logits = s.prediction(0);
            double[] out = new double[logits.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double logPy = logSoftmaxAt(row(logits, i), s.label(0).index(i));
                out[i] = tau == 1 ? -logPy : (Math.exp((tau - 1) * logPy) - 1) / (1 - tau);
            }
            return out;
        };
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant(1.0), variant(0.0), variant(0.5), variant(1.5), variant(2.0), variant(3.0));
    }

    private static Variant variant(double tau) {
        return new Variant("tau=" + tau,
                r -> CompSumLoss.builder().optTau(tau).optReduction(r).build(), reference(tau));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long c = SHAPES[shape][1];
        return new Sample(List.of(Generators.classes(rng, (int) c, n)),
                List.of(Generators.normal(rng, 2.0, n, c)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> CompSumLoss.builder().build()),
                new RegistryCase(Map.of("tau", 2, "reduction", "sum"),
                        () -> CompSumLoss.builder().optTau(2.0).optReduction(Reduction.SUM).build()),
                new RegistryCase(Map.of("tau", 0.5f),
                        () -> CompSumLoss.builder().optTau(0.5).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return ClassificationBadInputs.forScoresAndTargets(rng, "logits", "(N, C)");
    }

    @Test
    void tauOneEqualsDjlSoftmaxCrossEntropy() {
        Sample s = sample(2, new Random(1));
        double ours = Evaluation.of(CompSumLoss.builder().build(), s, DataType.FLOAT64).scalar();
        double djl = Evaluation.valueOf(Loss.softmaxCrossEntropyLoss(), s, DataType.FLOAT64)[0];
        Close.assertClose("comp-sum tau=1 vs DJL SoftmaxCrossEntropyLoss",
                new double[] {ours}, new double[] {djl}, 1e-12);
    }

    @Test
    void tauTwoIsOneMinusTargetProbability() {
        Sample s = sample(1, new Random(2));
        double[] got = Evaluation.of(
                CompSumLoss.builder().optTau(2).optReduction(Reduction.NONE).build(), s, DataType.FLOAT64).value();
        double[] expected = new double[got.length];
        for (int i = 0; i < got.length; i++) {
            expected[i] = 1 - Math.exp(logSoftmaxAt(row(s.prediction(0), i), s.label(0).index(i)));
        }
        Close.assertClose("tau=2 vs 1 − p_y", got, expected, 1e-12);
    }

    @Test
    void gradientIsCrossEntropyGradientScaledByPowerOfTargetProbability() {
        Sample s = sample(1, new Random(3));
        double tau = 1.7;
        double[] grad = Evaluation.of(
                CompSumLoss.builder().optTau(tau).optReduction(Reduction.SUM).build(), s, DataType.FLOAT64)
                .gradient(0);
        HostTensor logits = s.prediction(0);
        int c = logits.dim(1);
        double[] expected = new double[grad.length];
        for (int i = 0; i < logits.dim(0); i++) {
            double[] x = row(logits, i);
            int y = s.label(0).index(i);
            double lse = ClassificationReferences.logSumExp(x);
            double py = Math.exp(x[y] - lse);
            for (int k = 0; k < c; k++) {
                double p = Math.exp(x[k] - lse);
                expected[i * c + k] = Math.pow(py, tau - 1) * (p - (k == y ? 1 : 0));
            }
        }
        Close.assertClose("∂ℓ_τ/∂h = p_y^(τ−1)(p − e_y)", grad, expected, 1e-9);
    }

    @Test
    void sumExponentialStaysFiniteBeyondTheCapAndKeepsGrowing() {
        HostTensor target = HostTensor.longs(new long[] {0, 0}, 2);
        HostTensor logits = HostTensor.floats(new double[] {-200, 200, -100, 100}, 2, 2);
        Evaluation e = Evaluation.of(CompSumLoss.builder().optTau(0).optReduction(Reduction.NONE).build(),
                new Sample(List.of(target), List.of(logits)), DataType.FLOAT32);
        Close.assertFinite("tau=0 at margin 400", e.value());
        Close.assertFinite("tau=0 gradient at margin 400", e.gradient(0));
        org.assertj.core.api.Assertions.assertThat(e.value()[0]).isGreaterThan(e.value()[1]);
    }

    @Test
    void rejectsNegativeTau() {
        assertThatThrownBy(() -> CompSumLoss.builder().optTau(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("comp-sum")
                .hasMessageContaining("tau");
    }
}
