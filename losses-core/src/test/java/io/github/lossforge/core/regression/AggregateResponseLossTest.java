package io.github.lossforge.core.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

class AggregateResponseLossTest extends LossContract {

    private static final int[][] SHAPES = {{1, 1}, {7, 3}, {16, 5}};

    static double base(boolean bce, double y, double f) {
        if (!bce) {
            return (y - f) * (y - f);
        }
        double p = Math.min(1 - 1e-7, Math.max(1e-7, f));
        return -y * Math.log(p) - (1 - y) * Math.log(1 - p);
    }

    /** Bag-level and instance-level losses from explicit per-bag loops. */
    static double[] bagAndInstance(Sample s, boolean bce) {
        HostTensor f = s.prediction(0);
        HostTensor bag = s.label(0);
        HostTensor ybar = s.label(1);
        int m = ybar.size();
        double bagLevel = 0;
        double instanceLevel = 0;
        for (int a = 0; a < m; a++) {
            double sum = 0;
            int size = 0;
            for (int i = 0; i < f.size(); i++) {
                if (bag.index(i) == a) {
                    sum += f.at(i);
                    size++;
                    instanceLevel += base(bce, ybar.at(a), f.at(i));
                }
            }
            bagLevel += base(bce, ybar.at(a), sum / size);
        }
        return new double[] {bagLevel / m, instanceLevel / f.size()};
    }

    static Reference reference(double rho, boolean bce) {
        return s -> {
            double[] parts = bagAndInstance(s, bce);
            return new double[] {(1 - rho) * parts[0] + rho * parts[1]};
        };
    }

    private static Variant variant(double rho, String base) {
        return new Variant("rho=" + rho + ", base=" + base,
                r -> AggregateResponseLoss.builder().optRho(rho).optBase(base).optReduction(r).build(),
                reference(rho, "bce".equals(base)));
    }

    /** n instances in m non-empty bags of unequal sizes, shuffled. */
    static HostTensor bags(Random rng, int n, int m) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i < m ? i : (long) rng.nextInt(m));
        }
        Collections.shuffle(ids, rng);
        return HostTensor.longs(ids.stream().mapToLong(Long::longValue).toArray(), n);
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.5, "squared"), variant(0, "squared"), variant(1, "squared"),
                variant(0.5, "bce"), variant(0, "bce"), variant(0.8, "bce"));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int m = SHAPES[shape][1];
        return new Sample(List.of(bags(rng, n, m), Generators.uniform(rng, 0, 1, m)),
                List.of(Generators.uniform(rng, 0.02, 0.98, n)));
    }

    @Override
    protected Sample extremeSample(Random rng) {
        // probabilities at the very ends, where the bce logarithms need their clamp
        Sample s = sample(1, rng);
        return s.withPrediction(0, s.prediction(0).withData(new double[] {0, 1, 1, 0, 0, 1, 1}));
    }

    @Override
    protected TrainingTask trainingTask() {
        return new TrainingTask() {
            @Override
            public Block model() {
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(8).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(1).build())
                        .add(list -> new NDList(Activation.sigmoid(list.singletonOrThrow()).reshape(-1)));
            }

            @Override
            public Shape inputShape() {
                return new Shape(16, 4);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[16 * 4];
                long[] bag = new long[16];
                float[] ybar = new float[4];
                for (int i = 0; i < 16; i++) {
                    for (int k = 0; k < 4; k++) {
                        x[i * 4 + k] = (float) rng.nextGaussian();
                    }
                    bag[i] = i / 4;
                    ybar[i / 4] += (x[i * 4] > 0 ? 1 : 0) / 4f;
                }
                return new NDList[] {
                    new NDList(manager.create(x, new Shape(16, 4))),
                    new NDList(manager.create(bag, new Shape(16)), manager.create(ybar, new Shape(4)))};
            }
        };
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> AggregateResponseLoss.builder().build()),
                new RegistryCase(Map.of("rho", 1, "base", "bce"),
                        () -> AggregateResponseLoss.builder().optRho(1).optBase("bce").build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor f = Generators.uniform(rng, 0, 1, 6);
        HostTensor bag = HostTensor.longs(new long[] {0, 1, 2, 0, 1, 2}, 6);
        HostTensor ybar = Generators.uniform(rng, 0, 1, 3);
        return List.of(
                new BadInput("rank-2 predictions", new Sample(List.of(bag, ybar), List.of(f.reshape(6, 1))),
                        "predictions[0] (predictions)", "(6, 1)", "(n)"),
                new BadInput("bag index beyond the responses",
                        new Sample(List.of(HostTensor.longs(new long[] {0, 1, 3, 0, 1, 2}, 6), ybar), List.of(f)),
                        "labels[0] (bag index)", "3", "[0, 3)"),
                new BadInput("a bag without instances",
                        new Sample(List.of(HostTensor.longs(new long[] {0, 2, 2, 0, 0, 2}, 6), ybar), List.of(f)),
                        "labels[0] (bag index)", "bag 1", "at least one"),
                new BadInput("bag index batch mismatch", new Sample(List.of(bag.firstRows(5), ybar), List.of(f)),
                        "labels[0] (bag index)", "(5)", "6"),
                new BadInput("floating bag index",
                        new Sample(List.of(bag.withType(DataType.FLOAT32), ybar), List.of(f)),
                        "labels[0] (bag index)", "int64"),
                new BadInput("rank-2 bag responses", new Sample(List.of(bag, ybar.reshape(3, 1)), List.of(f)),
                        "labels[1] (bag responses)", "(m)"),
                new BadInput("missing bag responses", new Sample(List.of(bag), List.of(f)), "labels"));
    }

    @Test
    void squaredInstanceLossIsBagLossPlusWithinBagVarianceForEqualBags() {
        Random rng = new Random(21);
        int n = 12;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i % 3;
        }
        HostTensor f = Generators.normal(rng, 2, n);
        Sample s = new Sample(List.of(HostTensor.longs(ids, n), Generators.normal(rng, 1, 3)), List.of(f));
        double bag = Evaluation.of(AggregateResponseLoss.builder().optRho(0).build(), s, DataType.FLOAT64).scalar();
        double ins = Evaluation.of(AggregateResponseLoss.builder().optRho(1).build(), s, DataType.FLOAT64).scalar();
        double variance = 0;
        for (int a = 0; a < 3; a++) {
            double mean = 0;
            for (int i = a; i < n; i += 3) {
                mean += f.at(i) / 4;
            }
            for (int i = a; i < n; i += 3) {
                variance += (f.at(i) - mean) * (f.at(i) - mean) / n;
            }
        }
        assertThat(ins).isCloseTo(bag + variance, org.assertj.core.data.Offset.offset(1e-12));
        double half = Evaluation.of(AggregateResponseLoss.builder().optRho(0.25).build(), s, DataType.FLOAT64).scalar();
        assertThat(half).isCloseTo(0.75 * bag + 0.25 * ins, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void bceInstanceLossIsAtLeastTheBagLossByJensen() {
        Random rng = new Random(8);
        for (int trial = 0; trial < 5; trial++) {
            Sample s = sample(2, rng);
            double bag = Evaluation.of(AggregateResponseLoss.builder().optRho(0).optBase("bce").build(), s,
                    DataType.FLOAT64).scalar();
            double ins = Evaluation.of(AggregateResponseLoss.builder().optRho(1).optBase("bce").build(), s,
                    DataType.FLOAT64).scalar();
            assertThat(ins).isGreaterThanOrEqualTo(bag);
        }
    }

    @Test
    void singletonBagsMakeBothLevelsTheOrdinaryLoss() {
        HostTensor f = HostTensor.floats(new double[] {0.2, 0.7, 0.9}, 3);
        HostTensor y = HostTensor.floats(new double[] {0.0, 1.0, 0.5}, 3);
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 1, 2}, 3), y), List.of(f));
        double ce = 0;
        for (int i = 0; i < 3; i++) {
            ce += (-y.at(i) * Math.log(f.at(i)) - (1 - y.at(i)) * Math.log(1 - f.at(i))) / 3;
        }
        for (double rho : new double[] {0, 0.3, 1}) {
            double v = Evaluation.of(AggregateResponseLoss.builder().optRho(rho).optBase("bce").build(), s,
                    DataType.FLOAT64).scalar();
            assertThat(v).isCloseTo(ce, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void bagLevelGradientSpreadsEquallyOverABagsInstances() {
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {0, 0, 1, 0}, 4), HostTensor.floats(new double[] {1, 2}, 2)),
                List.of(HostTensor.floats(new double[] {0, 1, 5, 2}, 4)));
        double[] g = Evaluation.of(AggregateResponseLoss.builder().optRho(0).build(), s, DataType.FLOAT64).gradient(0);
        // bag 0: mean 1, residual 0 → 0; bag 1: residual 3, d/df = 2·3 / m(=2)
        Close.assertClose("bag-level gradient", g, new double[] {0, 0, 3, 0}, 1e-12);
    }

    @Test
    void squaredBaseStaysFiniteForHugePredictions() {
        Sample s = sample(2, new Random(2));
        HostTensor f = s.prediction(0);
        double[] big = f.data();
        for (int i = 0; i < big.length; i++) {
            big[i] = (i % 2 == 0 ? 1 : -1) * 1e4;
        }
        Evaluation e = Evaluation.of(AggregateResponseLoss.builder().build(), s.withPrediction(0, f.withData(big)),
                DataType.FLOAT32);
        Close.assertFinite("value", e.value());
        Close.assertFinite("gradient", e.gradient(0));
    }

    @Test
    void bceRejectsPredictionsThatAreNotProbabilities() {
        Sample s = sample(1, new Random(3));
        HostTensor f = s.prediction(0);
        double[] logits = f.data();
        logits[2] = 2.5;
        try (NDManager m = NDManager.newBaseManager()) {
            Sample bad = s.withPrediction(0, f.withData(logits));
            AggregateResponseLoss loss = AggregateResponseLoss.builder().optBase("bce").build();
            NDList labels = bad.labelList(m, DataType.FLOAT64);
            NDList predictions = bad.predictionList(m, DataType.FLOAT64);
            assertThatThrownBy(() -> loss.evaluate(labels, predictions))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aggregate")
                    .hasMessageContaining("predictions[0]").hasMessageContaining("[0, 1]");
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> AggregateResponseLoss.builder().optRho(1.5).build()).hasMessageContaining("rho");
        assertThatThrownBy(() -> AggregateResponseLoss.builder().optBase("hinge").build()).hasMessageContaining("base");
    }

}
