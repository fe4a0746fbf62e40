package io.github.lossforge.contrastive.selfsupervised;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.logSumExp;
import static io.github.lossforge.contrastive.PairReferences.rows;
import static org.assertj.core.api.Assertions.assertThat;
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
import io.github.lossforge.core.testkit.Stencil;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class CwclLossTest extends LossContract {

    private static final long[][] SHAPES = {{1, 3}, {5, 4}, {8, 3}};

    /**
     * By loops: w_ij = ⟨û_i, û_j⟩/2 + 1/2 from the given frozen embeddings {@code weightsFrom} (or
     * from the sample's own u when null), L = û·v̂ᵀ/τ, row cross-entropy against w/Σw, and the same
     * on the columns when symmetric.
     */
    static double[] perSample(Sample s, double tau, boolean symmetric, HostTensor weightsFrom) {
        double[][] u = rows(s.prediction(0), true);
        double[][] v = rows(s.prediction(1), true);
        double[][] w0 = rows(weightsFrom == null ? s.prediction(0) : weightsFrom, true);
        int n = u.length;
        double[][] w = new double[n][n];
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[i][j] = dot(w0[i], w0[j]) / 2 + 0.5;
                logits[i][j] = dot(u[i], v[j]) / tau;
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[] row = logits[i];
            double[] column = new double[n];
            for (int k = 0; k < n; k++) {
                column[k] = logits[k][i];
            }
            double rowLse = logSumExp(row);
            double columnLse = logSumExp(column);
            double total = 0;
            double forward = 0;
            double backward = 0;
            for (int j = 0; j < n; j++) {
                total += w[i][j];
                forward -= w[i][j] * (row[j] - rowLse);
                backward -= w[i][j] * (column[j] - columnLse);
            }
            out[i] = symmetric ? 0.5 * (forward + backward) / total : forward / total;
        }
        return out;
    }

    static Reference reference(double tau, boolean symmetric) {
        return s -> perSample(s, tau, symmetric, null);
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                new Variant("defaults (symmetric)", r -> CwclLoss.builder().optReduction(r).build(), reference(0.07, true)),
                new Variant("one direction tau 0.5", r -> CwclLoss.builder().optTemperature(0.5).optSymmetric(false)
                        .optReduction(r).build(), reference(0.5, false)));
    }

    /**
     * The frozen embeddings u lie on one line (±e with random lengths): there the weights are 1 or 0
     * and their derivative vanishes, so finite differences of the full formula equal the gradient
     * with the weights detached. Arbitrary u are covered by the tests below.
     */
    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long d = SHAPES[shape][1];
        double[] e = Generators.normal(rng, 1, d).data();
        double[] u = new double[(int) (n * d)];
        for (int i = 0; i < n; i++) {
            double length = (rng.nextBoolean() ? 1 : -1) * (0.5 + rng.nextDouble());
            for (int k = 0; k < d; k++) {
                u[(int) (i * d + k)] = length * e[k];
            }
        }
        return new Sample(List.of(), List.of(HostTensor.floats(u, n, d), Generators.normal(rng, 1, n, d)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.twoViews(4, 8, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> CwclLoss.builder().build()),
                new RegistryCase(Map.of("temperature", 0.5, "symmetric", false, "reduction", "sum"),
                        () -> CwclLoss.builder().optTemperature(0.5).optSymmetric(false).optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor u = Generators.normal(rng, 1, 4, 3);
        return List.of(
                new BadInput("modalities of different shapes",
                        new Sample(List.of(), List.of(u, Generators.normal(rng, 1, 5, 3))),
                        "predictions[1] (trained v)", "(5, 3)", "(4, 3)"),
                new BadInput("rank-1 frozen embeddings", new Sample(List.of(), List.of(u.reshape(12), u.reshape(12))),
                        "predictions[0] (frozen u)", "(12)", "(N, D)"),
                new BadInput("one modality only", new Sample(List.of(), List.of(u)), "predictions"));
    }

    private static Sample randomSample(Random rng) {
        return new Sample(List.of(), List.of(Generators.normal(rng, 1, 6, 4), Generators.normal(rng, 1, 6, 4)));
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElseThrow();
    }

    @Test
    void arbitraryFrozenEmbeddingsGiveContinuousWeights() {
        Sample s = randomSample(new Random(1));
        for (boolean symmetric : new boolean[] {true, false}) {
            Evaluation e = Evaluation.of(CwclLoss.builder().optTemperature(0.2).optSymmetric(symmetric).build(), s,
                    DataType.FLOAT64);
            Close.assertClose("value", new double[] {e.scalar()},
                    new double[] {mean(perSample(s, 0.2, symmetric, null))}, REL);
            HostTensor v = s.prediction(1);
            Close.assertClose("gradient of v", e.gradient(1), Stencil.gradient(
                    x -> mean(perSample(s.withPrediction(1, v.withData(x)), 0.2, symmetric, null)), v.data(), 1e-4), REL);
        }
    }

    @Test
    void theWeightsAreDetachedButUStillLearnsThroughTheLogits() {
        Sample s = randomSample(new Random(2));
        HostTensor u = s.prediction(0);
        Evaluation e = Evaluation.of(CwclLoss.builder().build(), s, DataType.FLOAT64);
        double[] frozenWeights = Stencil.gradient(
                x -> mean(perSample(s.withPrediction(0, u.withData(x)), 0.07, true, u)), u.data(), 1e-4);
        double[] fullDerivative = Stencil.gradient(
                x -> mean(perSample(s.withPrediction(0, u.withData(x)), 0.07, true, null)), u.data(), 1e-4);
        Close.assertClose("∂L/∂u with W held at the frozen model's values", e.gradient(0), frozenWeights, REL);
        double gap = 0;
        for (int i = 0; i < fullDerivative.length; i++) {
            gap = Math.max(gap, Math.abs(fullDerivative[i] - frozenWeights[i]));
        }
        assertThat(gap).as("W depends on u, and that dependence is not differentiated").isGreaterThan(1e-3);
    }

    @Test
    void frozenEmbeddingsOnOneSideGiveUniformTargets() {
        // Every û equal: w ≡ 1, so each row's target is uniform: ℓ_i = lse(L_i) − mean_j L_ij.
        Random rng = new Random(3);
        double[] e = Generators.normal(rng, 1, 3).data();
        double[] u = new double[12];
        for (int i = 0; i < 12; i++) {
            u[i] = (1 + i / 3) * e[i % 3];
        }
        Sample s = new Sample(List.of(), List.of(HostTensor.floats(u, 4, 3), Generators.normal(rng, 1, 4, 3)));
        double[] got = Evaluation.of(CwclLoss.builder().optSymmetric(false).optReduction(Reduction.NONE).build(), s,
                DataType.FLOAT64).value();
        double[][] uu = rows(s.prediction(0), true);
        double[][] vv = rows(s.prediction(1), true);
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) {
            double[] row = new double[4];
            double meanLogit = 0;
            for (int j = 0; j < 4; j++) {
                row[j] = dot(uu[i], vv[j]) / 0.07;
                meanLogit += row[j] / 4;
            }
            expected[i] = logSumExp(row) - meanLogit;
        }
        Close.assertClose("uniform targets", got, expected, 1e-10);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> CwclLoss.builder().optTemperature(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cwcl").hasMessageContaining("temperature");
    }
}
