package io.github.lossforge.contrastive.selfsupervised;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.EmbeddingTasks;
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

import java.util.List;
import java.util.Map;
import java.util.Random;

class BarlowTwinsLossTest extends LossContract {

    private static final long[][] SHAPES = {{2, 3}, {6, 4}, {9, 5}};

    /** Per-feature standardisation with the biased variance, by loops. */
    private static double[][] standardize(HostTensor z, double eps) {
        int n = z.dim(0);
        int d = z.dim(1);
        double[][] out = new double[n][d];
        for (int f = 0; f < d; f++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += z.at(i * d + f) / n;
            }
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (z.at(i * d + f) - mean) * (z.at(i * d + f) - mean) / n;
            }
            for (int i = 0; i < n; i++) {
                out[i][f] = (z.at(i * d + f) - mean) / Math.sqrt(var + eps);
            }
        }
        return out;
    }

    /** C_kl = Σ_i ẑ1_ik ẑ2_il / N; L = scale·[Σ_k (1 − C_kk)² + λ Σ_{k≠l} C_kl²]. */
    static Reference reference(double lambda, double scale, double eps) {
        return s -> {
            double[][] a = standardize(s.prediction(0), eps);
            double[][] b = standardize(s.prediction(1), eps);
            int n = a.length;
            int d = a[0].length;
            double loss = 0;
            for (int k = 0; k < d; k++) {
                for (int l = 0; l < d; l++) {
                    double c = 0;
                    for (int i = 0; i < n; i++) {
                        c += a[i][k] * b[i][l] / n;
                    }
                    loss += k == l ? (1 - c) * (1 - c) : lambda * c * c;
                }
            }
            return new double[] {scale * loss};
        };
    }

    private static Variant variant(double lambda, double scale, double eps) {
        return new Variant("lambda " + lambda + " scale " + scale + " eps " + eps,
                r -> BarlowTwinsLoss.builder().optLambda(lambda).optScale(scale).optEps(eps).optReduction(r).build(),
                reference(lambda, scale, eps));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.0051, 1, 1e-5), variant(0.5, 0.25, 1e-5), variant(0.1, 1, 0.3));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long d = SHAPES[shape][1];
        return new Sample(List.of(), List.of(Generators.normal(rng, 1.5, n, d), Generators.normal(rng, 1, n, d)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.twoViews(4, 8, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> BarlowTwinsLoss.builder().build()),
                new RegistryCase(Map.of("lambda", 0.5, "scale", 0.25, "eps", 0.001),
                        () -> BarlowTwinsLoss.builder().optLambda(0.5).optScale(0.25).optEps(1e-3)
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor z = Generators.normal(rng, 1, 4, 3);
        return List.of(
                new BadInput("views of different shapes", new Sample(List.of(), List.of(z, Generators.normal(rng, 1, 4, 2))),
                        "predictions[1] (z2)", "(4, 2)", "(4, 3)"),
                new BadInput("rank-3 view", new Sample(List.of(), List.of(z.reshape(4, 3, 1), z.reshape(4, 3, 1))),
                        "predictions[0] (z1)", "(4, 3, 1)", "(N, D)"),
                new BadInput("batch of one", new Sample(List.of(), List.of(z.firstRows(1), z.firstRows(1))),
                        "predictions[0] (z1)", "at least 2"),
                new BadInput("one view only", new Sample(List.of(), List.of(z)), "predictions"));
    }

    @Test
    void identicalViewsWithDecorrelatedFeaturesGiveZero() {
        // Columns ±1 with zero mean and orthogonal: the standardised cross-correlation is the identity.
        HostTensor z = HostTensor.floats(new double[] {1, 1, -1, 1, 1, -1, -1, -1}, 4, 2);
        Sample s = new Sample(List.of(), List.of(z, z));
        double v = Evaluation.of(BarlowTwinsLoss.builder().optEps(1e-12).build(), s, DataType.FLOAT64).scalar();
        org.assertj.core.api.Assertions.assertThat(Math.abs(v)).as("C = I").isLessThan(1e-9);
    }

    @Test
    void theLossIsShiftInvariantSoTheGradientFlowsThroughTheBatchMean() {
        Sample s = sample(2, new Random(1));
        Evaluation e = Evaluation.of(BarlowTwinsLoss.builder().build(), s, DataType.FLOAT64);
        int n = s.prediction(0).dim(0);
        int d = s.prediction(0).dim(1);
        double[] g = e.gradient(0);
        double[] columnSums = new double[d];
        double scale = 0;
        for (int i = 0; i < n * d; i++) {
            columnSums[i % d] += g[i];
            scale = Math.max(scale, Math.abs(g[i]));
        }
        for (int f = 0; f < d; f++) {
            org.assertj.core.api.Assertions.assertThat(Math.abs(columnSums[f]) / scale)
                    .as("Σ_n ∂L/∂z1[n, %d] relative to the gradient's scale (shifting a feature changes nothing)", f)
                    .isLessThan(1e-9);
        }
    }

    @Test
    void lambdaZeroKeepsOnlyTheInvarianceTerm() {
        Sample s = sample(1, new Random(2));
        double got = Evaluation.of(BarlowTwinsLoss.builder().optLambda(0).build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("λ = 0", new double[] {got}, new double[] {reference(0, 1, 1e-5).mean(s)}, 1e-9);
    }

    @Test
    void constantFeaturesStayFinite() {
        double[] same = new double[5 * 3];
        java.util.Arrays.fill(same, 2.5);
        HostTensor z = HostTensor.floats(same, 5, 3);
        Evaluation e = Evaluation.of(BarlowTwinsLoss.builder().build(), new Sample(List.of(), List.of(z, z)),
                DataType.FLOAT32);
        Close.assertClose("every standardised feature is 0: L = D", e.value(), new double[] {3}, 1e-6);
        Close.assertFinite("gradient", e.gradient(0));
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> BarlowTwinsLoss.builder().optLambda(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("barlow-twins").hasMessageContaining("lambda");
        assertThatThrownBy(() -> BarlowTwinsLoss.builder().optEps(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eps");
        assertThatThrownBy(() -> BarlowTwinsLoss.builder().optScale(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
        assertThatThrownBy(() -> BarlowTwinsLoss.builder().optReduction(Reduction.NONE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("none");
    }
}
