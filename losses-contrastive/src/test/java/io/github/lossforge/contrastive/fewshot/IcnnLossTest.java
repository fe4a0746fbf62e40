package io.github.lossforge.contrastive.fewshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LossContract;
import io.github.lossforge.core.testkit.Reference;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

class IcnnLossTest extends LossContract {

    /** W, S, Q, D. */
    private static final int[][] SHAPES = {{3, 1, 1, 3}, {3, 2, 2, 4}, {5, 3, 3, 4}};

    private static final double EPS = 1e-7;

    /**
     * The ICNN score by explicit loops, following the official {@code modified_score} step by step
     * (except that with {@code skipFirst} false the nearest target is kept).
     */
    static double score(double[][] x, int[] y, double[][] t, int[] yt, int k, int ipcGiven, boolean skipFirst) {
        int n = x.length;
        int m = t.length;
        boolean shrunk = k + 2 >= m;
        if (shrunk) {
            k = m - 2;
        }
        int ipc = ipcGiven < 0 ? k + 1 : ipcGiven;
        int skip = skipFirst ? 1 : 0;
        ipc = Math.min(ipc, m - skip);
        int cols = Math.min(k, ipc);
        double[][] dist = new double[n][];
        boolean[][] sc = new boolean[n][];
        for (int i = 0; i < n; i++) {
            double[] all = new double[m];
            for (int j = 0; j < m; j++) {
                all[j] = Episodes.distance(x[i], t[j]);
            }
            Integer[] order = IntStream.range(0, m).boxed().sorted(Comparator.comparingDouble(j -> all[j]))
                    .toArray(Integer[]::new);
            dist[i] = new double[ipc];
            sc[i] = new boolean[ipc];
            for (int j = 0; j < ipc; j++) {
                dist[i][j] = all[order[j + skip]];
                sc[i][j] = yt[order[j + skip]] == y[i];
            }
        }
        double sameSum = 0;
        int sameRows = 0;
        double dcMax = 0;
        boolean anyDc = false;
        for (int i = 0; i < n; i++) {
            double nn = Double.POSITIVE_INFINITY;
            for (int j = 0; j < ipc; j++) {
                if (!sc[i][j]) {
                    nn = Math.min(nn, dist[i][j]);
                }
            }
            double[] r = new double[cols];
            double rMax = 1;
            for (int j = 0; j < cols; j++) {
                r[j] = nn == Double.POSITIVE_INFINITY ? 0 : dist[i][j] / (nn + EPS);
                rMax = Math.max(rMax, r[j]);
            }
            double rowSum = 0;
            int count = 0;
            for (int j = 0; j < cols; j++) {
                if (sc[i][j]) {
                    rowSum += r[j] / rMax;
                    count++;
                } else {
                    dcMax = Math.max(dcMax, dist[i][j]);
                    anyDc = true;
                }
            }
            sameSum += rowSum / (count + EPS);
            sameRows += count > 0 ? 1 : 0;
        }
        double lambdaSame = 1 - sameSum / (sameRows + EPS);
        double dcSum = 0;
        int dcRows = 0;
        double gammaSum = 0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            int count = 0;
            for (int j = 0; j < cols; j++) {
                if (!sc[i][j]) {
                    rowSum += dist[i][j] / (dcMax + EPS);
                    count++;
                } else {
                    gammaSum += 1.0 / k;
                }
            }
            dcSum += rowSum / (count + EPS);
            dcRows += count > 0 ? 1 : 0;
        }
        double lambdaDifferent = Math.abs(dcSum / (dcRows + EPS) + (anyDc ? 0 : -1));
        double gamma = shrunk ? 1 : gammaSum / n;
        return ((lambdaSame + lambdaDifferent) / 2 + gamma) / 2;
    }

    static Reference reference(int k, String mode) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                return new double[] {mean(s)};
            }

            @Override
            public double mean(Sample s) {
                double[][] sup = Episodes.rows(s.prediction(0));
                int[] ys = Episodes.labels(s.label(0));
                double[][] q = Episodes.rows(s.prediction(1));
                int[] yq = Episodes.labels(s.label(1));
                switch (mode) {
                    case "query": {
                        double[][] c = Episodes.prototypes(s);
                        int[] yc = IntStream.range(0, c.length).toArray();
                        return -Math.log(score(q, yq, c, yc, k, -1, false));
                    }
                    case "full": {
                        double[][] all = Arrays.copyOf(sup, sup.length + q.length);
                        System.arraycopy(q, 0, all, sup.length, q.length);
                        int[] ya = Arrays.copyOf(ys, ys.length + yq.length);
                        System.arraycopy(yq, 0, ya, ys.length, yq.length);
                        int way = Episodes.prototypes(s).length;
                        return -Math.log(score(all, ya, all, ya, k, all.length / way, true));
                    }
                    default:
                        return -Math.log(score(sup, ys, sup, ys, k, -1, true));
                }
            }
        };
    }

    private static Variant variant(int k, String mode) {
        return new Variant("k " + k + " " + mode,
                r -> IcnnLoss.builder().optK(k).optMode(mode).optReduction(r).build(), reference(k, mode));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(4, "support"), variant(4, "query"), variant(4, "full"), variant(2, "support"),
                variant(1, "query"), variant(3, "full"));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int[] sh = SHAPES[shape];
        return Episodes.episode(rng, sh[0], sh[1], sh[2], sh[3], 0.8);
    }

    @Override
    protected TrainingTask trainingTask() {
        return Episodes.task(3, 3, 2, 4, 4);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> IcnnLoss.builder().build()),
                new RegistryCase(Map.of("k", 2, "mode", "full"),
                        () -> IcnnLoss.builder().optK(2).optMode("full").build()),
                new RegistryCase(Map.of("mode", "query"), () -> IcnnLoss.builder().optMode("query").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return FewShotBadInputs.forEpisodes(rng);
    }

    /** Three tight, far-apart clusters of the given support points per class, along the first axis. */
    private static Sample separated(int perClass) {
        double[] s = new double[3 * perClass * 2];
        long[] ys = new long[3 * perClass];
        double[] prototypes = new double[3 * 2];
        for (int i = 0; i < 3 * perClass; i++) {
            ys[i] = i / perClass;
            s[2 * i] = ys[i] * 100 + 0.01 * (i % perClass);
            s[2 * i + 1] = 0.02 * (i % perClass);
            prototypes[2 * (int) ys[i]] += s[2 * i] / perClass;
            prototypes[2 * (int) ys[i] + 1] += s[2 * i + 1] / perClass;
        }
        return new Sample(List.of(HostTensor.longs(ys, ys.length), HostTensor.longs(new long[] {0, 1, 2}, 3)),
                List.of(HostTensor.floats(s, ys.length, 2), HostTensor.floats(prototypes, 3, 2)));
    }

    /** The query slot takes part only in the query and full modes (checked here, per mode). */
    @Override
    protected boolean differentiable(int slot) {
        return slot == 0;
    }

    @Test
    void perfectlyClusteredSupportScoresNearOne() {
        // Every neighbour among the first k shares the class and lies far nearer than the other class:
        // λ_sc ≈ 1, λ_dc ≈ |0 − 1| = 1 (no different-class neighbour among the first k), γ = 1.
        double loss = Evaluation.of(IcnnLoss.builder().optK(2).build(), separated(4), DataType.FLOAT64).scalar();
        assertThat(Math.abs(loss)).isLessThan(1e-3);
    }

    @Test
    void queryModeKeepsTheNearestPrototype() {
        // The official code drops the first neighbour here too, which is the query's nearest
        // prototype (not the query itself); the loss keeps it.
        Sample s = sample(2, new Random(9));
        double kept = Evaluation.of(IcnnLoss.builder().optMode("query").build(), s, DataType.FLOAT64).scalar();
        double[][] q = Episodes.rows(s.prediction(1));
        int[] yq = Episodes.labels(s.label(1));
        double[][] c = Episodes.prototypes(s);
        int[] yc = IntStream.range(0, c.length).toArray();
        Close.assertClose("query mode keeps the nearest", new double[] {kept},
                new double[] {-Math.log(score(q, yq, c, yc, 4, -1, false))}, 1e-12);
        assertThat(Math.abs(kept + Math.log(score(q, yq, c, yc, 4, -1, true)))).isGreaterThan(1e-3);
    }

    @Test
    void largeKIsShrunkToTheTargetSizeMinusTwoWithGammaOne() {
        Sample s = sample(1, new Random(3));
        double big = Evaluation.of(IcnnLoss.builder().optK(50).build(), s, DataType.FLOAT64).scalar();
        int m = s.prediction(0).dim(0);
        double shrunk = reference(m - 2, "support").mean(s);
        // k = m − 2 given directly is not shrunk (k + 2 = m is, so γ = 1 in both).
        Close.assertClose("k shrunk to m − 2", new double[] {big}, new double[] {shrunk}, 1e-12);
    }

    @Test
    void queryGradientMatchesTheReferenceInQueryAndFullModesAndIsZeroInSupportMode() {
        Sample s = sample(1, new Random(8));
        HostTensor q = s.prediction(1);
        for (String mode : new String[] {"query", "full"}) {
            Reference ref = reference(4, mode);
            double[] expected = io.github.lossforge.core.testkit.Stencil.gradient(
                    x -> ref.mean(s.withPrediction(1, q.withData(x))), q.data(), 1e-4);
            double[] got = Evaluation.of(IcnnLoss.builder().optMode(mode).build(), s, DataType.FLOAT64).gradient(1);
            Close.assertClose(mode + ": gradient of the queries", got, expected, 1e-6);
        }
        assertThat(Evaluation.of(IcnnLoss.builder().build(), s, DataType.FLOAT64).gradient(1)).containsOnly(0.0);
    }

    @Test
    void rejectsBadOptionsAndTooSmallTargetSets() {
        assertThatThrownBy(() -> IcnnLoss.builder().optK(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("icnn").hasMessageContaining("k");
        assertThatThrownBy(() -> IcnnLoss.builder().optMode("both").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mode");
        Sample tiny = new Sample(List.of(HostTensor.longs(new long[] {0, 1}, 2), HostTensor.longs(new long[] {0, 1}, 2)),
                List.of(HostTensor.floats(new double[] {0, 1, 2, 3}, 2, 2), HostTensor.floats(new double[] {0, 1, 2, 3}, 2, 2)));
        assertRejected(tiny, "at least 3");
    }
}
