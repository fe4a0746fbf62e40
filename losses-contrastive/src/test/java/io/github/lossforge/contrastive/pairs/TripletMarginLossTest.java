package io.github.lossforge.contrastive.pairs;

import static io.github.lossforge.contrastive.PairReferences.distance;
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
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

class TripletMarginLossTest extends LossContract {

    /** N, D, classes (batch 1 has no triplet: the documented value 0). */
    private static final int[][] SHAPES = {{1, 3, 2}, {6, 4, 2}, {9, 4, 3}};

    /** The triplet losses [d_ap − d_an + m]_+ by explicit loops over (a, p, n), or the batch-hard one per anchor. */
    static List<Double> tripletLosses(Sample s, double margin, boolean hard) {
        double[][] x = rows(s.prediction(0), true);
        int n = x.length;
        List<Double> out = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            int ya = s.label(0).index(a);
            double farthest = Double.NEGATIVE_INFINITY;
            double nearest = Double.POSITIVE_INFINITY;
            for (int p = 0; p < n; p++) {
                if (p == a || s.label(0).index(p) != ya) {
                    continue;
                }
                farthest = Math.max(farthest, distance(x[a], x[p]));
                for (int k = 0; k < n; k++) {
                    if (s.label(0).index(k) == ya) {
                        continue;
                    }
                    nearest = Math.min(nearest, distance(x[a], x[k]));
                    if (!hard) {
                        out.add(Math.max(0, distance(x[a], x[p]) - distance(x[a], x[k]) + margin));
                    }
                }
            }
            if (hard && farthest > Double.NEGATIVE_INFINITY && nearest < Double.POSITIVE_INFINITY) {
                out.add(Math.max(0, farthest - nearest + margin));
            }
        }
        return out;
    }

    /** The mean over the triplets with a positive loss (0 when none). */
    static Reference reference(double margin, boolean hard) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                return new double[] {mean(s)};
            }

            @Override
            public double mean(Sample s) {
                double total = 0;
                int positive = 0;
                for (double l : tripletLosses(s, margin, hard)) {
                    total += l;
                    positive += l > 0 ? 1 : 0;
                }
                return positive == 0 ? 0 : total / positive;
            }
        };
    }

    private static Variant variant(double margin, String mining) {
        return new Variant("margin " + margin + " " + mining, r -> TripletMarginLoss.builder().optMargin(margin)
                .optMining(mining).optReduction(r).build(), reference(margin, "hard".equals(mining)));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.05, "all"), variant(0.2, "all"), variant(0.05, "hard"), variant(0.3, "hard"));
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
                new RegistryCase(Map.of(), () -> TripletMarginLoss.builder().build()),
                new RegistryCase(Map.of("margin", 0.2, "mining", "hard"),
                        () -> TripletMarginLoss.builder().optMargin(0.2).optMining("hard")
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return PairBadInputs.forEmbeddingsAndClasses(rng);
    }

    /** Unit vectors at the given angles (degrees) in the plane. */
    private static HostTensor atAngles(double... degrees) {
        double[] d = new double[2 * degrees.length];
        for (int i = 0; i < degrees.length; i++) {
            d[2 * i] = Math.cos(Math.toRadians(degrees[i]));
            d[2 * i + 1] = Math.sin(Math.toRadians(degrees[i]));
        }
        return HostTensor.floats(d, degrees.length, 2);
    }

    /** Chord length between unit vectors θ degrees apart. */
    private static double chord(double degrees) {
        return 2 * Math.sin(Math.toRadians(degrees) / 2);
    }

    @Test
    void meanAveragesOnlyTheTripletsThatViolateTheMargin() {
        // Anchor 0 at 0°, positive 1 at 40°, negatives 2 at 30° (violating) and 3 at 170° (satisfied);
        // the other anchors' triplets are computed alike.
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 1, 1}, 4)), List.of(atAngles(0, 40, 30, 170)));
        double got = Evaluation.of(TripletMarginLoss.builder().build(), s, DataType.FLOAT64).scalar();
        double total = 0;
        int count = 0;
        double[] angles = {0, 40, 30, 170};
        int[][] triplets = {{0, 1, 2}, {0, 1, 3}, {1, 0, 2}, {1, 0, 3}, {2, 3, 0}, {2, 3, 1}, {3, 2, 0}, {3, 2, 1}};
        for (int[] t : triplets) {
            double l = chord(Math.abs(angles[t[0]] - angles[t[1]])) - chord(Math.abs(angles[t[0]] - angles[t[2]])) + 0.05;
            if (l > 0) {
                total += l;
                count++;
            }
        }
        assertThat(count).isBetween(1, 7);
        Close.assertClose("mean over violating triplets", new double[] {got}, new double[] {total / count}, 1e-12);
    }

    @Test
    void hardMiningTakesTheFarthestPositiveAndTheNearestNegative() {
        // Anchor 0 at 0°: positives at 20° and 50° (farthest 50°), negatives at 60° and 120° (nearest 60°).
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 0, 1, 1}, 5)),
                List.of(atAngles(0, 20, 50, 60, 120)));
        double mean = Evaluation.of(TripletMarginLoss.builder().optMining("hard").optMargin(0.3).build(), s,
                DataType.FLOAT64).scalar();
        double anchor0 = Math.max(0, chord(50) - chord(60) + 0.3);
        double expected = reference(0.3, true).mean(s);
        assertThat(anchor0).isPositive();
        Close.assertClose("mean over the batch-hard triplets", new double[] {mean}, new double[] {expected}, 1e-12);
        List<Double> losses = tripletLosses(s, 0.3, true);
        Close.assertClose("anchor 0", new double[] {losses.get(0)}, new double[] {anchor0}, 1e-12);
    }

    @Test
    void separatedClassesGiveZeroWithZeroGradient() {
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 1, 1}, 4)), List.of(atAngles(0, 5, 180, 185)));
        for (String mining : new String[] {"all", "hard"}) {
            Evaluation e = Evaluation.of(TripletMarginLoss.builder().optMining(mining).build(), s, DataType.FLOAT64);
            assertThat(e.scalar()).isZero();
            assertThat(e.gradient(0)).containsOnly(0.0);
        }
    }

    @Test
    void identicalEmbeddingsStayFinite() {
        double[] same = new double[4 * 3];
        java.util.Arrays.fill(same, -0.4);
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 1, 1}, 4)), List.of(HostTensor.floats(same, 4, 3)));
        for (String mining : new String[] {"all", "hard"}) {
            Evaluation e = Evaluation.of(TripletMarginLoss.builder().optMining(mining).build(), s, DataType.FLOAT32);
            Close.assertClose(mining + ": every triplet at the margin", e.value(), new double[] {0.05}, 1e-6);
            Close.assertFinite(mining + ": gradient", e.gradient(0));
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> TripletMarginLoss.builder().optMargin(-0.1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("triplet-margin")
                .hasMessageContaining("margin");
        assertThatThrownBy(() -> TripletMarginLoss.builder().optMining("semihard").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mining");
    }
}
