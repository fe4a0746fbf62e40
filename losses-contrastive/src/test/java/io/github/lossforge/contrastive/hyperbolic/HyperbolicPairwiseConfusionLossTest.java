package io.github.lossforge.contrastive.hyperbolic;

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

import java.util.List;
import java.util.Map;
import java.util.Random;

class HyperbolicPairwiseConfusionLossTest extends LossContract {

    /** N, d. */
    private static final int[][] SHAPES = {{2, 3}, {6, 4}, {10, 5}};

    /** Points of the c = 0.5 ball lie inside every ball of smaller c too. */
    private static final double SAMPLE_C = 0.5;

    /** The pair terms (2/√c) f(√c ‖(−z_i) ⊕ z_{i+N/2}‖), by loops. */
    static double[] pairTerms(Sample s, double c, boolean atan) {
        HostTensor z = s.prediction(0);
        int n = z.dim(0);
        int d = z.dim(1);
        double[] out = new double[n / 2];
        for (int i = 0; i < n / 2; i++) {
            double[] w = BallReference.mobiusAdd(BallReference.neg(BallReference.row(z.data(), d, i)),
                    BallReference.row(z.data(), d, i + n / 2), c);
            double v = Math.sqrt(c) * BallReference.norm(w);
            out[i] = 2 / Math.sqrt(c) * (atan ? Math.atan(v) : BallReference.atanh(v));
        }
        return out;
    }

    /** The pair sum divided by N, the batch-level value. */
    static Reference reference(double c, boolean atan) {
        return s -> {
            double total = 0;
            for (double v : pairTerms(s, c, atan)) {
                total += v;
            }
            return new double[] {total / s.prediction(0).dim(0)};
        };
    }

    private static Variant variant(double c, String distance) {
        return new Variant("c " + c + " " + distance,
                r -> HyperbolicPairwiseConfusionLoss.builder().optCurvature(c).optDistance(distance).optReduction(r)
                        .build(), reference(c, "atan".equals(distance)));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.1, "artanh"), variant(0.1, "atan"), variant(0.5, "artanh"), variant(0.3, "atan"));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return new Sample(List.of(), List.of(HyperbolicSamples.ballPoints(rng, SAMPLE_C, 1.0, SHAPES[shape][0],
                SHAPES[shape][1])));
    }

    /** Pairs at opposite ends of the c = 0.5 ball, where the artanh argument is clamped. */
    @Override
    protected Sample extremeSample(Random rng) {
        return new Sample(List.of(), List.of(HyperbolicSamples.nearBoundary(SAMPLE_C, 6, 3)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return HyperbolicSamples.ballTask(0.1, 2, 12, 4, false);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> HyperbolicPairwiseConfusionLoss.builder().build()),
                new RegistryCase(Map.of("curvature", 0.3, "distance", "atan"),
                        () -> HyperbolicPairwiseConfusionLoss.builder().optCurvature(0.3).optDistance("atan")
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor z = HyperbolicSamples.ballPoints(rng, SAMPLE_C, 1.0, 4, 3);
        return List.of(
                new BadInput("odd batch", new Sample(List.of(), List.of(z.firstRows(3))),
                        "predictions[0] (ball embeddings)", "(3, 3)", "even"),
                new BadInput("rank 1", new Sample(List.of(), List.of(z.reshape(12))),
                        "predictions[0] (ball embeddings)", "(N, d)"),
                new BadInput("outside the ball", new Sample(List.of(), List.of(Generators.normal(rng, 10, 4, 3))),
                        "predictions[0] (ball embeddings)", "Poincaré ball"),
                new BadInput("extra slot", new Sample(List.of(), List.of(z, z)), "predictions"));
    }

    @Test
    void artanhFormIsThePoincareDistanceOverTheBatchSize() {
        double c = 0.1;
        Sample s = sample(1, new Random(3));
        double[] z = s.prediction(0).data();
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            expected += BallReference.distance(BallReference.row(z, 4, i), BallReference.row(z, 4, i + 3), c);
        }
        double got = Evaluation.of(HyperbolicPairwiseConfusionLoss.builder().build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("mean of d_c over N", new double[] {got}, new double[] {expected / 6}, 1e-12);
    }

    @Test
    void atanFormIsBelowTheDistanceAndAgreesNearTheOrigin() {
        Sample far = sample(1, new Random(4));
        double artanh = Evaluation.of(HyperbolicPairwiseConfusionLoss.builder().build(), far, DataType.FLOAT64).scalar();
        double atan = Evaluation.of(HyperbolicPairwiseConfusionLoss.builder().optDistance("atan").build(), far,
                DataType.FLOAT64).scalar();
        assertThat(atan).isLessThan(artanh);
        double[] tiny = far.prediction(0).data().clone();
        for (int i = 0; i < tiny.length; i++) {
            tiny[i] *= 1e-4;
        }
        Sample near = far.withPrediction(0, far.prediction(0).withData(tiny));
        double a = Evaluation.of(HyperbolicPairwiseConfusionLoss.builder().build(), near, DataType.FLOAT64).scalar();
        double b = Evaluation.of(HyperbolicPairwiseConfusionLoss.builder().optDistance("atan").build(), near,
                DataType.FLOAT64).scalar();
        // artanh(v) − atan(v) = 2v³/3 + O(v⁵): relative gap of order v² ≈ 1e-9 here.
        Close.assertClose("atan ≈ artanh near 0", new double[] {b}, new double[] {a}, 1e-7);
    }

    @Test
    void identicalHalvesGiveZeroLoss() {
        HostTensor half = HyperbolicSamples.ballPoints(new Random(5), SAMPLE_C, 1.0, 3, 4);
        double[] both = new double[24];
        System.arraycopy(half.data(), 0, both, 0, 12);
        System.arraycopy(half.data(), 0, both, 12, 12);
        Sample s = new Sample(List.of(), List.of(HostTensor.floats(both, 6, 4)));
        Evaluation e = Evaluation.of(HyperbolicPairwiseConfusionLoss.builder().build(), s, DataType.FLOAT64);
        assertThat(Math.abs(e.scalar())).isLessThan(1e-12);
        Close.assertFinite("gradient at coinciding pairs", e.gradient(0));
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> HyperbolicPairwiseConfusionLoss.builder().optCurvature(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hyp-pc")
                .hasMessageContaining("curvature");
        assertThatThrownBy(() -> HyperbolicPairwiseConfusionLoss.builder().optDistance("acosh").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distance");
        assertThatThrownBy(() -> HyperbolicPairwiseConfusionLoss.builder().optReduction(Reduction.NONE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hyp-pc");
    }
}
