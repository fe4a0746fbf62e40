package io.github.lossforge.core.classification;

import static io.github.lossforge.core.classification.ClassificationReferences.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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

class HybridMultiLabelLossTest extends LossContract {

    /** (N, E), C = 4; the smallest batch is 2, the fewest samples that form a pair. */
    private static final int[][] SHAPES = {{2, 2}, {6, 3}, {10, 5}};

    /** A fixed training label matrix (8 × 4) for the statistics. */
    private static final double[][] TRAINING_LABELS = {
        {1, 0, 1, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0},
        {0, 1, 0, 1}, {1, 0, 1, 1}, {0, 1, 0, 0}, {1, 0, 0, 1}};

    /** A hand-made correlation matrix with negative and positive entries (4 × 4). */
    private static final double[][] CORRELATION = {
        {1, 0.6, -0.3, 0.2}, {0.6, 1, 0.1, -0.5}, {-0.3, 0.1, 1, 0.4}, {0.2, -0.5, 0.4, 1}};

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** WBCE + λ_corr·L_corr + λ_con·L_con written from the definitions, pair by pair. */
    static Reference reference(double lambdaCorr, double lambdaCon, double margin, double[] weights,
            double[][] correlation) {
        return s -> {
            HostTensor x = s.prediction(0);
            HostTensor y = s.label(0);
            int n = x.dim(0);
            int c = x.dim(1);
            double bce = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    double p = sigmoid(x.at(i * c + k));
                    double w = weights == null ? 1 : weights[k];
                    double t = y.at(i * c + k);
                    bce -= (w * t * Math.log(p) + (1 - t) * Math.log(1 - p)) / (n * c);
                }
            }
            double corr = 0;
            if (correlation != null) {
                double mass = 0;
                for (int j = 0; j < c; j++) {
                    for (int k = 0; k < c; k++) {
                        mass += j == k ? 0 : Math.max(0, correlation[j][k]);
                    }
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < c; j++) {
                        for (int k = 0; k < c; k++) {
                            if (j != k && correlation[j][k] > 0) {
                                double gap = sigmoid(x.at(i * c + j)) - sigmoid(x.at(i * c + k));
                                corr += correlation[j][k] * gap * gap / mass / n;
                            }
                        }
                    }
                }
            }
            double con = 0;
            if (s.predictions().size() > 1 && n > 1) {
                HostTensor e = s.prediction(1);
                int pairs = 0;
                for (int a = 0; a < n; a++) {
                    for (int b = a + 1; b < n; b++) {
                        boolean share = false;
                        for (int k = 0; k < c; k++) {
                            share |= y.at(a * c + k) == 1 && y.at(b * c + k) == 1;
                        }
                        double[] ea = row(e, a);
                        double[] eb = row(e, b);
                        double d2 = 0;
                        for (int k = 0; k < ea.length; k++) {
                            d2 += (ea[k] - eb[k]) * (ea[k] - eb[k]);
                        }
                        double hinge = Math.max(0, margin - Math.sqrt(d2));
                        con += share ? d2 : hinge * hinge;
                        pairs++;
                    }
                }
                con /= pairs;
            }
            return new double[] {bce + lambdaCorr * corr + lambdaCon * con};
        };
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        HybridMultiLabelLoss.LabelStatistics stats = HybridMultiLabelLoss.statisticsOf(TRAINING_LABELS);
        double[] weights = {0.5, 2.0, 1.0, 3.0};
        return List.of(
                new Variant("defaults", r -> HybridMultiLabelLoss.builder().optReduction(r).build(),
                        reference(0.1, 0.1, 1.0, null, null)),
                new Variant("training statistics, lambdas 0.5/0.3, margin 2",
                        r -> HybridMultiLabelLoss.builder().optLabelStatistics(stats).optLambdaCorrelation(0.5)
                                .optLambdaContrastive(0.3).optMargin(2).optReduction(r).build(),
                        reference(0.5, 0.3, 2, stats.classWeights(), stats.correlation())),
                new Variant("hand-made weights and correlation",
                        r -> HybridMultiLabelLoss.builder().optClassWeights(weights).optCorrelation(CORRELATION)
                                .optLambdaCorrelation(2).optReduction(r).build(),
                        reference(2, 0.1, 1, weights, CORRELATION)));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int c = 4;
        int e = SHAPES[shape][1];
        return new Sample(List.of(Generators.bernoulli(rng, 0.35, n, c)),
                List.of(Generators.normal(rng, 1.5, n, c), Generators.normal(rng, 0.6, n, e)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> HybridMultiLabelLoss.builder().build()),
                new RegistryCase(Map.of("lambdaCorrelation", 1, "lambdaContrastive", 0.5, "margin", 3L),
                        () -> HybridMultiLabelLoss.builder().optLambdaCorrelation(1).optLambdaContrastive(0.5)
                                .optMargin(3).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor x = Generators.normal(rng, 1, 4, 3);
        HostTensor e = Generators.normal(rng, 1, 4, 2);
        HostTensor y = Generators.bernoulli(rng, 0.5, 4, 3);
        return List.of(
                new BadInput("rank-1 logits", new Sample(List.of(y), List.of(x.reshape(12))),
                        "predictions[0] (logits)", "(N, C)"),
                new BadInput("label matrix of another shape", new Sample(List.of(y.reshape(3, 4)), List.of(x, e)),
                        "labels[0] (Y)", "(3, 4)", "(4, 3)"),
                new BadInput("labels other than 0/1",
                        new Sample(List.of(y.withData(new double[] {0, 1, 0, 0.5, 1, 0, 0, 0, 1, 1, 0, 0})),
                                List.of(x, e)),
                        "labels[0] (Y)", "0 and 1"),
                new BadInput("embeddings of another batch", new Sample(List.of(y), List.of(x, e.firstRows(3))),
                        "predictions[1] (embeddings)", "(3, 2)"),
                new BadInput("rank-3 embeddings", new Sample(List.of(y), List.of(x, e.reshape(4, 2, 1))),
                        "predictions[1] (embeddings)", "(N, E)"),
                new BadInput("missing labels", new Sample(List.of(), List.of(x, e)), "labels"));
    }

    @Override
    protected TrainingTask trainingTask() {
        return ClassificationTasks.blobs(4, 3, 16, 3 + 2,
                out -> new NDList(out.singletonOrThrow().get(":, 0:3"), out.singletonOrThrow().get(":, 3:5")),
                (m, y, rng) -> {
                    float[] labels = new float[y.length * 3];
                    for (int i = 0; i < y.length; i++) {
                        labels[i * 3 + (int) y[i]] = 1;
                        labels[i * 3 + rng.nextInt(3)] = 1;
                    }
                    return new NDList(m.create(labels, new Shape(y.length, 3)));
                });
    }

    private static double value(HybridMultiLabelLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64).scalar();
    }

    @Test
    void statisticsFromTrainingLabelsAreNegativeOverPositiveCountsAndPearsonCorrelation() {
        double[][] labels = {{1, 0, 1}, {1, 1, 0}, {0, 0, 1}, {1, 0, 1}};
        HybridMultiLabelLoss.LabelStatistics stats = HybridMultiLabelLoss.statisticsOf(labels);
        Close.assertClose("class weights", stats.classWeights(), new double[] {1.0 / 3, 3, 1.0 / 3}, 1e-12);
        // columns 0 and 2: [1,1,0,1] and [1,0,1,1], cov −0.25/4, var 0.75/4 each → −1/3
        assertThat(stats.correlation()[0][2]).isCloseTo(-1.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(stats.correlation()[2][0]).isEqualTo(stats.correlation()[0][2]);
        assertThat(stats.correlation()[1][1]).isEqualTo(1.0);
        double[][] constant = {{1, 0}, {1, 1}, {1, 0}};
        HybridMultiLabelLoss.LabelStatistics withConstant = HybridMultiLabelLoss.statisticsOf(constant);
        assertThat(withConstant.correlation()[0][1]).as("a constant column correlates 0").isEqualTo(0.0);
        assertThat(withConstant.classWeights()[0]).as("never negative: weight 0").isEqualTo(0.0);
        assertThat(HybridMultiLabelLoss.statisticsOf(new double[][] {{0}, {0}}).classWeights()[0])
                .as("a class without positives keeps weight 1").isEqualTo(1.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            HybridMultiLabelLoss.LabelStatistics fromArray = HybridMultiLabelLoss.statisticsOf(
                    manager.create(new long[] {1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1}, new Shape(4, 3)));
            assertThat(fromArray.classWeights()).containsExactly(stats.classWeights());
            assertThat(fromArray.correlation()).isDeepEqualTo(stats.correlation());
        }
    }

    @Test
    void withoutEmbeddingsOrCorrelationItIsTheWeightedBceOfPyTorch() {
        Sample s = sample(1, new Random(1));
        Sample noEmbeddings = new Sample(s.labels(), List.of(s.prediction(0)));
        double[] w = {0.5, 2.0, 1.0, 3.0};
        double got = value(HybridMultiLabelLoss.builder().optClassWeights(w).build(), noEmbeddings);
        HostTensor x = s.prediction(0);
        double expected = 0;
        for (int i = 0; i < x.size(); i++) {
            double logSig = -Math.log1p(Math.exp(-x.at(i)));
            double logOneMinus = -x.at(i) - Math.log1p(Math.exp(-x.at(i)));
            expected -= (w[i % 4] * s.label(0).at(i) * logSig + (1 - s.label(0).at(i)) * logOneMinus) / x.size();
        }
        Close.assertClose("pos_weight BCE", new double[] {got}, new double[] {expected}, 1e-12);
    }

    @Test
    void identicalEmbeddingsStayFiniteAndPushDissimilarPairsApart() {
        HostTensor x = HostTensor.floats(new double[] {1, -1, 0.5, -0.5}, 2, 2);
        HostTensor same = HostTensor.floats(new double[] {0.3, 0.7, 0.3, 0.7}, 2, 2);
        Sample dissimilar = new Sample(List.of(HostTensor.floats(new double[] {1, 0, 0, 1}, 2, 2)), List.of(x, same));
        Evaluation e = Evaluation.of(HybridMultiLabelLoss.builder().optLambdaContrastive(1).build(), dissimilar,
                DataType.FLOAT64);
        Close.assertFinite("gradient of identical embeddings", e.gradient(1));
        double bce = value(HybridMultiLabelLoss.builder().optLambdaContrastive(0).build(), dissimilar);
        Close.assertClose("dissimilar pair at distance 0 costs m²", e.value(), new double[] {bce + 1.0}, 1e-12);
    }

    @Test
    void correlationTermVanishesWhenCorrelatedLabelsHaveEqualProbabilities() {
        HostTensor x = HostTensor.floats(new double[] {0.4, 0.4, -2, 1.5, 1.5, 3}, 2, 3);
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1, 1, 0, 0, 1, 1}, 2, 3)), List.of(x));
        double[][] onlyFirstTwo = {{1, 0.8, -0.2}, {0.8, 1, 0}, {-0.2, 0, 1}};
        double with = value(HybridMultiLabelLoss.builder().optCorrelation(onlyFirstTwo).optLambdaCorrelation(5).build(), s);
        double without = value(HybridMultiLabelLoss.builder().build(), s);
        assertThat(with).isCloseTo(without, org.assertj.core.data.Offset.offset(1e-14));
    }

    @Test
    void rejectsStatisticsThatDoNotMatchTheClasses() {
        Sample s = sample(1, new Random(2));
        HybridMultiLabelLoss threeClasses = HybridMultiLabelLoss.builder().optClassWeights(new double[] {1, 1, 1}).build();
        assertThatThrownBy(() -> value(threeClasses, s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hybrid-multilabel").hasMessageContaining("3 class weights");
        assertThatThrownBy(() -> HybridMultiLabelLoss.builder().optCorrelation(new double[][] {{1, 0}, {0}}).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("square");
        assertThatThrownBy(() -> HybridMultiLabelLoss.statisticsOf(new double[][] {{1, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 or 1");
        assertThatThrownBy(() -> HybridMultiLabelLoss.builder().optMargin(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("margin");
    }
}
