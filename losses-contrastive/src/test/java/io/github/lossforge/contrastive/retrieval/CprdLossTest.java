package io.github.lossforge.contrastive.retrieval;

import static io.github.lossforge.contrastive.PairReferences.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.lossforge.contrastive.EmbeddingTasks;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Bfloat16StandIn;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

class CprdLossTest extends LossContract {

    /** Q, K, the row with fewer than two non-positives (−1: none). */
    private static final int[][] SHAPES = {{1, 6, -1}, {4, 8, 2}, {6, 20, -1}};

    /** The per-query loss, or NaN when the query has fewer than two hard negatives. */
    static double queryLoss(double[] s, double[] t, boolean[] positive, int topK, double tau) {
        List<Integer> negatives = new ArrayList<>();
        for (int j = 0; j < s.length; j++) {
            if (!positive[j]) {
                negatives.add(j);
            }
        }
        negatives.sort(Comparator.comparingDouble(j -> -s[j]));
        List<Integer> hard = new ArrayList<>(negatives.subList(0, Math.min(topK, negatives.size())));
        if (hard.size() < 2) {
            return Double.NaN;
        }
        hard.sort(Comparator.comparingDouble(j -> -t[j]));
        double total = 0;
        for (int r = 0; r < hard.size() - 1; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int rr = r; rr < hard.size(); rr++) {
                max = Math.max(max, s[hard.get(rr)] / tau);
            }
            double sum = 0;
            for (int rr = r; rr < hard.size(); rr++) {
                sum += Math.exp(s[hard.get(rr)] / tau - max);
            }
            total += max + Math.log(sum) - s[hard.get(r)] / tau;
        }
        return total / (hard.size() - 1);
    }

    /** Explicit per-query selection, teacher ordering and Plackett–Luce terms; mean over counted queries. */
    static Reference reference(int topK, double tau) {
        return new Reference() {
            @Override
            public double[] perSample(Sample smp) {
                HostTensor s = smp.prediction(0);
                double[] out = new double[s.dim(0)];
                for (int i = 0; i < out.length; i++) {
                    double v = queryLoss(row(s, i), row(smp.label(0), i), RetrievalSamples.positives(smp.label(1), i),
                            topK, tau);
                    out[i] = Double.isNaN(v) ? 0 : v;
                }
                return out;
            }

            @Override
            public double mean(Sample smp) {
                HostTensor s = smp.prediction(0);
                double total = 0;
                int kept = 0;
                for (int i = 0; i < s.dim(0); i++) {
                    double v = queryLoss(row(s, i), row(smp.label(0), i), RetrievalSamples.positives(smp.label(1), i),
                            topK, tau);
                    if (!Double.isNaN(v)) {
                        total += v;
                        kept++;
                    }
                }
                return kept == 0 ? 0 : total / kept;
            }
        };
    }

    private static Variant variant(int topK, double tau) {
        return new Variant("topK " + topK + " tau " + tau, r -> CprdLoss.builder().optTopK(topK).optTemperature(tau)
                .optReduction(r).build(), reference(topK, tau));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(16, 0.05), variant(3, 0.05), variant(5, 0.5));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int q = SHAPES[shape][0];
        int k = SHAPES[shape][1];
        HostTensor mask = RetrievalSamples.mask(rng, q, k, 0.2, -1);
        int crowded = SHAPES[shape][2];
        if (crowded >= 0) {
            double[] m = mask.data();
            for (int j = 1; j < k; j++) {
                m[crowded * k + j] = 1;
            }
            mask = mask.withData(m);
        }
        return new Sample(List.of(Generators.normal(rng, 1, q, k), mask), List.of(Generators.uniform(rng, -1, 1, q, k)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.distillation(4, 6, 12);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> CprdLoss.builder().build()),
                new RegistryCase(Map.of("topK", 3, "temperature", 0.5, "reduction", "sum"),
                        () -> CprdLoss.builder().optTopK(3).optTemperature(0.5).optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor s = Generators.normal(rng, 1, 3, 5);
        HostTensor t = Generators.normal(rng, 1, 3, 5);
        HostTensor m = RetrievalSamples.mask(rng, 3, 5, 0.3, -1);
        double[] two = m.data();
        two[0] = 2;
        return List.of(
                new BadInput("rank-1 student scores", new Sample(List.of(t.reshape(15), m.reshape(15)), List.of(s.reshape(15))),
                        "predictions[0] (student scores)", "(15)", "(Q, K)"),
                new BadInput("teacher of another shape", new Sample(List.of(t.reshape(5, 3), m), List.of(s)),
                        "labels[0] (teacher scores)", "(5, 3)", "(3, 5)"),
                new BadInput("mask of another shape", new Sample(List.of(t, m.reshape(5, 3)), List.of(s)),
                        "labels[1] (positive mask)", "(5, 3)", "(3, 5)"),
                new BadInput("mask value 2", new Sample(List.of(t, m.withData(two)), List.of(s)),
                        "labels[1] (positive mask)", "0 and 1"),
                new BadInput("missing mask", new Sample(List.of(t), List.of(s)), "labels"));
    }

    @Test
    void aStudentAlreadyInTheTeachersOrderIsPreferred() {
        double[] teacher = {0, 5, 4, 3, 2, 1};
        double[] mask = {1, 0, 0, 0, 0, 0};
        Sample agreeing = new Sample(List.of(HostTensor.floats(teacher, 1, 6), HostTensor.floats(mask, 1, 6)),
                List.of(HostTensor.floats(new double[] {0.9, 0.5, 0.4, 0.3, 0.2, 0.1}, 1, 6)));
        Sample reversed = new Sample(List.of(HostTensor.floats(teacher, 1, 6), HostTensor.floats(mask, 1, 6)),
                List.of(HostTensor.floats(new double[] {0.9, 0.1, 0.2, 0.3, 0.4, 0.5}, 1, 6)));
        double a = Evaluation.of(CprdLoss.builder().build(), agreeing, DataType.FLOAT64).scalar();
        double b = Evaluation.of(CprdLoss.builder().build(), reversed, DataType.FLOAT64).scalar();
        assertThat(a).isLessThan(b);
    }

    @Test
    void onlyTheTopKStudentNegativesTakePartAndTeacherScaleDoesNotMatter() {
        Sample s = sample(2, new Random(1));
        HostTensor t = s.label(0);
        double[] scaled = t.data();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = 100 * scaled[i] + 7;
        }
        Sample rescaled = s.withLabel(0, t.withData(scaled));
        Evaluation e = Evaluation.of(CprdLoss.builder().optTopK(3).build(), s, DataType.FLOAT64);
        double other = Evaluation.of(CprdLoss.builder().optTopK(3).build(), rescaled, DataType.FLOAT64).scalar();
        Close.assertClose("teacher scores only order", new double[] {other}, new double[] {e.scalar()}, 1e-12);
        int k = s.prediction(0).dim(1);
        for (int i = 0; i < s.prediction(0).dim(0); i++) {
            int touched = 0;
            for (int j = 0; j < k; j++) {
                touched += e.gradient(0)[i * k + j] != 0 ? 1 : 0;
            }
            assertThat(touched).as("row %d: entries with a gradient", i).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void queriesWithFewerThanTwoHardNegativesAreDropped() {
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1, 2, 3, 4, 5, 6}, 2, 3),
                HostTensor.floats(new double[] {1, 1, 0, 1, 0, 0}, 2, 3)),
                List.of(HostTensor.floats(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3)));
        Evaluation none = Evaluation.of(CprdLoss.builder().optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
        assertThat(none.value()[0]).isZero();
        double mean = Evaluation.of(CprdLoss.builder().build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("mean over the one counted query", new double[] {mean}, new double[] {none.value()[1]}, 1e-12);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> CprdLoss.builder().optTopK(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cprd").hasMessageContaining("topK");
        assertThatThrownBy(() -> CprdLoss.builder().optTemperature(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
    }

    @Test
    void bfloat16PositiveMaskIsRejectedWithClearMessage() {
        Sample s = sample(0, new Random(3));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = s.labelList(manager, DataType.FLOAT32);
            NDList predictions = s.predictionList(manager, DataType.FLOAT32);
            labels.set(1, Bfloat16StandIn.of(labels.get(1)));
            assertThatThrownBy(() -> CprdLoss.builder().build().evaluate(labels, predictions))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cprd")
                    .hasMessageContaining("labels[1]")
                    .hasMessageContaining("bfloat16");
        }
    }
}
