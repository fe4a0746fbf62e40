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

import java.util.List;
import java.util.Map;
import java.util.Random;

class ProtoTripletLossTest extends LossContract {

    /** W, S, Q, D. */
    private static final int[][] SHAPES = {{2, 1, 1, 3}, {3, 2, 2, 4}, {5, 3, 2, 4}};

    static Reference reference(double margin) {
        return s -> {
            double[][] c = Episodes.prototypes(s);
            double[][] q = Episodes.rows(s.prediction(1));
            int[] y = Episodes.labels(s.label(1));
            double[] out = new double[q.length];
            for (int i = 0; i < q.length; i++) {
                double nearest = Double.POSITIVE_INFINITY;
                for (int k = 0; k < c.length; k++) {
                    if (k != y[i]) {
                        nearest = Math.min(nearest, Episodes.distance(q[i], c[k]));
                    }
                }
                out[i] = Math.max(0, Episodes.distance(q[i], c[y[i]]) - nearest + margin);
            }
            return out;
        };
    }

    private static Variant variant(double margin) {
        return new Variant("margin " + margin, r -> ProtoTripletLoss.builder().optMargin(margin).optReduction(r).build(),
                reference(margin));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.5), variant(2.0), variant(0.0));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int[] sh = SHAPES[shape];
        return Episodes.episode(rng, sh[0], sh[1], sh[2], sh[3], 1.0);
    }

    @Override
    protected TrainingTask trainingTask() {
        return Episodes.task(3, 2, 2, 4, 4);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> ProtoTripletLoss.builder().build()),
                new RegistryCase(Map.of("margin", 1, "reduction", "sum"),
                        () -> ProtoTripletLoss.builder().optMargin(1).optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return FewShotBadInputs.forEpisodes(rng);
    }

    @Test
    void wellSeparatedQueriesBeyondTheMarginGiveZeroWithZeroGradient() {
        // Prototypes at (0, 0) and (10, 0); queries at their own prototype: 0.001 − 10.00000005 + 0.5 < 0.
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 1, 1}, 4), HostTensor.longs(new long[] {0, 1}, 2)),
                List.of(HostTensor.floats(new double[] {0, 1, 0, -1, 10, 1, 10, -1}, 4, 2),
                        HostTensor.floats(new double[] {0, 0, 10, 0}, 2, 2)));
        Evaluation e = Evaluation.of(ProtoTripletLoss.builder().build(), s, DataType.FLOAT64);
        assertThat(e.scalar()).isZero();
        assertThat(e.gradient(0)).containsOnly(0.0);
        assertThat(e.gradient(1)).containsOnly(0.0);
    }

    @Test
    void theHardestNegativePrototypeIsTheOneThatCounts() {
        // Query of class 0 at (1, 0); prototypes (0, 0), (3, 0) and (−9, 0): hinge against class 1 only.
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 1, 2}, 3), HostTensor.longs(new long[] {0}, 1)),
                List.of(HostTensor.floats(new double[] {0, 0, 3, 0, -9, 0}, 3, 2), HostTensor.floats(new double[] {1, 0}, 1, 2)));
        double got = Evaluation.of(ProtoTripletLoss.builder().optMargin(1.5).build(), s, DataType.FLOAT64).scalar();
        double expected = Math.sqrt(1 + 1e-6) - Math.sqrt(4 + 1e-6) + 1.5;
        Close.assertClose("hinge against the nearest other prototype", new double[] {got}, new double[] {expected}, 1e-12);
    }

    @Test
    void gradientGoesWholeToTheNearestNegativeWhenItIsTheFarthestPoint() {
        // Query (1, 0) of class 0, prototypes (0, 0) and (3, 0): the negative distance is the largest
        // entry of the matrix. ∂/∂q [d(q, c0) − d(q, c1)] = (q − c0)/d0 − (q − c1)/d1 = (1 + 1, 0).
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 1}, 2), HostTensor.longs(new long[] {0}, 1)),
                List.of(HostTensor.floats(new double[] {0, 0, 3, 0}, 2, 2), HostTensor.floats(new double[] {1, 0}, 1, 2)));
        double[] g = Evaluation.of(ProtoTripletLoss.builder().optMargin(3).build(), s, DataType.FLOAT64).gradient(1);
        double d0 = Math.sqrt(1 + 1e-6);
        double d1 = Math.sqrt(4 + 1e-6);
        Close.assertClose("query gradient", g, new double[] {1 / d0 + 2 / d1, 0}, 1e-12);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> ProtoTripletLoss.builder().optMargin(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proto-triplet")
                .hasMessageContaining("margin");
    }
}
