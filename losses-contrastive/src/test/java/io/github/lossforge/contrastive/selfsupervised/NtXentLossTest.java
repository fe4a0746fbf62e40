package io.github.lossforge.contrastive.selfsupervised;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.logSumExp;
import static io.github.lossforge.contrastive.PairReferences.rows;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
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
import io.github.lossforge.core.testkit.Stencil;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class NtXentLossTest extends LossContract {

    /** N images, D, pseudo-label classes (batch 1 is trivially 0: a view's only candidate is its partner). */
    private static final int[][] SHAPES = {{2, 3, 2}, {5, 4, 3}, {8, 3, 3}};

    /**
     * Over the 2N views z = [v̂1; v̂2], L = z·zᵀ/τ, explicit loops over (view, view) pairs: the
     * denominator holds every other view (minus same-pseudo-label ones in exclude mode, the partner
     * kept), the positive is the partner (or every same-pseudo-label view, averaged, in positive mode).
     */
    static Reference reference(double tau, boolean positiveMode) {
        return s -> {
            double[][] v1 = rows(s.prediction(0), true);
            double[][] v2 = rows(s.prediction(1), true);
            int n = v1.length;
            double[][] z = new double[2 * n][];
            for (int i = 0; i < n; i++) {
                z[i] = v1[i];
                z[i + n] = v2[i];
            }
            boolean labelled = !s.labels().isEmpty();
            double[] perView = new double[2 * n];
            for (int r = 0; r < 2 * n; r++) {
                int partner = (r + n) % (2 * n);
                double[] logits = new double[2 * n];
                boolean[] use = new boolean[2 * n];
                double positiveSum = 0;
                int positives = 0;
                for (int j = 0; j < 2 * n; j++) {
                    logits[j] = dot(z[r], z[j]) / tau;
                    boolean sameLabel = labelled && s.label(0).index(r % n) == s.label(0).index(j % n);
                    use[j] = j != r && (positiveMode || !sameLabel || j == partner);
                    boolean positive = j != r && (positiveMode && labelled ? sameLabel : j == partner);
                    if (positive) {
                        positiveSum += logits[j];
                        positives++;
                    }
                }
                perView[r] = logSumExp(logits, use) - positiveSum / positives;
            }
            double[] out = new double[n];
            for (int k = 0; k < n; k++) {
                out[k] = 0.5 * (perView[k] + perView[k + n]);
            }
            return out;
        };
    }

    private static Variant variant(String name, double tau, String mode, long chunk) {
        return new Variant(name, r -> NtXentLoss.builder().optTemperature(tau).optPseudoLabels(mode).optChunk(chunk)
                .optReduction(r).build(), reference(tau, NtXentLoss.POSITIVE.equals(mode)));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant("defaults (pseudo-labels excluded)", 0.1, "exclude", 0),
                variant("pseudo-labels as positives", 0.1, "positive", 0),
                variant("tau=0.5 exclude", 0.5, "exclude", 0),
                variant("chunk 3 exclude", 0.1, "exclude", 3),
                variant("chunk 4 positive tau=0.3", 0.3, "positive", 4));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int d = SHAPES[shape][1];
        return new Sample(List.of(Generators.classes(rng, SHAPES[shape][2], n)),
                List.of(Generators.normal(rng, 1, n, d), Generators.normal(rng, 1, n, d)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.twoViews(4, 8, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> NtXentLoss.builder().build()),
                new RegistryCase(Map.of("temperature", 0.5, "pseudoLabels", "positive", "chunk", 2, "reduction", "sum"),
                        () -> NtXentLoss.builder().optTemperature(0.5).optPseudoLabels("positive").optChunk(2)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor v = Generators.normal(rng, 1, 4, 3);
        HostTensor labels = Generators.classes(rng, 2, 4);
        return List.of(
                new BadInput("views of different shapes",
                        new Sample(List.of(labels), List.of(v, Generators.normal(rng, 1, 3, 3))),
                        "predictions[1] (view-2)", "(3, 3)", "(4, 3)"),
                new BadInput("rank-1 view", new Sample(List.of(labels), List.of(v.reshape(12), v.reshape(12))),
                        "predictions[0] (view-1)", "(12)", "(N, D)"),
                new BadInput("pseudo-labels of another batch", new Sample(List.of(labels.firstRows(3)), List.of(v, v)),
                        "labels[0] (pseudo-labels)", "(3)", "4"),
                new BadInput("floating pseudo-labels",
                        new Sample(List.of(labels.withType(DataType.FLOAT32)), List.of(v, v)),
                        "labels[0] (pseudo-labels)", "int"),
                new BadInput("rank-2 pseudo-labels", new Sample(List.of(labels.reshape(4, 1)), List.of(v, v)),
                        "labels[0] (pseudo-labels)", "(4, 1)"),
                new BadInput("two label slots", new Sample(List.of(labels, labels), List.of(v, v)), "labels"),
                new BadInput("one view only", new Sample(List.of(labels), List.of(v)), "predictions"));
    }

    private static Sample withoutLabels(Sample s) {
        return new Sample(List.of(), s.predictions());
    }

    @Test
    void withoutPseudoLabelsItIsSimClr() {
        Sample s = withoutLabels(sample(2, new Random(1)));
        Reference ref = reference(0.1, false);
        for (long chunk : new long[] {0, 3}) {
            Evaluation e = Evaluation.of(NtXentLoss.builder().optChunk(chunk).build(), s, DataType.FLOAT64);
            Close.assertClose("chunk " + chunk + ": value", new double[] {e.scalar()}, new double[] {ref.mean(s)}, REL);
            for (int slot = 0; slot < 2; slot++) {
                HostTensor t = s.prediction(slot);
                int i = slot;
                Close.assertClose("chunk " + chunk + ": gradient of predictions[" + slot + "]", e.gradient(slot),
                        Stencil.gradient(x -> ref.mean(s.withPrediction(i, t.withData(x))), t.data(), 1e-4), REL);
            }
        }
    }

    @Test
    void distinctPseudoLabelsChangeNothing() {
        Sample plain = withoutLabels(sample(1, new Random(2)));
        int n = plain.prediction(0).dim(0);
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 10 + i;
        }
        Sample labelled = new Sample(List.of(HostTensor.longs(ids, n)), plain.predictions());
        double expected = Evaluation.of(NtXentLoss.builder().build(), plain, DataType.FLOAT64).scalar();
        for (String mode : new String[] {"exclude", "positive"}) {
            double got = Evaluation.of(NtXentLoss.builder().optPseudoLabels(mode).build(), labelled, DataType.FLOAT64)
                    .scalar();
            Close.assertClose(mode + " with instance ids", new double[] {got}, new double[] {expected}, 1e-12);
        }
    }

    @Test
    void chunkedEvaluationEqualsTheWholeMatrixInFloat64() {
        Random rng = new Random(3);
        Sample s = new Sample(List.of(Generators.classes(rng, 5, 29)),
                List.of(Generators.normal(rng, 1, 29, 7), Generators.normal(rng, 1, 29, 7)));
        for (String mode : new String[] {"exclude", "positive"}) {
            for (Reduction reduction : new Reduction[] {Reduction.MEAN, Reduction.SUM}) {
                Evaluation expected = Evaluation.of(NtXentLoss.builder().optPseudoLabels(mode).optReduction(reduction)
                        .build(), s, DataType.FLOAT64);
                for (long chunk : new long[] {1, 7, 58, 64}) {
                    BaseLoss blocked = NtXentLoss.builder().optPseudoLabels(mode).optChunk(chunk)
                            .optReduction(reduction).build();
                    Evaluation got = Evaluation.of(blocked, s, DataType.FLOAT64);
                    String what = mode + " " + reduction + " chunk " + chunk;
                    Close.assertClose(what + ": value", got.value(), expected.value(), 1e-6);
                    Close.assertClose(what + ": gradient of view 1", got.gradient(0), expected.gradient(0), 1e-6);
                    Close.assertClose(what + ": gradient of view 2", got.gradient(1), expected.gradient(1), 1e-6);
                }
            }
        }
    }

    @Test
    void identicalEmbeddingsGiveLogOfTheCandidateCount() {
        int n = 4;
        double[] same = new double[n * 3];
        for (int i = 0; i < same.length; i++) {
            same[i] = 1 + (i % 3);
        }
        HostTensor v = HostTensor.floats(same, n, 3);
        Evaluation e = Evaluation.of(NtXentLoss.builder().optTemperature(0.01).build(),
                new Sample(List.of(), List.of(v, v)), DataType.FLOAT32);
        Close.assertClose("all logits equal: −log(1/(2N−1))", e.value(), new double[] {Math.log(2 * n - 1)}, 1e-5);
        Close.assertFinite("gradient", e.gradient(0));
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> NtXentLoss.builder().optTemperature(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nt-xent").hasMessageContaining("temperature");
        assertThatThrownBy(() -> NtXentLoss.builder().optPseudoLabels("ignore").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pseudoLabels");
        assertThatThrownBy(() -> NtXentLoss.builder().optChunk(2).optReduction(Reduction.NONE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk");
    }
}
