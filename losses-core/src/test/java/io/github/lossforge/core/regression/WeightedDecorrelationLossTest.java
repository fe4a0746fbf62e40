package io.github.lossforge.core.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
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

class WeightedDecorrelationLossTest extends LossContract {

    private static final int DIMS = 4;
    private static final int[] ROWS = {3, 8, 20};

    /** The decorrelation loss by explicit loops over samples, features and pairs. */
    static Reference reference(int features, long seed, int[] clusters) {
        return s -> {
            HostTensor z = s.prediction(0);
            HostTensor w = s.prediction(1);
            int n = z.dim(0);
            int p = z.dim(1);
            Random r = new Random(seed);
            double[][] omega = new double[features][p];
            double[][] phase = new double[features][p];
            for (int k = 0; k < features; k++) {
                for (int i = 0; i < p; i++) {
                    omega[k][i] = r.nextGaussian();
                    phase[k][i] = 2 * Math.PI * r.nextDouble();
                }
            }
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += w.at(i);
            }
            double loss = 0;
            for (int k = 0; k < features; k++) {
                double[][] x = new double[n][p];
                double[] mean = new double[p];
                for (int a = 0; a < n; a++) {
                    for (int i = 0; i < p; i++) {
                        x[a][i] = Math.sqrt(2) * Math.cos(omega[k][i] * z.at(a * p + i) + phase[k][i]);
                        mean[i] += w.at(a) / total * x[a][i];
                    }
                }
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < p; j++) {
                        if (i == j || clusters != null && clusters[i] == clusters[j]) {
                            continue;
                        }
                        double c = -mean[i] * mean[j];
                        for (int a = 0; a < n; a++) {
                            c += w.at(a) / total * x[a][i] * x[a][j];
                        }
                        loss += c * c;
                    }
                }
            }
            return new double[] {loss};
        };
    }

    private static Variant variant(int features, long seed, int[] clusters) {
        return new Variant("randomFeatures=" + features + ", seed=" + seed + ", clusters=" + java.util.Arrays.toString(clusters),
                r -> WeightedDecorrelationLoss.builder().optRandomFeatures(features).optSeed(seed).optClusters(clusters)
                        .optReduction(r).build(),
                reference(features, seed, clusters));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(1, 42, null), variant(3, 7, null), variant(2, 1, new int[] {0, 0, 1, 2}));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        return new Sample(List.of(), List.of(Generators.normal(rng, 1, ROWS[shape], DIMS),
                Generators.uniform(rng, 0.2, 2, ROWS[shape])));
    }

    @Override
    protected TrainingTask trainingTask() {
        return new TrainingTask() {
            @Override
            public Block model() {
                Block weights = new SequentialBlock()
                        .add(Linear.builder().setUnits(1).build())
                        .add(list -> new NDList(Activation.softPlus(list.singletonOrThrow()).reshape(-1)));
                return new ParallelBlock(outputs -> new NDList(outputs.get(0).singletonOrThrow(), outputs.get(1).singletonOrThrow()),
                        List.of(Linear.builder().setUnits(DIMS).build(), weights));
            }

            @Override
            public Shape inputShape() {
                return new Shape(16, 5);
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                float[] x = new float[16 * 5];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rng.nextGaussian();
                }
                // the loss reads no labels; EasyTrain needs one label array
                return new NDList[] {new NDList(manager.create(x, new Shape(16, 5))), new NDList(manager.zeros(new Shape(1)))};
            }
        };
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> WeightedDecorrelationLoss.builder().build()),
                new RegistryCase(Map.of("randomFeatures", 3, "seed", 5, "clusters", "none"),
                        () -> WeightedDecorrelationLoss.builder().optRandomFeatures(3).optSeed(5).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor z = Generators.normal(rng, 1, 5, DIMS);
        HostTensor w = Generators.uniform(rng, 0.5, 1, 5);
        return List.of(
                new BadInput("rank-1 features", new Sample(List.of(), List.of(z.reshape(20), w)),
                        "predictions[0] (features)", "(n, p)"),
                new BadInput("weights of another length", new Sample(List.of(), List.of(z, w.firstRows(4))),
                        "predictions[1] (sample weights)", "(4)", "5"),
                new BadInput("negative weight", new Sample(List.of(), List.of(z, w.withData(new double[] {1, -1, 1, 1, 1}))),
                        "predictions[1] (sample weights)", "≥ 0"),
                new BadInput("zero weights", new Sample(List.of(), List.of(z, w.withData(new double[5]))),
                        "predictions[1] (sample weights)", "positive sum"),
                new BadInput("missing weights", new Sample(List.of(), List.of(z)), "predictions"));
    }

    @Test
    void scalingAllWeightsLeavesTheLossUnchanged() {
        Sample s = sample(2, new Random(3));
        HostTensor w = s.prediction(1);
        Sample scaled = s.withPrediction(1, w.withData(java.util.Arrays.stream(w.data()).map(v -> 37 * v).toArray()));
        WeightedDecorrelationLoss loss = WeightedDecorrelationLoss.builder().build();
        assertThat(Evaluation.of(loss, scaled, DataType.FLOAT64).scalar())
                .isCloseTo(Evaluation.of(loss, s, DataType.FLOAT64).scalar(), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void duplicatedDimensionsAreFarMoreCorrelatedThanIndependentOnes() {
        Random rng = new Random(4);
        int n = 400;
        double[] independent = Generators.normal(rng, 1, n, 2).data();
        double[] duplicated = independent.clone();
        for (int i = 0; i < n; i++) {
            duplicated[2 * i + 1] = duplicated[2 * i];
        }
        HostTensor w = HostTensor.floats(java.util.Arrays.stream(new double[n]).map(v -> 1).toArray(), n);
        WeightedDecorrelationLoss loss = WeightedDecorrelationLoss.builder().optRandomFeatures(5).build();
        double free = Evaluation.of(loss, new Sample(List.of(), List.of(HostTensor.floats(independent, n, 2), w)), DataType.FLOAT64).scalar();
        double tied = Evaluation.of(loss, new Sample(List.of(), List.of(HostTensor.floats(duplicated, n, 2), w)), DataType.FLOAT64).scalar();
        assertThat(free).isLessThan(0.05);
        assertThat(tied).isGreaterThan(20 * free);
    }

    @Test
    void dimensionsInOneClusterAreNotPenalised() {
        Sample s = sample(1, new Random(5));
        double v = Evaluation.of(WeightedDecorrelationLoss.builder().optClusters(3, 3, 3, 3).build(), s, DataType.FLOAT64).scalar();
        assertThat(v).isEqualTo(0.0);
    }

    @Test
    void allWeightOnOneSampleRemovesEveryCovarianceWhichIsWhyLearnersPenaliseIt() {
        Sample s = sample(1, new Random(6));
        double[] oneHot = new double[ROWS[1]];
        oneHot[2] = 1;
        double v = Evaluation.of(WeightedDecorrelationLoss.builder().build(), s.withPrediction(1, s.prediction(1).withData(oneHot)),
                DataType.FLOAT64).scalar();
        assertThat(v).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-20));
    }

    @Test
    void rejectsBadOptionsAndClusterCounts() {
        assertThatThrownBy(() -> WeightedDecorrelationLoss.builder().optRandomFeatures(0).build())
                .hasMessageContaining("weighted-decorrelation").hasMessageContaining("randomFeatures");
        Sample s = sample(1, new Random(7));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> WeightedDecorrelationLoss.builder().optClusters(0, 1).build()
                    .evaluate(s.labelList(m, DataType.FLOAT32), s.predictionList(m, DataType.FLOAT32)))
                    .hasMessageContaining("2 cluster indices");
        }
    }
}
