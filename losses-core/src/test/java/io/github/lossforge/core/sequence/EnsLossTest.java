package io.github.lossforge.core.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.github.lossforge.core.BaseLoss;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.testkit.Close;
import io.github.lossforge.core.testkit.Evaluation;
import io.github.lossforge.core.testkit.Generators;
import io.github.lossforge.core.testkit.HostTensor;
import io.github.lossforge.core.testkit.LeakCheck;
import io.github.lossforge.core.testkit.MutationPass;
import io.github.lossforge.core.testkit.Sample;
import io.github.lossforge.core.testkit.TrainingTask;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * EnsLoss draws a new derivative per batch, so it has no fixed value to compare: the tests check the
 * drawn derivative (read back as the gradient) against a plain-Java replay of the official generation
 * from the same Gaussian draws, and its defining properties (strictly negative, non-decreasing in the
 * margin, clipped at −1, superlinear tail), plus the usual input, dtype, registry and leak checks.
 */
class EnsLossTest {

    private static Sample binary(Random rng, int n, double scale) {
        return new Sample(List.of(Generators.bernoulli(rng, 0.5, n)), List.of(Generators.normal(rng, scale, n)));
    }

    /** The drawn derivative g_i = N·∂(mean loss)/∂f_i · y±_i. */
    private static double[] derivatives(BaseLoss loss, Sample s, DataType type) {
        double[] grad = Evaluation.of(loss, s, type).gradient(0);
        double[] g = new double[grad.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = grad[i] * grad.length * (2 * s.label(0).at(i) - 1);
        }
        return g;
    }

    private static double[] margins(Sample s) {
        double[] z = new double[s.prediction(0).size()];
        for (int i = 0; i < z.length; i++) {
            z[i] = (2 * s.label(0).at(i) - 1) * s.prediction(0).at(i);
        }
        return z;
    }

    /** The official generation, replayed from java.util.Random(seed) with explicit loops. */
    private static double[] replay(double[] z, long seed, double lambda) {
        Random r = new Random(seed);
        int n = z.length;
        double[] draw = new double[n];
        for (int i = 0; i < n; i++) {
            double v = r.nextGaussian();
            draw[i] = lambda == 0 ? -Math.exp(v) : -Math.pow(Math.max(1 + lambda * v, 0), 1 / lambda);
        }
        java.util.Arrays.sort(draw);
        double[] g = new double[n];
        boolean[] used = new boolean[n];
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (!used[i] && (best < 0 || z[i] < z[best])) {
                    best = i;
                }
            }
            used[best] = true;
            double v = Math.max(draw[k], -1);
            g[best] = (z[best] > 1 ? v / z[best] : v) - 1e-6;
        }
        return g;
    }

    @Test
    void drawnDerivativeMatchesAReplayOfTheOfficialGeneration() {
        for (double lambda : new double[] {0, 0.5, -0.3}) {
            for (int n : new int[] {1, 9, 40}) {
                Sample s = binary(new Random(n), n, 2);
                EnsLoss loss = EnsLoss.builder().optLambda(lambda).optSeed(7).build();
                Close.assertClose("lambda=" + lambda + ", n=" + n, derivatives(loss, s, DataType.FLOAT64),
                        replay(margins(s), 7, lambda), 1e-12);
            }
        }
    }

    @Test
    void valueIsTheSurrogateMeanOfDerivativeTimesMargin() {
        Sample s = binary(new Random(3), 12, 2);
        double[] g = replay(margins(s), 42, 0);
        double[] z = margins(s);
        double[] perSample = Evaluation.of(EnsLoss.builder().optReduction(Reduction.NONE).build(), s, DataType.FLOAT64).value();
        double[] expected = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            expected[i] = g[i] * z[i];
        }
        Close.assertClose("per-sample surrogate", perSample, expected, 1e-12);
        double sum = Evaluation.of(EnsLoss.builder().optReduction(Reduction.SUM).build(), s, DataType.FLOAT64).scalar();
        assertThat(sum).isCloseTo(java.util.Arrays.stream(expected).sum(), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void derivativeIsStrictlyNegativeNonDecreasingInTheMarginAndClippedAtMinusOne() {
        for (double lambda : new double[] {0, 1, -0.5}) {
            Sample s = binary(new Random(11), 300, 3);
            double[] g = derivatives(EnsLoss.builder().optLambda(lambda).build(), s, DataType.FLOAT64);
            double[] z = margins(s);
            for (int i = 0; i < g.length; i++) {
                assertThat(g[i]).as("g < 0").isLessThan(0);
                assertThat(g[i]).as("clipped at −1").isGreaterThanOrEqualTo(-1 - 1e-6 - 1e-12);
                for (int j = 0; j < g.length; j++) {
                    if (z[i] < z[j]) {
                        assertThat(g[i]).as("non-decreasing in the margin").isLessThanOrEqualTo(g[j] + 1e-15);
                    }
                }
            }
        }
    }

    @Test
    void tailBeyondMarginOneDecaysAtLeastLikeOneOverTheMargin() {
        Sample s = binary(new Random(12), 200, 6);
        double[] g = derivatives(EnsLoss.builder().build(), s, DataType.FLOAT64);
        double[] z = margins(s);
        int tail = 0;
        for (int i = 0; i < g.length; i++) {
            if (z[i] > 1) {
                tail++;
                assertThat(Math.abs(g[i] + 1e-6) * z[i]).isLessThanOrEqualTo(1 + 1e-12);
            }
        }
        assertThat(tail).isGreaterThan(20);
    }

    @Test
    void logNormalDrawIsClippedForAboutHalfTheSamples() {
        // λ = 0: g = −exp(r), r ~ N(0, 1), so g ≤ −1 (clipped) exactly when r ≥ 0
        Sample s = new Sample(List.of(HostTensor.floats(new double[4000], 4000)),
                List.of(Generators.uniform(new Random(2), -1, 0.5, 4000)));
        double[] g = derivatives(EnsLoss.builder().optSeed(5).build(), s, DataType.FLOAT64);
        long clipped = java.util.Arrays.stream(g).filter(v -> v <= -1).count();
        assertThat(clipped / 4000.0).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void sameSeedDrawsTheSameDerivativesAndEachBatchDrawsAnew() {
        Sample s = binary(new Random(13), 30, 2);
        assertThat(derivatives(EnsLoss.builder().optSeed(3).build(), s, DataType.FLOAT64))
                .containsExactly(derivatives(EnsLoss.builder().optSeed(3).build(), s, DataType.FLOAT64));
        assertThat(derivatives(EnsLoss.builder().optSeed(4).build(), s, DataType.FLOAT64))
                .isNotEqualTo(derivatives(EnsLoss.builder().optSeed(3).build(), s, DataType.FLOAT64));
        EnsLoss loss = EnsLoss.builder().build();
        assertThat(derivatives(loss, s, DataType.FLOAT64)).isNotEqualTo(derivatives(loss, s, DataType.FLOAT64));
    }

    @Test
    void gradientSurvivesGarbageCollectionBetweenForwardAndBackward() {
        Sample s = binary(new Random(14), 20, 2);
        double[] plain = Evaluation.of(EnsLoss.builder().build(), s, DataType.FLOAT64).gradient(0);
        double[] scrubbed = Evaluation.of(EnsLoss.builder().build(), s, DataType.FLOAT64, true).gradient(0);
        assertThat(scrubbed).containsExactly(plain);
    }

    @Test
    void columnLogitsAndIntegerLabelsGiveTheSameDerivatives() {
        Sample s = binary(new Random(15), 10, 2);
        Sample column = new Sample(List.of(s.label(0).reshape(10, 1).withType(DataType.INT64)),
                List.of(s.prediction(0).reshape(10, 1)));
        assertThat(derivatives(EnsLoss.builder().build(), column, DataType.FLOAT64))
                .containsExactly(derivatives(EnsLoss.builder().build(), s, DataType.FLOAT64));
    }

    @Test
    void float16IsComputedInFloat32AndExtremeLogitsStayFinite() {
        Sample s = binary(new Random(16), 10, 2);
        Evaluation half = Evaluation.of(EnsLoss.builder().build(), s, DataType.FLOAT16);
        assertThat(half.valueType()).isEqualTo(DataType.FLOAT32);
        Sample extreme = binary(new Random(17), 10, 1e4);
        Evaluation e = Evaluation.of(EnsLoss.builder().build(), extreme, DataType.FLOAT32);
        Close.assertFinite("value", e.value());
        Close.assertFinite("gradient", e.gradient(0));
    }

    @Test
    void badInputIsRejectedWithClearMessages() {
        Random rng = new Random(18);
        HostTensor f = Generators.normal(rng, 1, 4);
        HostTensor y = Generators.bernoulli(rng, 0.5, 4);
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {new Sample(List.of(y), List.of(Generators.normal(rng, 1, 4, 2))), "(N) or (N, 1)"});
        cases.add(new Object[] {new Sample(List.of(y.firstRows(3)), List.of(f)), "labels[0] (y)"});
        cases.add(new Object[] {new Sample(List.of(y.withData(new double[] {0, 1, 2, 0})), List.of(f)), "0/1"});
        cases.add(new Object[] {new Sample(List.of(y), List.of(f.withData(new double[] {0, Double.NaN, 1, 2}))), "NaN"});
        cases.add(new Object[] {new Sample(List.of(y.firstRows(0)), List.of(f.firstRows(0))), "empty"});
        cases.add(new Object[] {new Sample(List.of(), List.of(f)), "labels"});
        for (Object[] c : cases) {
            Sample s = (Sample) c[0];
            try (NDManager m = NDManager.newBaseManager()) {
                NDList labels = s.labelList(m, DataType.FLOAT32);
                NDList predictions = s.predictionList(m, DataType.FLOAT32);
                assertThatThrownBy(() -> EnsLoss.builder().build().evaluate(labels, predictions))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("ensloss").hasMessageContaining((String) c[1]);
            }
        }
        assertThatThrownBy(() -> EnsLoss.builder().optLambda(Double.NaN).build()).hasMessageContaining("lambda");
    }

    @Test
    void registryCreatesTheSameLossAsTheBuilder() {
        Sample s = binary(new Random(19), 15, 2);
        BaseLoss fromRegistry = Losses.create("ensloss", Map.of("lambda", 0.5, "seed", 9, "reduction", "sum"));
        BaseLoss fromBuilder = EnsLoss.builder().optLambda(0.5).optSeed(9).optReduction("sum").build();
        assertThat(fromRegistry).isExactlyInstanceOf(EnsLoss.class);
        assertThat(Evaluation.valueOf(fromRegistry, s, DataType.FLOAT64))
                .containsExactly(Evaluation.valueOf(fromBuilder, s, DataType.FLOAT64));
    }

    @Test
    void trainingDoesNotLeakArrays() {
        LeakCheck.assertNoLeak(EnsLoss.builder().build(), new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(8).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(1).build());
            }

            @Override
            public Shape inputShape() {
                return new Shape(16, 4);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[16 * 4];
                float[] y = new float[16];
                for (int i = 0; i < 16; i++) {
                    y[i] = rng.nextBoolean() ? 1 : 0;
                    for (int k = 0; k < 4; k++) {
                        x[i * 4 + k] = (float) (rng.nextGaussian() + (y[i] == 1 ? 1 : -1));
                    }
                }
                NDArray data = manager.create(x, new Shape(16, 4));
                return new NDList[] {new NDList(data), new NDList(manager.create(y, new Shape(16, 1)))};
            }
        }, 200);
    }

    /** EnsLoss has no fixed value to compare, so it runs the contract's mutation pass on its own. */
    @Test
    void mutatedInputsGiveFiniteValuesOrClearErrors() {
        MutationPass.run(EnsLoss.ID, () -> EnsLoss.builder().optSeed(3).build(), binary(new Random(11), 4, 2.0));
    }
}
