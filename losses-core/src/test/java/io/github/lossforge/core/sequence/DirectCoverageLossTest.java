package io.github.lossforge.core.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
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

class DirectCoverageLossTest extends LossContract {

    private static final long[] ROWS = {1, 7, 20};

    /** −log(1 − (1 − p)^N) with Java's own log1p/expm1 in double. */
    static double dco(double logP, long n) {
        return -Math.log(-Math.expm1(n * Math.log1p(-Math.exp(logP))));
    }

    /** The closed-form gradient factor N p (1 − p)^{N−1} / (1 − (1 − p)^N). */
    static double factor(double p, long n) {
        return n * p * Math.pow(1 - p, n - 1) / (1 - Math.pow(1 - p, n));
    }

    static Reference reference(long n) {
        return s -> {
            HostTensor lp = s.prediction(0);
            double[] out = new double[lp.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = dco(lp.at(i), n);
            }
            return out;
        };
    }

    private static Variant variant(long n) {
        return new Variant("n=" + n, r -> DirectCoverageLoss.builder().optN(n).optReduction(r).build(), reference(n));
    }

    private static Sample logProbs(double... lp) {
        return new Sample(List.of(), List.of(HostTensor.floats(lp, lp.length)));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(16), variant(1), variant(3), variant(1000));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        // p from e^−9 to 0.999: both sides of 1/N for every variant
        return new Sample(List.of(), List.of(Generators.uniform(rng, -9, -0.001, ROWS[shape])));
    }

    @Override
    protected TrainingTask trainingTask() {
        return new TrainingTask() {
            @Override
            public Block model() {
                // log p = −softplus(score) ≤ 0, one sequence per row
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(8).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(1).build())
                        .add(list -> new NDList(Activation.softPlus(list.singletonOrThrow()).neg().reshape(-1)));
            }

            @Override
            public Shape inputShape() {
                return new Shape(16, 4);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[16 * 4];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rng.nextGaussian();
                }
                // dco reads no labels; EasyTrain needs one label array
                return new NDList[] {new NDList(manager.create(x, new Shape(16, 4))), new NDList(manager.ones(new Shape(16)))};
            }
        };
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> DirectCoverageLoss.builder().build()),
                new RegistryCase(Map.of("n", 4.0, "reduction", "sum"),
                        () -> DirectCoverageLoss.builder().optN(4).optReduction("sum").build()),
                new RegistryCase(Map.of("n", 8, "mode", "weighted-ce"),
                        () -> DirectCoverageLoss.builder().optN(8).optMode("weighted-ce").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor lp = Generators.uniform(rng, -3, -0.1, 4);
        return List.of(
                new BadInput("rank-2 log-probs", new Sample(List.of(), List.of(lp.reshape(4, 1))),
                        "predictions[0] (sequence log-prob)", "(4, 1)", "(N)"),
                new BadInput("positive log-prob", new Sample(List.of(),
                        List.of(lp.withData(new double[] {-1, 0.5, -2, -3}))), "predictions[0]", "0.5", "≤ 0"),
                new BadInput("two label slots", new Sample(List.of(lp, lp), List.of(lp)), "labels"),
                new BadInput("two prediction slots", new Sample(List.of(), List.of(lp, lp)), "predictions"));
    }

    @Test
    void gradientFactorIsTheClosedFormF() {
        double[] lp = {-9, -4, -2.5, -1, -0.3, -0.01};
        for (long n : new long[] {2, 16, 64}) {
            double[] grad = Evaluation.of(DirectCoverageLoss.builder().optN(n).optReduction(Reduction.SUM).build(),
                    logProbs(lp), DataType.FLOAT64).gradient(0);
            for (int i = 0; i < lp.length; i++) {
                assertThat(-grad[i]).as("F(p = e^%s, N = %d)", lp[i], n)
                        .isCloseTo(factor(Math.exp(lp[i]), n), org.assertj.core.data.Offset.offset(1e-9));
                assertThat(-grad[i]).isBetween(0.0, 1.0);
            }
        }
    }

    @Test
    void answerWithProbabilityEToTheMinus200GivesFiniteLossAndGradientFactorOne() {
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            Evaluation e = Evaluation.of(DirectCoverageLoss.builder().optN(16).optReduction(Reduction.SUM).build(),
                    logProbs(-200, -1e4), type);
            assertThat(e.value()[0]).as("%s value", type)
                    .isCloseTo(200 - Math.log(16) + 10000 - Math.log(16), org.assertj.core.data.Offset.offset(1e-2));
            Close.assertClose(type + " gradient factor", e.gradient(0), new double[] {-1, -1}, 1e-6);
        }
    }

    @Test
    void budgetOneIsCrossEntropy() {
        double[] lp = {-7, -0.4, -1e-3};
        double[] v = Evaluation.of(DirectCoverageLoss.builder().optN(1).optReduction(Reduction.NONE).build(),
                logProbs(lp), DataType.FLOAT64).value();
        Close.assertClose("N = 1 vs −log p", v, new double[] {7, 0.4, 1e-3}, 1e-12);
    }

    @Test
    void confidentAnswersStopPullingAsTheBudgetGrows() {
        // p ≫ 1/N: F → 0; p ≪ 1/N: F → 1
        double[] g = Evaluation.of(DirectCoverageLoss.builder().optN(256).optReduction(Reduction.SUM).build(),
                logProbs(Math.log(0.5), Math.log(1e-5)), DataType.FLOAT64).gradient(0);
        assertThat(-g[0]).isLessThan(1e-70);
        assertThat(-g[1]).isGreaterThan(0.99);
    }

    @Test
    void probabilityOneGivesZeroLossAndFiniteGradient() {
        Evaluation e = Evaluation.of(DirectCoverageLoss.builder().build(), logProbs(0.0, -1e-12), DataType.FLOAT32);
        Close.assertFinite("value at p = 1", e.value());
        Close.assertFinite("gradient at p = 1", e.gradient(0));
        assertThat(e.scalar()).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void weightedCeModeIsTheOfficialTokenMeanLossWithAStoppedPadeFactor() {
        double[] lp = {-30, -4, -0.5, -0.001};
        double[] tokens = {12, 3, 1, 40};
        long n = 16;
        Sample s = new Sample(List.of(HostTensor.floats(tokens, 4)), List.of(HostTensor.floats(lp, 4)));
        Evaluation e = Evaluation.of(DirectCoverageLoss.builder().optN(n).optMode("weighted-ce")
                .optReduction(Reduction.NONE).build(), s, DataType.FLOAT64);
        double[] value = new double[4];
        double[] grad = new double[4];
        for (int i = 0; i < 4; i++) {
            double p = Math.exp(lp[i]);
            double f;
            if (n * p < 0.1) {
                double m = n - 1;
                f = (1 - m * p + m * (m - 1) * p * p / 2) / (1 - m * p / 2 + m * (m - 1) * p * p / 6);
            } else {
                f = factor(p, n);
            }
            value[i] = f * -lp[i] / tokens[i];
            grad[i] = -f / tokens[i];
        }
        Close.assertClose("weighted-ce value", e.value(), value, 1e-12);
        Close.assertClose("weighted-ce gradient (factor stopped)", e.gradient(0), grad, 1e-12);
    }

    @Test
    void weightedCeWithTokenSumHasTheGradientOfDco() {
        double[] lp = {-12, -3, -1.2, -0.05};
        Sample s = logProbs(lp);
        double[] dcoGrad = Evaluation.of(DirectCoverageLoss.builder().optN(8).build(), s, DataType.FLOAT64).gradient(0);
        double[] ceGrad = Evaluation.of(DirectCoverageLoss.builder().optN(8).optMode("weighted-ce").build(), s,
                DataType.FLOAT64).gradient(0);
        // equal where the exact factor is used, and to the Padé approximation's accuracy below N·p = 0.1
        Close.assertClose("token-sum weighted-ce vs DCO gradient", ceGrad, dcoGrad, 1e-5);
    }

    @Test
    void dcoModeDoesNotReadTheTokenCounts() {
        double[] lp = {-3, -0.2};
        Sample without = logProbs(lp);
        Sample with = new Sample(List.of(HostTensor.floats(new double[] {5, 9}, 2)), List.of(HostTensor.floats(lp, 2)));
        DirectCoverageLoss loss = DirectCoverageLoss.builder().build();
        assertThat(Evaluation.valueOf(loss, with, DataType.FLOAT64)).containsExactly(Evaluation.valueOf(loss, without, DataType.FLOAT64));
    }

    @Test
    void weightedCeRejectsTokenCountsBelowOne() {
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1, 0}, 2)), List.of(HostTensor.floats(new double[] {-1, -2}, 2)));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> DirectCoverageLoss.builder().optMode("weighted-ce").build()
                    .evaluate(s.labelList(m, DataType.FLOAT32), s.predictionList(m, DataType.FLOAT32)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dco").hasMessageContaining("≥ 1");
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> DirectCoverageLoss.builder().optN(0).build()).hasMessageContaining("dco").hasMessageContaining("n must");
        assertThatThrownBy(() -> DirectCoverageLoss.builder().optMode("pass").build()).hasMessageContaining("mode");
    }

    @Test
    void sequenceLogProbSumsTheCountedTokensOnly() {
        Random rng = new Random(4);
        int b = 3;
        int t = 5;
        int v = 7;
        double[] logits = Generators.normal(rng, 2, b, t, v).data();
        long[] targets = {1, 2, 3, 4, 5, -100, -100, 0, 6, 2, 3, 3, 3, -100, 1};
        int[] mask = {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
        double[] expected = new double[b];
        double[] counts = new double[b];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < t; k++) {
                int at = i * t + k;
                if (targets[at] == -100 || mask[at] == 0) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < v; c++) {
                    max = Math.max(max, logits[at * v + c]);
                }
                double sum = 0;
                for (int c = 0; c < v; c++) {
                    sum += Math.exp(logits[at * v + c] - max);
                }
                expected[i] += logits[at * v + (int) targets[at]] - max - Math.log(sum);
                counts[i]++;
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray l = m.create(logits, new Shape(b, t, v));
            l.setRequiresGradient(true);
            NDArray y = m.create(targets, new Shape(b, t));
            NDArray mk = m.create(mask, new Shape(b, t));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray lp = SequenceLogProb.of(l, y, mk);
                Close.assertClose("sequence log-probs", lp.toDoubleArray(), expected, 1e-12);
                gc.backward(lp.sum());
            }
            double[] g = l.getGradient().toDoubleArray();
            // tokens that do not count get no gradient
            for (int at : new int[] {4, 5, 6, 10, 14}) {
                for (int c = 0; c < v; c++) {
                    assertThat(g[at * v + c]).isEqualTo(0.0);
                }
            }
            Close.assertClose("token counts", SequenceLogProb.tokenCounts(y, mk).toType(DataType.FLOAT64, false)
                    .toDoubleArray(), counts, 0);
            assertThat(SequenceLogProb.of(l, y).toDoubleArray()[2]).isLessThan(expected[2]);
        }
    }

    @Test
    void sequenceLogProbRejectsOutOfRangeTokensAndMismatchedShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray l = m.zeros(new Shape(2, 3, 4));
            assertThatThrownBy(() -> SequenceLogProb.of(l, m.create(new long[] {0, 1, 4, 0, -100, 2}, new Shape(2, 3))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 4");
            assertThatThrownBy(() -> SequenceLogProb.of(l, m.create(new long[] {0, 1, -5, 0, 1, 2}, new Shape(2, 3))))
                    .hasMessageContaining("-5");
            assertThatThrownBy(() -> SequenceLogProb.of(l, m.create(new long[] {0, 1}, new Shape(2, 1))))
                    .hasMessageContaining("(B, T)");
            assertThatThrownBy(() -> SequenceLogProb.of(m.zeros(new Shape(2, 3)), m.zeros(new Shape(2, 3), DataType.INT64)))
                    .hasMessageContaining("(B, T, V)");
        }
    }
}
