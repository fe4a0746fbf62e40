package io.github.lossforge.contrastive.selfsupervised;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.logSumExp;
import static io.github.lossforge.contrastive.PairReferences.rows;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import io.github.lossforge.contrastive.EmbeddingTasks;
import io.github.lossforge.core.BaseLoss;
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

class InfoNceLossTest extends LossContract {

    /** N = M: the symmetric variants need it (batch 1 is trivially 0: one key is its own softmax). */
    private static final long[][] SHAPES = {{2, 4}, {5, 3}, {8, 6}};

    /**
     * Per-query −Σ_j t_ij log softmax_j(L_i), t = (1 − ε)δ + ε/M, L = s·q̂·k̂ᵀ with s = 1/τ or
     * e^{P2}; symmetric averages the same on the columns. Explicit loops over (query, key) pairs.
     */
    static Reference reference(double temperature, boolean symmetric, double eps, boolean normalize) {
        return s -> {
            double[][] q = rows(s.prediction(0), normalize);
            double[][] k = rows(s.prediction(1), normalize);
            double scale = s.predictions().size() > 2 ? Math.exp(s.prediction(2).at(0)) : 1 / temperature;
            int n = q.length;
            int m = k.length;
            double[][] logits = new double[n][m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    logits[i][j] = scale * dot(q[i], k[j]);
                }
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                double lse = logSumExp(logits[i]);
                double ce = 0;
                for (int j = 0; j < m; j++) {
                    double t = (i == j ? 1 - eps : 0) + eps / m;
                    ce -= t * (logits[i][j] - lse);
                }
                out[i] = ce;
            }
            if (!symmetric) {
                return out;
            }
            for (int j = 0; j < n; j++) {
                double[] column = new double[n];
                for (int i = 0; i < n; i++) {
                    column[i] = logits[i][j];
                }
                double lse = logSumExp(column);
                double ce = 0;
                for (int i = 0; i < n; i++) {
                    double t = (i == j ? 1 - eps : 0) + eps / n;
                    ce -= t * (column[i] - lse);
                }
                out[j] = 0.5 * (out[j] + ce);
            }
            return out;
        };
    }

    private static Variant variant(String name, double tau, boolean symmetric, double eps, boolean normalize,
            long chunk) {
        return new Variant(name, r -> InfoNceLoss.builder().optTemperature(tau).optSymmetric(symmetric)
                .optLabelSmoothing(eps).optNormalize(normalize).optChunk(chunk).optReduction(r).build(),
                reference(tau, symmetric, eps, normalize));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant("defaults", 0.07, false, 0, true, 0),
                variant("symmetric tau=0.2", 0.2, true, 0, true, 0),
                variant("smoothing 0.1 tau=0.5", 0.5, false, 0.1, true, 0),
                variant("symmetric smoothing 0.2 raw dot tau=2", 2, true, 0.2, false, 0),
                variant("chunk 2", 0.07, false, 0, true, 2),
                variant("chunk 3 symmetric smoothing 0.1 tau=0.3", 0.3, true, 0.1, true, 3));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long n = SHAPES[shape][0];
        long d = SHAPES[shape][1];
        return new Sample(List.of(), List.of(Generators.normal(rng, 1, n, d), Generators.normal(rng, 1, n, d)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.twoViews(4, 8, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> InfoNceLoss.builder().build()),
                new RegistryCase(
                        Map.of("temperature", 0.2, "symmetric", true, "labelSmoothing", 0.1, "normalize", false,
                                "chunk", 2, "reduction", "sum"),
                        () -> InfoNceLoss.builder().optTemperature(0.2).optSymmetric(true).optLabelSmoothing(0.1)
                                .optNormalize(false).optChunk(2).optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor q = Generators.normal(rng, 1, 4, 3);
        HostTensor k = Generators.normal(rng, 1, 4, 3);
        return List.of(
                new BadInput("rank-3 queries", new Sample(List.of(), List.of(q.reshape(4, 3, 1), k)),
                        "predictions[0] (queries)", "(4, 3, 1)", "(N, D)"),
                new BadInput("embedding sizes differ",
                        new Sample(List.of(), List.of(q, Generators.normal(rng, 1, 4, 2))),
                        "predictions[1] (keys)", "(4, 2)", "3"),
                new BadInput("fewer keys than queries", new Sample(List.of(), List.of(q, k.firstRows(3))),
                        "predictions[1] (keys)", "(3, 3)", "at least 4"),
                new BadInput("log-scale not a scalar",
                        new Sample(List.of(), List.of(q, k, Generators.normal(rng, 1, 2))),
                        "predictions[2] (log-scale)", "(2)", "scalar"),
                new BadInput("two label slots",
                        new Sample(List.of(Generators.classes(rng, 2, 4), Generators.classes(rng, 2, 4)), List.of(q, k)),
                        "labels"),
                new BadInput("missing keys", new Sample(List.of(), List.of(q)), "predictions"));
    }

    @Test
    void withRawDotProductsAndUnitTemperatureItIsCrossEntropyOnTheDiagonal() {
        Sample s = sample(2, new Random(1));
        int n = s.prediction(0).dim(0);
        long[] arange = new long[n];
        for (int i = 0; i < n; i++) {
            arange[i] = i;
        }
        double[][] q = rows(s.prediction(0), false);
        double[][] k = rows(s.prediction(1), false);
        double[] logits = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                logits[i * n + j] = dot(q[i], k[j]);
            }
        }
        Sample asClassification = new Sample(List.of(HostTensor.longs(arange, n)),
                List.of(HostTensor.floats(logits, n, n)));
        double ours = Evaluation.of(InfoNceLoss.builder().optNormalize(false).optTemperature(1).build(), s,
                DataType.FLOAT64).scalar();
        double djl = Evaluation.valueOf(Loss.softmaxCrossEntropyLoss(), asClassification, DataType.FLOAT64)[0];
        Close.assertClose("InfoNCE vs DJL softmax cross-entropy on q·kᵀ with targets 0..N−1",
                new double[] {ours}, new double[] {djl}, 1e-12);
    }

    @Test
    void extraKeysBeyondTheQueriesActAsNegatives() {
        Random rng = new Random(2);
        Sample s = new Sample(List.of(), List.of(Generators.normal(rng, 1, 4, 5), Generators.normal(rng, 1, 9, 5)));
        for (long chunk : new long[] {0, 3}) {
            BaseLoss loss = InfoNceLoss.builder().optTemperature(0.3).optLabelSmoothing(0.1).optChunk(chunk).build();
            Evaluation e = Evaluation.of(loss, s, DataType.FLOAT64);
            Reference ref = reference(0.3, false, 0.1, true);
            Close.assertClose("4 queries, 9 keys, chunk " + chunk, new double[] {e.scalar()},
                    new double[] {ref.mean(s)}, REL);
            for (int slot = 0; slot < 2; slot++) {
                HostTensor t = s.prediction(slot);
                int i = slot;
                double[] expected = io.github.lossforge.core.testkit.Stencil.gradient(
                        x -> ref.mean(s.withPrediction(i, t.withData(x))), t.data(), 1e-4);
                Close.assertClose("gradient of predictions[" + slot + "], chunk " + chunk, e.gradient(slot),
                        expected, REL);
            }
        }
    }

    @Test
    void chunkedEvaluationEqualsTheWholeMatrixInFloat64() {
        Random rng = new Random(3);
        Sample s = new Sample(List.of(), List.of(Generators.normal(rng, 1, 37, 8), Generators.normal(rng, 1, 37, 8)));
        for (boolean symmetric : new boolean[] {false, true}) {
            for (Reduction reduction : new Reduction[] {Reduction.MEAN, Reduction.SUM}) {
                BaseLoss whole = InfoNceLoss.builder().optSymmetric(symmetric).optLabelSmoothing(0.1)
                        .optReduction(reduction).build();
                Evaluation expected = Evaluation.of(whole, s, DataType.FLOAT64);
                for (long chunk : new long[] {1, 5, 37, 100}) {
                    BaseLoss blocked = InfoNceLoss.builder().optSymmetric(symmetric).optLabelSmoothing(0.1)
                            .optChunk(chunk).optReduction(reduction).build();
                    Evaluation got = Evaluation.of(blocked, s, DataType.FLOAT64);
                    String what = "symmetric=" + symmetric + " " + reduction + " chunk " + chunk;
                    Close.assertClose(what + ": value", got.value(), expected.value(), 1e-6);
                    Close.assertClose(what + ": gradient of queries", got.gradient(0), expected.gradient(0), 1e-6);
                    Close.assertClose(what + ": gradient of keys", got.gradient(1), expected.gradient(1), 1e-6);
                }
            }
        }
    }

    @Test
    void identicalEmbeddingsGiveLogOfTheKeyCountAtATinyTemperature() {
        double[] same = new double[5 * 3];
        java.util.Arrays.fill(same, 1.5);
        HostTensor x = HostTensor.floats(same, 5, 3);
        for (long chunk : new long[] {0, 2}) {
            for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                Evaluation e = Evaluation.of(InfoNceLoss.builder().optTemperature(1e-4).optSymmetric(true)
                        .optChunk(chunk).build(), new Sample(List.of(), List.of(x, x)), type);
                // Logits of 1e4 keep about 1e4·6e-8 of absolute precision in float32.
                Close.assertClose(type + " chunk " + chunk + ": all logits equal", e.value(),
                        new double[] {Math.log(5)}, type == DataType.FLOAT32 ? 1e-3 : 1e-9);
                Close.assertFinite(type + " chunk " + chunk + ": gradient", e.gradient(0));
                Close.assertFinite(type + " chunk " + chunk + ": gradient", e.gradient(1));
            }
        }
    }

    @Test
    void rejectsChunkedEvaluationWithReductionNone() {
        assertThatThrownBy(() -> InfoNceLoss.builder().optChunk(4).optReduction(Reduction.NONE).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("info-nce")
                .hasMessageContaining("chunk");
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> InfoNceLoss.builder().optTemperature(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> InfoNceLoss.builder().optLabelSmoothing(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labelSmoothing");
        assertThatThrownBy(() -> InfoNceLoss.builder().optChunk(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk");
    }

    @Test
    void symmetricLossRejectsUnequalQueryAndKeyCounts() {
        Random rng = new Random(4);
        Sample s = new Sample(List.of(), List.of(Generators.normal(rng, 1, 3, 2), Generators.normal(rng, 1, 5, 2)));
        BaseLoss loss = InfoNceLoss.builder().optSymmetric(true).build();
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            var labels = s.labelList(manager, DataType.FLOAT64);
            var predictions = s.predictionList(manager, DataType.FLOAT64);
            assertThatThrownBy(() -> loss.evaluate(labels, predictions))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("info-nce")
                    .hasMessageContaining("predictions[1] (keys)")
                    .hasMessageContaining("symmetric");
        }
    }
}
