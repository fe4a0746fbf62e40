package io.github.lossforge.contrastive.retrieval;

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
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class MannWhitneyLossTest extends LossContract {

    /** Q, K, the row without positives (−1: none). */
    private static final int[][] SHAPES = {{1, 5, -1}, {4, 6, 1}, {6, 9, -1}};

    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** Explicit loops over (positive, negative) pairs: across the matrix (global) or within rows, rows averaged. */
    static Reference reference(double temperature, boolean perQuery) {
        return s -> {
            HostTensor scores = s.prediction(0);
            HostTensor mask = s.label(0);
            int q = scores.dim(0);
            int k = scores.dim(1);
            if (!perQuery) {
                double total = 0;
                long pairs = 0;
                for (int p = 0; p < q * k; p++) {
                    for (int n = 0; n < q * k; n++) {
                        if (mask.at(p) == 1 && mask.at(n) == 0) {
                            total += softplus((scores.at(n) - scores.at(p)) / temperature);
                            pairs++;
                        }
                    }
                }
                return new double[] {pairs == 0 ? 0 : total / pairs};
            }
            double sum = 0;
            int rows = 0;
            for (int i = 0; i < q; i++) {
                double total = 0;
                int pairs = 0;
                for (int p = 0; p < k; p++) {
                    for (int n = 0; n < k; n++) {
                        if (mask.at(i * k + p) == 1 && mask.at(i * k + n) == 0) {
                            total += softplus((scores.at(i * k + n) - scores.at(i * k + p)) / temperature);
                            pairs++;
                        }
                    }
                }
                if (pairs > 0) {
                    sum += total / pairs;
                    rows++;
                }
            }
            return new double[] {rows == 0 ? 0 : sum / rows};
        };
    }

    private static Variant variant(double temperature, String pairing, long chunk) {
        return new Variant("T " + temperature + " " + pairing + " chunk " + chunk, r -> MannWhitneyLoss.builder()
                .optTemperature(temperature).optPairing(pairing).optChunk(chunk).optReduction(r).build(),
                reference(temperature, "per-query".equals(pairing)));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1, "global", 0), variant(1, "per-query", 0), variant(0.3, "global", 2),
                variant(0.5, "per-query", 1));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int q = SHAPES[shape][0];
        int k = SHAPES[shape][1];
        return new Sample(List.of(RetrievalSamples.mask(rng, q, k, 0.3, SHAPES[shape][2])),
                List.of(Generators.normal(rng, 1, q, k)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.scoresWithPositiveMask(4, 5, 12);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> MannWhitneyLoss.builder().build()),
                new RegistryCase(Map.of("temperature", 0.05, "pairing", "per-query", "chunk", 3),
                        () -> MannWhitneyLoss.builder().optTemperature(0.05).optPairing("per-query").optChunk(3)
                                .build()),
                new RegistryCase(Map.of("chunk", "auto"), () -> MannWhitneyLoss.builder().build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return RetrievalSamples.badInputs(rng, "scores", "positive mask");
    }

    @Test
    void everyChunkSizeGivesTheSameValueAndGradient() {
        Sample s = sample(2, new Random(1));
        for (String pairing : new String[] {"global", "per-query"}) {
            Evaluation whole = Evaluation.of(MannWhitneyLoss.builder().optPairing(pairing).optChunk(1000).build(), s,
                    DataType.FLOAT64);
            for (long chunk : new long[] {0, 1, 4, 7}) {
                Evaluation e = Evaluation.of(MannWhitneyLoss.builder().optPairing(pairing).optChunk(chunk).build(), s,
                        DataType.FLOAT64);
                Close.assertClose(pairing + " chunk " + chunk + ": value", e.value(), whole.value(), 1e-12);
                Close.assertClose(pairing + " chunk " + chunk + ": gradient", e.gradient(0), whole.gradient(0), 1e-12);
            }
        }
    }

    @Test
    void globalPairingPenalisesOffsetsBetweenQueriesThatPerQueryPairingIgnores() {
        // Each row ranks its positive first, but row 1's scores are all shifted down by 10.
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1, 0, 0, 1, 0, 0}, 2, 3)),
                List.of(HostTensor.floats(new double[] {3, 0, 0, -7, -10, -10}, 2, 3)));
        double global = Evaluation.of(MannWhitneyLoss.builder().build(), s, DataType.FLOAT64).scalar();
        double perQuery = Evaluation.of(MannWhitneyLoss.builder().optPairing("per-query").build(), s, DataType.FLOAT64)
                .scalar();
        Close.assertClose("per-query: softplus(−3) for every pair", new double[] {perQuery},
                new double[] {Math.log1p(Math.exp(-3))}, 1e-12);
        assertThat(global).isGreaterThan(1);
    }

    @Test
    void aBatchWithoutPositiveNegativePairsGivesZero() {
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1, 1, 1, 1}, 2, 2)),
                List.of(Generators.normal(new Random(2), 1, 2, 2)));
        for (String pairing : new String[] {"global", "per-query"}) {
            Evaluation e = Evaluation.of(MannWhitneyLoss.builder().optPairing(pairing).build(), s, DataType.FLOAT64);
            assertThat(e.scalar()).isZero();
            assertThat(e.gradient(0)).containsOnly(0.0);
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> MannWhitneyLoss.builder().optTemperature(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mw").hasMessageContaining("temperature");
        assertThatThrownBy(() -> MannWhitneyLoss.builder().optPairing("pairwise").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pairing");
        assertThatThrownBy(() -> MannWhitneyLoss.builder().optChunk(-2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk");
        assertThatThrownBy(() -> MannWhitneyLoss.builder().optReduction(Reduction.NONE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("none");
        assertThatThrownBy(() -> io.github.lossforge.core.Losses.create("mw", Map.of("chunk", 2.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk");
    }
}
