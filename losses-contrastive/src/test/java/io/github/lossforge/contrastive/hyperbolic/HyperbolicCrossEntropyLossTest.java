package io.github.lossforge.contrastive.hyperbolic;

import static io.github.lossforge.contrastive.hyperbolic.BallReference.row;
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

class HyperbolicCrossEntropyLossTest extends LossContract {

    /** N, d, K. */
    private static final int[][] SHAPES = {{1, 3, 2}, {5, 4, 3}, {8, 3, 4}};

    /** Points of the c = 1 ball lie inside every ball of smaller c too. */
    private static final double SAMPLE_C = 1.0;

    /** The hyperbolic MLR logit of z for (p, a), from Ganea et al.'s formula. */
    static double logit(double[] z, double[] p, double[] a, double c) {
        double[] w = BallReference.mobiusAdd(BallReference.neg(p), z, c);
        double lambda = 2 / (1 - c * BallReference.dot(p, p));
        double aNorm = BallReference.norm(a);
        double arg = 2 * Math.sqrt(c) * BallReference.dot(w, a) / ((1 - c * BallReference.dot(w, w)) * aNorm);
        return lambda * aNorm / Math.sqrt(c) * BallReference.asinh(arg);
    }

    static Reference reference(double c) {
        return s -> {
            HostTensor z = s.prediction(0);
            HostTensor p = s.prediction(1);
            HostTensor a = s.prediction(2);
            int d = z.dim(1);
            int k = p.dim(0);
            double[] out = new double[z.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] logits = new double[k];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    logits[j] = logit(row(z.data(), d, i), row(p.data(), d, j), row(a.data(), d, j), c);
                    max = Math.max(max, logits[j]);
                }
                double sum = 0;
                for (double l : logits) {
                    sum += Math.exp(l - max);
                }
                out[i] = max + Math.log(sum) - logits[s.label(0).index(i)];
            }
            return out;
        };
    }

    private static Variant variant(double c) {
        return new Variant("c " + c, r -> HyperbolicCrossEntropyLoss.builder().optCurvature(c).optReduction(r).build(),
                reference(c));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.1), variant(1.0), variant(0.4));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int d = SHAPES[shape][1];
        int k = SHAPES[shape][2];
        return new Sample(List.of(Generators.classes(rng, k, n)),
                List.of(HyperbolicSamples.ballPoints(rng, SAMPLE_C, 1.0, n, d),
                        HyperbolicSamples.ballPoints(rng, SAMPLE_C, 0.5, k, d), Generators.normal(rng, 1, k, d)));
    }

    /** Embeddings and offsets at the boundary of the c = 1 ball, normals of size 1e4. */
    @Override
    protected Sample extremeSample(Random rng) {
        HostTensor a = Generators.normal(rng, 1e4, 3, 3);
        return new Sample(List.of(HostTensor.longs(new long[] {0, 1, 2, 0, 1, 2}, 6)),
                List.of(HyperbolicSamples.nearBoundary(SAMPLE_C, 6, 3), HyperbolicSamples.nearBoundary(SAMPLE_C, 3, 3), a));
    }

    @Override
    protected TrainingTask trainingTask() {
        return HyperbolicSamples.ballTask(0.1, 2, 12, 4, true);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> HyperbolicCrossEntropyLoss.builder().build()),
                new RegistryCase(Map.of("curvature", 1, "reduction", "none"),
                        () -> HyperbolicCrossEntropyLoss.builder().optCurvature(1).optReduction(Reduction.NONE).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor z = HyperbolicSamples.ballPoints(rng, SAMPLE_C, 1.0, 4, 3);
        HostTensor p = HyperbolicSamples.ballPoints(rng, SAMPLE_C, 0.5, 2, 3);
        HostTensor a = Generators.normal(rng, 1, 2, 3);
        HostTensor y = HostTensor.longs(new long[] {0, 1, 1, 0}, 4);
        return List.of(
                new BadInput("rank-3 embeddings", new Sample(List.of(y), List.of(z.reshape(4, 3, 1), p, a)),
                        "predictions[0] (ball embeddings)", "(N, d)"),
                new BadInput("offset size mismatch", new Sample(List.of(y),
                        List.of(z, HyperbolicSamples.ballPoints(rng, SAMPLE_C, 0.5, 2, 2), a)),
                        "predictions[1] (MLR offsets)", "(2, 2)", "3"),
                new BadInput("normals mismatch", new Sample(List.of(y), List.of(z, p, Generators.normal(rng, 1, 3, 3))),
                        "predictions[2] (MLR normals)", "(3, 3)", "(2, 3)"),
                new BadInput("class out of range", new Sample(List.of(HostTensor.longs(new long[] {0, 2, 1, 0}, 4)),
                        List.of(z, p, a)), "labels[0] (classes)", "2"),
                new BadInput("batch mismatch", new Sample(List.of(y.firstRows(3)), List.of(z, p, a)),
                        "labels[0] (classes)", "(3)"),
                new BadInput("embeddings outside the ball", new Sample(List.of(y),
                        List.of(Generators.normal(rng, 10, 4, 3), p, a)), "predictions[0]", "Poincaré ball"),
                new BadInput("offsets outside the ball", new Sample(List.of(y),
                        List.of(z, Generators.normal(rng, 10, 2, 3), a)), "predictions[1]", "Poincaré ball"),
                new BadInput("missing normals", new Sample(List.of(y), List.of(z, p)), "predictions"));
    }

    @Test
    void offsetsAtTheOriginGiveTheEuclideanLimitTwiceTheAsinhOfTheProjection() {
        // p = 0: w = z, λ = 2, logit = (2‖a‖/√c) asinh(2√c⟨z,a⟩ / ((1 − c‖z‖²)‖a‖)).
        double c = 0.1;
        double[] z = {0.3, -0.2};
        double[] a = {1.0, 0.5};
        double aNorm = Math.hypot(1.0, 0.5);
        double zz = 0.09 + 0.04;
        double expected = 2 * aNorm / Math.sqrt(c)
                * BallReference.asinh(2 * Math.sqrt(c) * (0.3 - 0.1) / ((1 - c * zz) * aNorm));
        assertThat(logit(z, new double[] {0, 0}, a, c)).isEqualTo(expected);
        // A second class with the opposite normal: the logits are ±expected, the loss of class 0 is softplus(−2·expected).
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0}, 1)),
                List.of(HostTensor.floats(z, 1, 2), HostTensor.floats(new double[] {0, 0, 0, 0}, 2, 2),
                        HostTensor.floats(new double[] {1.0, 0.5, -1.0, -0.5}, 2, 2)));
        double got = Evaluation.of(HyperbolicCrossEntropyLoss.builder().build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("two opposite classes", new double[] {got}, new double[] {Math.log1p(Math.exp(-2 * expected))},
                1e-12);
    }

    @Test
    void smallCurvatureApproachesEuclideanMultinomialLogisticRegression() {
        // As c → 0 the logit tends to 4⟨z − p, a⟩ (λ → 2, asinh(x) ≈ x): Euclidean MLR with 4·a.
        double c = 1e-8;
        Sample s = sample(1, new Random(6));
        double[] got = Evaluation.valueOf(HyperbolicCrossEntropyLoss.builder().optCurvature(c)
                .optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
        HostTensor z = s.prediction(0);
        HostTensor p = s.prediction(1);
        HostTensor a = s.prediction(2);
        double[] expected = new double[z.dim(0)];
        for (int i = 0; i < expected.length; i++) {
            double[] logits = new double[p.dim(0)];
            double norm = 0;
            for (int k = 0; k < logits.length; k++) {
                for (int j = 0; j < z.dim(1); j++) {
                    logits[k] += 4 * (z.at(i * z.dim(1) + j) - p.at(k * z.dim(1) + j)) * a.at(k * z.dim(1) + j);
                }
                norm += Math.exp(logits[k]);
            }
            expected[i] = Math.log(norm) - logits[s.label(0).index(i)];
        }
        Close.assertClose("c → 0 limit", got, expected, 1e-6);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> HyperbolicCrossEntropyLoss.builder().optCurvature(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hyp-ce")
                .hasMessageContaining("curvature");
    }
}
