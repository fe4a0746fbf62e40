package io.github.lossforge.contrastive.face;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.logSumExp;
import static io.github.lossforge.contrastive.PairReferences.rows;
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
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

class UnpgLossTest extends LossContract {

    /** N, D, C. */
    private static final int[][] SHAPES = {{1, 3, 2}, {6, 4, 3}, {10, 5, 4}};

    /** The pair similarities kept by the box-and-whisker filter, by loops over i &lt; j. */
    static List<Double> keptNegatives(Sample s, double whisker) {
        double[][] x = rows(s.prediction(0), true);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                if (s.label(0).index(i) != s.label(0).index(j)) {
                    values.add(dot(x[i], x[j]));
                }
            }
        }
        if (values.isEmpty()) {
            return values;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double q1 = sorted[(int) Math.floor(0.25 * sorted.length)];
        double q3 = sorted[(int) Math.floor(0.75 * sorted.length)];
        double lo = q1 - whisker * (q3 - q1);
        double hi = q3 + whisker * (q3 - q1);
        List<Double> kept = new ArrayList<>();
        for (double v : values) {
            if (v >= lo && v <= hi) {
                kept.add(v);
            }
        }
        return kept;
    }

    static Reference reference(boolean arc, double scale, double margin, double whisker) {
        return sample -> {
            double[][] x = rows(sample.prediction(0), true);
            double[][] w = rows(sample.prediction(1), true);
            List<Double> negatives = keptNegatives(sample, whisker);
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int y = sample.label(0).index(i);
                double[] logits = new double[w.length + negatives.size()];
                for (int j = 0; j < w.length; j++) {
                    double c = dot(x[i], w[j]);
                    logits[j] = scale * (j == y ? MarginSoftmaxLossTest.marginCosine(c, arc, margin, false) : c);
                }
                for (int v = 0; v < negatives.size(); v++) {
                    logits[w.length + v] = scale * negatives.get(v);
                }
                out[i] = logSumExp(logits) - logits[y];
            }
            return out;
        };
    }

    private static Variant variant(String head, double scale, double margin, double whisker) {
        return new Variant(head + " s " + scale + " m " + margin + " w " + whisker,
                r -> UnpgLoss.builder().optHead(head).optScale(scale).optMargin(margin).optWhisker(whisker)
                        .optReduction(r).build(),
                reference("arcface".equals(head), scale, margin, whisker));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant("arcface", 64, 0.5, 1.5), variant("cosface", 16, 0.35, 1.0),
                variant("arcface", 8, 0.3, 0.2), variant("cosface", 4, 0.5, 0.0));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int d = SHAPES[shape][1];
        int c = SHAPES[shape][2];
        return new Sample(List.of(Generators.classes(rng, c, n)),
                List.of(Generators.normal(rng, 1, n, d), Generators.normal(rng, 1, c, d)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return FaceTasks.embeddingsWithClassWeights(4, 3, 12, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> UnpgLoss.builder().build()),
                new RegistryCase(Map.of("head", "cosface", "scale", 30, "margin", 0.35, "whisker", 1, "reduction", "sum"),
                        () -> UnpgLoss.builder().optHead("cosface").optScale(30).optMargin(0.35).optWhisker(1)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return FaceBadInputs.forEmbeddingsWeightsAndClasses(rng);
    }

    @Test
    void aBatchWithoutDifferentClassPairsIsThePlainMarginHead() {
        Sample s = sample(2, new Random(4));
        long[] one = new long[s.label(0).size()];
        Arrays.fill(one, 2);
        Sample single = s.withLabel(0, HostTensor.longs(one, one.length));
        double[] got = Evaluation.valueOf(UnpgLoss.builder().optReduction(Reduction.NONE).build(), single,
                DataType.FLOAT64);
        double[] plain = Evaluation.valueOf(MarginSoftmaxLoss.arcFace().optFallback(false)
                .optReduction(Reduction.NONE).build(), single, DataType.FLOAT64);
        Close.assertClose("empty negative set", got, plain, 1e-12);
        assertThat(keptNegatives(single, 1.5)).isEmpty();
    }

    @Test
    void pairNegativesRaiseTheLossAboveThePlainHead() {
        Sample s = sample(2, new Random(5));
        double unpg = Evaluation.of(UnpgLoss.builder().optHead("cosface").optMargin(0.35).build(), s, DataType.FLOAT64)
                .scalar();
        double cos = Evaluation.of(MarginSoftmaxLoss.cosFace().build(), s, DataType.FLOAT64).scalar();
        assertThat(unpg).isGreaterThan(cos);
    }

    @Test
    void theWhiskerFilterDropsAnOutlyingPair() {
        // Six embeddings in three classes along a circle; one different-class pair (0, 5) nearly coincides,
        // its similarity far above the others: a short whisker drops it, a long one keeps it.
        double[] angles = {0, 120, 240, 60, 180, 1};
        long[] classes = {0, 1, 2, 0, 1, 2};
        double[] x = new double[12];
        for (int i = 0; i < 6; i++) {
            x[2 * i] = Math.cos(Math.toRadians(angles[i]));
            x[2 * i + 1] = Math.sin(Math.toRadians(angles[i]));
        }
        Sample s = new Sample(List.of(HostTensor.longs(classes, 6)),
                List.of(HostTensor.floats(x, 6, 2), Generators.normal(new Random(6), 1, 3, 2)));
        List<Double> shortWhisker = keptNegatives(s, 0.1);
        List<Double> longWhisker = keptNegatives(s, 100);
        assertThat(longWhisker).hasSize(12).anyMatch(v -> v > 0.99);
        assertThat(shortWhisker).noneMatch(v -> v > 0.99);
        for (double w : new double[] {0.1, 100}) {
            double got = Evaluation.of(UnpgLoss.builder().optWhisker(w).optScale(8).build(), s, DataType.FLOAT64).scalar();
            Close.assertClose("whisker " + w, new double[] {got}, new double[] {reference(true, 8, 0.5, w).mean(s)}, 1e-12);
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> UnpgLoss.builder().optHead("sphereface").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpg").hasMessageContaining("head");
        assertThatThrownBy(() -> UnpgLoss.builder().optWhisker(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whisker");
        assertThatThrownBy(() -> UnpgLoss.builder().optMargin(2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("margin");
    }
}
