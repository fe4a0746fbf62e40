package io.github.lossforge.core.classification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import io.github.lossforge.core.Reduction;
import io.github.lossforge.core.Scalar;
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

class AnyLossTest extends LossContract {

    /** Batch 2 (one positive, one negative) first: a batch of 1 is degenerate for G-mean and balanced accuracy. */
    private static final long[][] SHAPES = {{2}, {8, 1}, {20}};
    private static final double EPS = 1e-5;

    /** 1 − metric of the soft confusion matrix, written from the paper's definitions. */
    static Reference reference(String metric, double amplifier, double beta, boolean fromLogits) {
        return s -> {
            HostTensor pred = s.prediction(0);
            HostTensor y = s.label(0);
            int n = pred.size();
            double tp = 0;
            double fn = 0;
            double fp = 0;
            double tn = 0;
            for (int i = 0; i < n; i++) {
                double p = fromLogits ? 1 / (1 + Math.exp(-pred.at(i))) : pred.at(i);
                double yHat = 1 / (1 + Math.exp(-amplifier * (p - 0.5)));
                tp += y.at(i) * yHat;
                fn += y.at(i) * (1 - yHat);
                fp += (1 - y.at(i)) * yHat;
                tn += (1 - y.at(i)) * (1 - yHat);
            }
            double value;
            switch (metric) {
                case "accuracy":
                    value = (tp + tn) / (tp + tn + fp + fn + EPS);
                    break;
                case "gmean":
                    value = Math.sqrt(Math.max(tp / (tp + fn + EPS) * (tn / (tn + fp + EPS)), 1e-12));
                    break;
                case "balanced-accuracy":
                    value = (tp / (tp + fn + EPS) + tn / (tn + fp + EPS)) / 2;
                    break;
                default:
                    double b2 = beta * beta;
                    value = (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp + EPS);
                    break;
            }
            return new double[] {1 - value};
        };
    }

    private static Variant variant(String metric, double amplifier, double beta, boolean fromLogits) {
        return new Variant(metric + ", L=" + amplifier + ", beta=" + beta + ", fromLogits=" + fromLogits,
                r -> AnyLoss.builder().optMetric(metric).optAmplifier(amplifier).optBeta(beta)
                        .optFromLogits(fromLogits).optReduction(r).build(),
                reference(metric, amplifier, "f1".equals(metric) ? 1 : beta, fromLogits));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                variant("f1", 73, 1, false),
                variant("f1", 5, 3, false),
                variant("fbeta", 5, 2, false),
                variant("accuracy", 5, 1, false),
                variant("gmean", 5, 1, false),
                variant("balanced-accuracy", 5, 1, false),
                variant("gmean", 8, 1, true),
                variant("accuracy", 73, 1, false));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        long[] sh = SHAPES[shape];
        HostTensor y = shape == 0 ? HostTensor.floats(new double[] {1, 0}, 2) : Generators.bernoulli(rng, 0.4, sh);
        double[] p = new double[y.size()];
        for (int i = 0; i < p.length; i++) {
            // informative but noisy probabilities within ±0.1 of 0.5, where L = 73 still has a gradient
            // (finite differences of 1 − metric lose the digits of a gradient below 1e-8)
            p[i] = Math.min(0.6, Math.max(0.4, 0.5 + (y.at(i) - 0.5) * 0.04 + 0.03 * rng.nextGaussian()));
        }
        return new Sample(List.of(y), List.of(HostTensor.floats(p, sh)));
    }

    /** The extremes of a probability input are exactly 0 and 1 (for logits, ±1e4). */
    @Override
    protected Sample extremeSample(Random rng) {
        Sample s = sample(2, rng);
        double[] p = new double[s.prediction(0).size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = rng.nextBoolean() ? 1 : 0;
        }
        return s.withPrediction(0, s.prediction(0).withData(p));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> AnyLoss.builder().build()),
                new RegistryCase(Map.of("metric", "fbeta", "beta", 2, "amplifier", 10L),
                        () -> AnyLoss.builder().optMetric("fbeta").optBeta(2).optAmplifier(10).build()),
                new RegistryCase(Map.of("metric", "gmean", "fromLogits", true),
                        () -> AnyLoss.builder().optMetric("gmean").optFromLogits(true)
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor p = HostTensor.floats(new double[] {0.1, 0.7, 0.4, 0.9}, 4);
        HostTensor y = HostTensor.floats(new double[] {0, 1, 0, 1}, 4);
        return List.of(
                new BadInput("two columns", new Sample(List.of(y.reshape(2, 2)), List.of(p.reshape(2, 2))),
                        "predictions[0] (probabilities)", "(2, 2)", "(N) or (N, 1)"),
                new BadInput("logits passed as probabilities",
                        new Sample(List.of(y), List.of(p.withData(new double[] {-2, 0.5, 3, 0.1}))),
                        "predictions[0] (probabilities)", "[0, 1]", "fromLogits"),
                new BadInput("labels other than 0/1", new Sample(List.of(y.withData(new double[] {0, 2, 0, 1})), List.of(p)),
                        "labels[0] (y)", "0 and 1"),
                new BadInput("batch mismatch", new Sample(List.of(y.firstRows(3)), List.of(p)), "labels[0] (y)", "(3)"),
                new BadInput("missing labels", new Sample(List.of(), List.of(p)), "labels"));
    }

    /**
     * The model's probabilities start near 0.5 (logits scaled by 1/20): with L = 73, probabilities
     * saturated by a random initialisation have a zero float32 gradient, which DJL's first step rejects.
     */
    @Override
    protected TrainingTask trainingTask() {
        return ClassificationTasks.blobs(4, 2, 16, 1,
                out -> new NDList(Activation.sigmoid(Scalar.div(out.singletonOrThrow(), 20))),
                (m, y, rng) -> new NDList(m.create(y)));
    }

    private static double value(AnyLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64).scalar();
    }

    @Test
    void hardZeroOneProbabilitiesGiveTheExactMetricsUpToTheAmplifierAndEps() {
        // p ∈ {0, 1} with L = 73: ŷ = σ(±36.5) ≈ 0/1 up to 1.4e-16. Confusion: TP 2, FN 1, FP 1, TN 4.
        HostTensor y = HostTensor.floats(new double[] {1, 1, 1, 0, 0, 0, 0, 0}, 8);
        HostTensor p = HostTensor.floats(new double[] {1, 1, 0, 1, 0, 0, 0, 0}, 8);
        Sample s = new Sample(List.of(y), List.of(p));
        Map<String, Double> expected = Map.of(
                "accuracy", 6.0 / 8, "f1", 4.0 / (4 + 1 + 1), "gmean", Math.sqrt(2.0 / 3 * 4.0 / 5),
                "balanced-accuracy", (2.0 / 3 + 4.0 / 5) / 2);
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            double got = 1 - value(AnyLoss.builder().optMetric(e.getKey()).build(), s);
            assertThat(got).as(e.getKey()).isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void batchWithoutPositivesOrNegativesStaysFinite() {
        HostTensor p = HostTensor.floats(new double[] {0.2, 0.6, 0.45, 0.9}, 4);
        for (double label : new double[] {0, 1}) {
            Sample s = new Sample(List.of(HostTensor.floats(new double[] {label, label, label, label}, 4)), List.of(p));
            for (String metric : List.of("f1", "fbeta", "accuracy", "gmean", "balanced-accuracy")) {
                Evaluation e = Evaluation.of(AnyLoss.builder().optMetric(metric).optAmplifier(5).build(), s,
                        DataType.FLOAT32);
                Close.assertFinite(metric + " value, all labels " + label, e.value());
                Close.assertFinite(metric + " gradient, all labels " + label, e.gradient(0));
                assertThat(e.value()[0]).as(metric).isBetween(-1e-6, 1.0);
            }
        }
    }

    @Test
    void usesTheBatchSizeNotADatasetSize() {
        // accuracy over a batch of 4 with hard predictions: 3 right → loss 1/4 (the official code divides by
        // the training-set size instead, which only holds for full-batch training)
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1, 0, 1, 0}, 4)),
                List.of(HostTensor.floats(new double[] {1, 0, 0, 0}, 4)));
        assertThat(value(AnyLoss.builder().optMetric("accuracy").build(), s))
                .isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void f1IgnoresBetaAndFbetaWithBetaOneIsF1() {
        Sample s = sample(2, new Random(3));
        double f1 = value(AnyLoss.builder().build(), s);
        assertThat(value(AnyLoss.builder().optBeta(4).build(), s)).isEqualTo(f1);
        assertThat(value(AnyLoss.builder().optMetric("fbeta").optBeta(1).build(), s)).isEqualTo(f1);
    }

    @Test
    void rejectsUnknownMetricAndNonPositiveAmplifier() {
        assertThatThrownBy(() -> AnyLoss.builder().optMetric("auc").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anyloss")
                .hasMessageContaining("balanced-accuracy");
        assertThatThrownBy(() -> AnyLoss.builder().optAmplifier(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amplifier");
    }
}
