package io.github.lossforge.contrastive.pairs;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.logOnePlusSumExp;
import static io.github.lossforge.contrastive.PairReferences.rows;
import static org.assertj.core.api.Assertions.assertThat;
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
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class MultiSimilarityLossTest extends LossContract {

    /** N, D, classes. */
    private static final int[][] SHAPES = {{1, 3, 2}, {6, 4, 2}, {10, 5, 3}};

    /**
     * Explicit loops over (anchor, other) pairs of cosine similarities: raw positive/negative sets,
     * the multi-similarity miner when ε > 0, then the two log(1 + Σ e^…) terms.
     */
    static Reference reference(double alpha, double beta, double base, double epsilon) {
        return s -> {
            double[][] x = rows(s.prediction(0), true);
            int n = x.length;
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                int yi = s.label(0).index(i);
                double[] sim = new double[n];
                double minPositive = Double.POSITIVE_INFINITY;
                double maxNegative = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    sim[k] = dot(x[i], x[k]);
                    if (k != i && s.label(0).index(k) == yi) {
                        minPositive = Math.min(minPositive, sim[k]);
                    } else if (s.label(0).index(k) != yi) {
                        maxNegative = Math.max(maxNegative, sim[k]);
                    }
                }
                boolean[] positive = new boolean[n];
                boolean[] negative = new boolean[n];
                double[] posExp = new double[n];
                double[] negExp = new double[n];
                for (int k = 0; k < n; k++) {
                    boolean same = s.label(0).index(k) == yi;
                    positive[k] = k != i && same && (epsilon <= 0 || sim[k] - epsilon < maxNegative);
                    negative[k] = !same && (epsilon <= 0 || sim[k] + epsilon > minPositive);
                    posExp[k] = -alpha * (sim[k] - base);
                    negExp[k] = beta * (sim[k] - base);
                }
                out[i] = logOnePlusSumExp(posExp, positive) / alpha + logOnePlusSumExp(negExp, negative) / beta;
            }
            return out;
        };
    }

    private static Variant variant(String name, double alpha, double beta, double base, double epsilon, long chunk) {
        return new Variant(name, r -> MultiSimilarityLoss.builder().optAlpha(alpha).optBeta(beta).optBase(base)
                .optEpsilon(epsilon).optChunk(chunk).optReduction(r).build(), reference(alpha, beta, base, epsilon));
    }

    /**
     * Mining is a step function of the similarities: the seeded samples keep every pair of every
     * variant clear of the thresholds, so the reference's finite differences never straddle a jump
     * (at ε = 0.2 one pair of shape 2 lies within the stencil, hence 0.25).
     */
    @Override
    protected List<Variant> variants() {
        return List.of(
                variant("defaults (mined)", 2, 50, 0.5, 0.1, 0),
                variant("no mining", 2, 50, 0.5, 0, 0),
                variant("alpha 1 beta 10 base 0.3 eps 0.25", 1, 10, 0.3, 0.25, 0),
                variant("chunk 3 mined", 2, 50, 0.5, 0.1, 3),
                variant("chunk 4 no mining", 2, 50, 0.5, -1, 4));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        return new Sample(List.of(Generators.classes(rng, SHAPES[shape][2], n)),
                List.of(Generators.normal(rng, 1, n, SHAPES[shape][1])));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.labelledEmbeddings(4, 3, 24, 6);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> MultiSimilarityLoss.builder().build()),
                new RegistryCase(Map.of("alpha", 1, "beta", 10, "base", 0.3, "epsilon", 0, "chunk", 3,
                        "reduction", "sum"),
                        () -> MultiSimilarityLoss.builder().optAlpha(1).optBeta(10).optBase(0.3).optEpsilon(0)
                                .optChunk(3).optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return PairBadInputs.forEmbeddingsAndClasses(rng);
    }

    @Test
    void anchorsWithEmptyPairSetsContributeZero() {
        Random rng = new Random(1);
        Sample singletons = new Sample(List.of(HostTensor.longs(new long[] {0, 1, 2, 3, 4}, 5)),
                List.of(Generators.normal(rng, 1, 5, 3)));
        double[] mined = Evaluation.of(MultiSimilarityLoss.builder().optReduction(Reduction.NONE).build(), singletons,
                DataType.FLOAT64).value();
        assertThat(mined).as("no positives: the miner keeps no negatives either").containsOnly(0.0);
        double[] unmined = Evaluation.of(MultiSimilarityLoss.builder().optEpsilon(0).optReduction(Reduction.NONE)
                .build(), singletons, DataType.FLOAT64).value();
        Close.assertClose("without mining only the negative term remains", unmined,
                reference(2, 50, 0.5, 0).perSample(singletons), REL);
        assertThat(java.util.Arrays.stream(unmined).min().getAsDouble()).isPositive();
    }

    @Test
    void miningDropsEasyPairs() {
        // Anchor 0 at angle 0; positive 1 at 10° (easy), positive 2 at 80°; negative 3 at 120° (easy),
        // negative 4 at 60°. Mined: positive 2 (cos 80° − ε < cos 60°), negative 4 (cos 60° + ε > cos 80°).
        double[] angles = {0, 10, 80, 120, 60};
        double[] data = new double[10];
        for (int i = 0; i < 5; i++) {
            data[2 * i] = Math.cos(Math.toRadians(angles[i]));
            data[2 * i + 1] = Math.sin(Math.toRadians(angles[i]));
        }
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 0, 1, 1}, 5)),
                List.of(HostTensor.floats(data, 5, 2)));
        double got = Evaluation.of(MultiSimilarityLoss.builder().optReduction(Reduction.NONE).build(), s,
                DataType.FLOAT64).value()[0];
        double cos80 = Math.cos(Math.toRadians(80));
        double cos60 = Math.cos(Math.toRadians(60));
        double expected = Math.log(1 + Math.exp(-2 * (cos80 - 0.5))) / 2 + Math.log(1 + Math.exp(50 * (cos60 - 0.5))) / 50;
        Close.assertClose("anchor 0 keeps one positive and one negative", new double[] {got}, new double[] {expected},
                1e-12);
    }

    @Test
    void chunkedEvaluationEqualsTheWholeMatrixInFloat64() {
        Random rng = new Random(3);
        Sample s = new Sample(List.of(Generators.classes(rng, 6, 41)), List.of(Generators.normal(rng, 1, 41, 8)));
        for (double epsilon : new double[] {0.1, 0}) {
            for (Reduction reduction : new Reduction[] {Reduction.MEAN, Reduction.SUM}) {
                Evaluation expected = Evaluation.of(MultiSimilarityLoss.builder().optEpsilon(epsilon)
                        .optReduction(reduction).build(), s, DataType.FLOAT64);
                for (long chunk : new long[] {1, 7, 41, 50}) {
                    BaseLoss blocked = MultiSimilarityLoss.builder().optEpsilon(epsilon).optChunk(chunk)
                            .optReduction(reduction).build();
                    Evaluation got = Evaluation.of(blocked, s, DataType.FLOAT64);
                    String what = "eps " + epsilon + " " + reduction + " chunk " + chunk;
                    Close.assertClose(what + ": value", got.value(), expected.value(), 1e-6);
                    Close.assertClose(what + ": gradient", got.gradient(0), expected.gradient(0), 1e-6);
                }
            }
        }
    }

    @Test
    void identicalEmbeddingsStayFinite() {
        double[] same = new double[6 * 3];
        java.util.Arrays.fill(same, 0.7);
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 1, 1, 2, 2}, 6)),
                List.of(HostTensor.floats(same, 6, 3)));
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            Evaluation e = Evaluation.of(MultiSimilarityLoss.builder().optEpsilon(0).build(), s, type);
            Close.assertFinite(type + " value", e.value());
            Close.assertFinite(type + " gradient", e.gradient(0));
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> MultiSimilarityLoss.builder().optAlpha(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multi-similarity")
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> MultiSimilarityLoss.builder().optBeta(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beta");
        assertThatThrownBy(() -> MultiSimilarityLoss.builder().optChunk(3).optReduction(Reduction.NONE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk");
    }
}
