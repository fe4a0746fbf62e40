package io.github.lossforge.contrastive.retrieval;

import static io.github.lossforge.contrastive.PairReferences.logSumExp;
import static io.github.lossforge.contrastive.PairReferences.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import io.github.lossforge.contrastive.EmbeddingTasks;
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

class DecoupledSoftmaxLossTest extends LossContract {

    /** B, L, the row without positives (−1: none). */
    private static final int[][] SHAPES = {{1, 4, -1}, {5, 6, 2}, {7, 9, -1}};

    /** Per row: mean over positives j of −log(e^{x_j} / (e^{x_j} + Σ_{negatives} e^{x_k})); mean over rows with positives. */
    static Reference reference(double tau) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                HostTensor scores = s.prediction(0);
                double[] out = new double[scores.dim(0)];
                for (int i = 0; i < out.length; i++) {
                    double[] x = row(scores, i);
                    boolean[] positive = RetrievalSamples.positives(s.label(0), i);
                    int count = 0;
                    double total = 0;
                    for (int j = 0; j < x.length; j++) {
                        if (!positive[j]) {
                            continue;
                        }
                        boolean[] use = new boolean[x.length];
                        double[] logits = new double[x.length];
                        for (int k = 0; k < x.length; k++) {
                            use[k] = k == j || !positive[k];
                            logits[k] = x[k] / tau;
                        }
                        total += logSumExp(logits, use) - logits[j];
                        count++;
                    }
                    out[i] = count == 0 ? 0 : total / count;
                }
                return out;
            }

            @Override
            public double mean(Sample s) {
                return RetrievalSamples.meanOverRowsWithPositives(s, perSample(s), 0);
            }
        };
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                new Variant("logits (tau 1)", r -> DecoupledSoftmaxLoss.builder().optReduction(r).build(), reference(1)),
                new Variant("cosines at tau 0.05", r -> DecoupledSoftmaxLoss.builder().optTemperature(0.05)
                        .optReduction(r).build(), reference(0.05)));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int b = SHAPES[shape][0];
        int l = SHAPES[shape][1];
        return new Sample(List.of(RetrievalSamples.mask(rng, b, l, 0.35, SHAPES[shape][2])),
                List.of(Generators.uniform(rng, -1, 1, b, l)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.scoresWithPositiveMask(4, 5, 12);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> DecoupledSoftmaxLoss.builder().build()),
                new RegistryCase(Map.of("temperature", 0.05, "reduction", "sum"),
                        () -> DecoupledSoftmaxLoss.builder().optTemperature(0.05).optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return RetrievalSamples.badInputs(rng, "similarities", "positive mask");
    }

    @Test
    void withOnePositivePerRowItIsSoftmaxCrossEntropy() {
        Random rng = new Random(1);
        long[] target = {2, 0, 4, 1};
        double[] mask = new double[20];
        for (int i = 0; i < 4; i++) {
            mask[i * 5 + (int) target[i]] = 1;
        }
        HostTensor scores = Generators.normal(rng, 2, 4, 5);
        double ours = Evaluation.of(DecoupledSoftmaxLoss.builder().build(),
                new Sample(List.of(HostTensor.floats(mask, 4, 5)), List.of(scores)), DataType.FLOAT64).scalar();
        double ce = Evaluation.valueOf(Loss.softmaxCrossEntropyLoss(),
                new Sample(List.of(HostTensor.longs(target, 4)), List.of(scores)), DataType.FLOAT64)[0];
        Close.assertClose("one positive per row vs DJL softmax cross-entropy", new double[] {ours}, new double[] {ce},
                1e-12);
    }

    @Test
    void otherPositivesDoNotCompeteWithEachOther() {
        // Two equal positives and one negative: each positive sees only the negative, ℓ = log(1 + e^{x_n − x_p}).
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {1, 1, 0}, 1, 3)),
                List.of(HostTensor.floats(new double[] {0.5, 0.5, 0.2}, 1, 3)));
        double got = Evaluation.of(DecoupledSoftmaxLoss.builder().build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("ℓ", new double[] {got}, new double[] {Math.log(1 + Math.exp(0.2 - 0.5))}, 1e-12);
    }

    @Test
    void rowsWithoutPositivesAreDroppedAndRowsWithoutNegativesGiveZero() {
        Sample s = new Sample(List.of(HostTensor.floats(new double[] {0, 0, 0, 1, 1, 1, 1, 0, 0}, 3, 3)),
                List.of(Generators.normal(new Random(2), 1, 3, 3)));
        Evaluation none = Evaluation.of(DecoupledSoftmaxLoss.builder().optReduction(Reduction.NONE).build(), s,
                DataType.FLOAT64);
        assertThat(none.value()[0]).isZero();
        assertThat(none.value()[1]).isZero();
        double mean = Evaluation.of(DecoupledSoftmaxLoss.builder().build(), s, DataType.FLOAT64).scalar();
        Close.assertClose("mean over the two rows with positives", new double[] {mean},
                new double[] {none.value()[2] / 2}, 1e-12);
        Close.assertFinite("gradient", none.gradient(0));
    }

    @Test
    void booleanMasksAreAccepted() {
        Sample s = sample(1, new Random(3));
        double[] expected = Evaluation.valueOf(DecoupledSoftmaxLoss.builder().build(), s, DataType.FLOAT64);
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            var labels = new ai.djl.ndarray.NDList(s.label(0).toNDArray(manager, DataType.FLOAT64).eq(1));
            var predictions = s.predictionList(manager, DataType.FLOAT64);
            double got = DecoupledSoftmaxLoss.builder().build().evaluate(labels, predictions).getDouble();
            assertThat(got).isEqualTo(expected[0]);
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> DecoupledSoftmaxLoss.builder().optTemperature(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decoupled-softmax")
                .hasMessageContaining("temperature");
    }
}
