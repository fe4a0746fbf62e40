package io.github.lossforge.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
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

class PlattLossTest extends LossContract {

    private static final long[][] SHAPES = {{1}, {7}, {12, 1}};

    /** Per sample −[t log σ(s) + (1 − t) log(1 − σ(s))], t = (N₊+1)/(N₊+2) for y = 1, 1/(N₋+2) for y = 0. */
    static Reference reference() {
        return s -> {
            HostTensor logit = s.prediction(0);
            HostTensor y = s.label(0);
            int n = logit.size();
            double positives = 0;
            for (int i = 0; i < n; i++) {
                positives += y.at(i);
            }
            double negatives = n - positives;
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                double t = y.at(i) == 1 ? (positives + 1) / (positives + 2) : 1 / (negatives + 2);
                double p = 1 / (1 + Math.exp(-logit.at(i)));
                out[i] = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
            }
            return out;
        };
    }

    @Override
    protected List<Variant> variants() {
        return List.of(new Variant("platt", r -> PlattLoss.builder().optReduction(r).build(), reference()));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long[] sh = SHAPES[shape];
        return new Sample(List.of(Generators.bernoulli(rng, 0.4, sh)), List.of(Generators.normal(rng, 2.0, sh)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> PlattLoss.builder().build()),
                new RegistryCase(Map.of("reduction", "sum"), () -> PlattLoss.builder().optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor s = Generators.normal(rng, 1, 4);
        HostTensor y = HostTensor.floats(new double[] {0, 1, 1, 0}, 4);
        return List.of(
                new BadInput("two columns", new Sample(List.of(y.reshape(2, 2)), List.of(s.reshape(2, 2))),
                        "predictions[0] (calibrated logit)", "(2, 2)", "(N) or (N, 1)"),
                new BadInput("labels of another shape", new Sample(List.of(y.reshape(4, 1)), List.of(s)),
                        "labels[0] (y)", "(4, 1)"),
                new BadInput("soft labels", new Sample(List.of(y.withData(new double[] {0, 0.5, 1, 0})), List.of(s)),
                        "labels[0] (y)", "0 and 1"),
                new BadInput("missing labels", new Sample(List.of(), List.of(s)), "labels"));
    }

    @Override
    protected TrainingTask trainingTask() {
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock().add(Linear.builder().setUnits(1).build());
            }

            @Override
            public Shape inputShape() {
                return new Shape(16, 1);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] f = new float[16];
                float[] y = new float[16];
                for (int i = 0; i < 16; i++) {
                    y[i] = rng.nextBoolean() ? 1 : 0;
                    f[i] = (float) (2 * y[i] - 1 + rng.nextGaussian());
                }
                return new NDList[] {new NDList(manager.create(f, new Shape(16, 1))),
                        new NDList(manager.create(y, new Shape(16, 1)))};
            }
        };
    }

    /** Held-out scores of a noisy classifier: positives around +1, negatives around −1. */
    private static double[][] scoresAndLabels(Random rng, int n) {
        double[] f = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextDouble() < 0.3 ? 1 : 0;
            f[i] = 2 * y[i] - 1 + 1.3 * rng.nextGaussian();
        }
        return new double[][] {f, y};
    }

    /** ∂NLL/∂A and ∂NLL/∂B of Platt's objective, written out in the test. */
    private static double[] plattGradient(double[] f, double[] y, double a, double b) {
        double pos = 0;
        for (double v : y) {
            pos += v;
        }
        double neg = y.length - pos;
        double ga = 0;
        double gb = 0;
        for (int i = 0; i < f.length; i++) {
            double t = y[i] == 1 ? (pos + 1) / (pos + 2) : 1 / (neg + 2);
            double p = 1 / (1 + Math.exp(a * f[i] + b));
            ga += f[i] * (t - p);
            gb += t - p;
        }
        return new double[] {ga, gb};
    }

    @Test
    void scalerReachesTheStationaryPointOfPlattsObjective() {
        double[][] d = scoresAndLabels(new Random(1), 400);
        PlattScaler scaler = PlattScaler.fit(d[0], d[1]);
        double[] g = plattGradient(d[0], d[1], scaler.a(0), scaler.b(0));
        assertThat(Math.abs(g[0])).isLessThan(1e-7);
        assertThat(Math.abs(g[1])).isLessThan(1e-7);
        assertThat(scaler.a(0)).as("higher scores are more likely positive, so A < 0").isNegative();
        double best = PlattScaler.negativeLogLikelihood(d[0], targets(d[1]), scaler.a(0), scaler.b(0));
        for (double[] delta : new double[][] {{1e-3, 0}, {-1e-3, 0}, {0, 1e-3}, {0, -1e-3}}) {
            assertThat(PlattScaler.negativeLogLikelihood(d[0], targets(d[1]), scaler.a(0) + delta[0],
                    scaler.b(0) + delta[1])).isGreaterThan(best);
        }
    }

    private static double[] targets(double[] y) {
        double pos = 0;
        for (double v : y) {
            pos += v;
        }
        double[] t = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            t[i] = y[i] == 1 ? (pos + 1) / (pos + 2) : 1 / (y.length - pos + 2);
        }
        return t;
    }

    @Test
    void plattLossGradientVanishesAtTheScalersFit() {
        double[][] d = scoresAndLabels(new Random(2), 300);
        PlattScaler scaler = PlattScaler.fit(d[0], d[1]);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray f = manager.create(d[0]);
            NDArray s = scaler.calibratedLogits(f);
            Sample sample = new Sample(List.of(HostTensor.floats(d[1], d[1].length)),
                    List.of(HostTensor.floats(s.toDoubleArray(), d[1].length)));
            double[] gs = Evaluation.of(PlattLoss.builder().optReduction(Reduction.SUM).build(), sample,
                    DataType.FLOAT64).gradient(0);
            double ga = 0;
            double gb = 0;
            for (int i = 0; i < gs.length; i++) {
                ga -= gs[i] * d[0][i];
                gb -= gs[i];
            }
            assertThat(Math.abs(ga)).as("∂L/∂A through s = −(A f + B)").isLessThan(1e-7);
            assertThat(Math.abs(gb)).as("∂L/∂B").isLessThan(1e-7);
        }
    }

    @Test
    void separableScoresStillGiveAFiniteSlopeThanksToSmoothedTargets() {
        double[] f = {-3, -2, -1, 1, 2, 3};
        double[] y = {0, 0, 0, 1, 1, 1};
        PlattScaler scaler = PlattScaler.fit(f, y);
        assertThat(scaler.a(0)).isFinite().isNegative();
        double[] g = plattGradient(f, y, scaler.a(0), scaler.b(0));
        assertThat(Math.abs(g[0]) + Math.abs(g[1])).isLessThan(1e-8);
        // symmetric data: B = 0 and p(f = 0) = 1/2
        assertThat(Math.abs(scaler.b(0))).isLessThan(1e-8);
    }

    @Test
    void perClassFitEqualsIndependentFitsOfEachColumn() {
        double[][] d1 = scoresAndLabels(new Random(3), 200);
        double[][] d2 = scoresAndLabels(new Random(4), 200);
        double[][] f = new double[200][];
        double[][] y = new double[200][];
        for (int i = 0; i < 200; i++) {
            f[i] = new double[] {d1[0][i], 3 * d2[0][i]};
            y[i] = new double[] {d1[1][i], d2[1][i]};
        }
        PlattScaler both = PlattScaler.fitPerClass(f, y);
        double[] scaled = new double[200];
        for (int i = 0; i < 200; i++) {
            scaled[i] = 3 * d2[0][i];
        }
        PlattScaler first = PlattScaler.fit(d1[0], d1[1]);
        PlattScaler second = PlattScaler.fit(scaled, d2[1]);
        assertThat(both.classes()).isEqualTo(2);
        assertThat(both.a(0)).isEqualTo(first.a(0));
        assertThat(both.b(0)).isEqualTo(first.b(0));
        assertThat(both.a(1)).isEqualTo(second.a(0));
        assertThat(both.b(1)).isEqualTo(second.b(0));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray scores = manager.create(new double[] {0.5, -1.0, 2.0, 0.25}, new Shape(2, 2));
            double[] p = PlattScaler.fit(scores, manager.create(new double[] {1, 0, 0, 1}, new Shape(2, 2)))
                    .probabilities(scores).toDoubleArray();
            assertThat(p).hasSize(4);
            for (double v : p) {
                assertThat(v).isBetween(0.0, 1.0);
            }
            double[] q = both.probabilities(scores).toDoubleArray();
            Close.assertClose("probabilities of a per-class scaler",
                    q, new double[] {both.probability(0.5, 0), both.probability(-1.0, 1),
                        both.probability(2.0, 0), both.probability(0.25, 1)}, 1e-12);
        }
    }

    @Test
    void scalerRejectsBadInputWithClearMessages() {
        assertThatThrownBy(() -> PlattScaler.fit(new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("platt");
        assertThatThrownBy(() -> PlattScaler.fit(new double[] {1, 2}, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 or 1");
        assertThatThrownBy(() -> PlattScaler.fit(new double[] {Double.NaN}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
        try (NDManager manager = NDManager.newBaseManager()) {
            PlattScaler one = PlattScaler.fit(new double[] {1, -1}, new double[] {1, 0});
            assertThatThrownBy(() -> one.calibratedLogits(manager.zeros(new Shape(3, 2))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(N) or (N, 1)");
        }
    }

    @Test
    void trainingASigmoidWithThePlattLossConvergesToTheScalersFit() {
        double[][] d = scoresAndLabels(new Random(5), 200);
        PlattScaler scaler = PlattScaler.fit(d[0], d[1]);
        double a = 0;
        double b = 0;
        PlattLoss loss = PlattLoss.builder().build();
        for (int step = 0; step < 600; step++) {
            try (NDManager manager = NDManager.newBaseManager()) {
                double[] s = new double[d[0].length];
                for (int i = 0; i < s.length; i++) {
                    s[i] = -(a * d[0][i] + b);
                }
                Sample sample = new Sample(List.of(HostTensor.floats(d[1], s.length)),
                        List.of(HostTensor.floats(s, s.length)));
                double[] gs = Evaluation.of(loss, sample, DataType.FLOAT64).gradient(0);
                double ga = 0;
                double gb = 0;
                for (int i = 0; i < gs.length; i++) {
                    ga -= gs[i] * d[0][i];
                    gb -= gs[i];
                }
                a -= 2.0 * ga;
                b -= 2.0 * gb;
            }
        }
        assertThat(a).isCloseTo(scaler.a(0), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(b).isCloseTo(scaler.b(0), org.assertj.core.data.Offset.offset(1e-5));
    }
}
