package io.github.lossforge.core.classification;

import static io.github.lossforge.core.classification.ClassificationReferences.logSumExp;
import static io.github.lossforge.core.classification.ClassificationReferences.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
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

class CorrectnessAwareLossTest extends LossContract {

    private static final long[][] SHAPES = {{1, 3}, {8, 4}, {12, 4}};

    /** Σ w (s − c)² / Σ w, or the plain mean when Σ w = 0 or unbalanced. */
    static Reference reference(boolean balanced) {
        return s -> {
            HostTensor cal = s.prediction(0);
            HostTensor orig = s.prediction(1);
            int n = cal.dim(0);
            double[] sq = new double[n];
            double[] correct = new double[n];
            double accuracy = 0;
            for (int i = 0; i < n; i++) {
                double[] z = row(cal, i);
                double lse = logSumExp(z);
                double confidence = 0;
                for (double v : z) {
                    confidence = Math.max(confidence, Math.exp(v - lse));
                }
                double[] o = row(orig, i);
                int argmax = 0;
                for (int k = 1; k < o.length; k++) {
                    if (o[k] > o[argmax]) {
                        argmax = k;
                    }
                }
                correct[i] = argmax == s.label(0).index(i) ? 1 : 0;
                accuracy += correct[i] / n;
                sq[i] = (confidence - correct[i]) * (confidence - correct[i]);
            }
            double weighted = 0;
            double total = 0;
            double plain = 0;
            for (int i = 0; i < n; i++) {
                double w = correct[i] == 1 ? 1 - accuracy : accuracy;
                weighted += w * sq[i];
                total += w;
                plain += sq[i] / n;
            }
            return new double[] {balanced && total > 1e-8 ? weighted / total : plain};
        };
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    /** The original logits only decide correctness (an argmax): see {@link #originalLogitsReceiveNoGradient}. */
    @Override
    protected boolean differentiable(int slot) {
        return slot == 0;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(
                new Variant("balanced", r -> CorrectnessAwareLoss.builder().optReduction(r).build(), reference(true)),
                new Variant("unbalanced", r -> CorrectnessAwareLoss.builder().optBalanced(false).optReduction(r).build(),
                        reference(false)));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = (int) SHAPES[shape][0];
        int c = (int) SHAPES[shape][1];
        HostTensor target = Generators.classes(rng, c, n);
        double[] orig = Generators.normal(rng, 1.0, n, c).data();
        for (int i = 0; i < n; i++) {
            orig[i * c + target.index(i)] += 1.0;
        }
        return new Sample(List.of(target),
                List.of(Generators.normal(rng, 1.5, n, c), HostTensor.floats(orig, n, c)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> CorrectnessAwareLoss.builder().build()),
                new RegistryCase(Map.of("balanced", false, "eps", 0),
                        () -> CorrectnessAwareLoss.builder().optBalanced(false).optEps(0)
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        return ClassificationBadInputs.forTwoScoreSlotsAndTargets(rng, "calibrated logits", "original logits");
    }

    @Override
    protected TrainingTask trainingTask() {
        return ClassificationTasks.blobs(4, 3, 16, 6,
                out -> new NDList(out.singletonOrThrow().get(":, 0:3"), out.singletonOrThrow().get(":, 3:6")),
                (m, y, rng) -> new NDList(m.create(y)));
    }

    private static double value(CorrectnessAwareLoss loss, Sample s) {
        return Evaluation.of(loss, s, DataType.FLOAT64).scalar();
    }

    @Test
    void allCorrectAndAllWrongBatchesFallBackToTheUnweightedMean() {
        HostTensor cal = HostTensor.floats(new double[] {2, 0, 0, 0, 1, 0, 0.5, 0, 3}, 3, 3);
        HostTensor orig = HostTensor.floats(new double[] {5, 0, 0, 0, 5, 0, 0, 0, 5}, 3, 3);
        Sample allCorrect = new Sample(List.of(HostTensor.longs(new long[] {0, 1, 2}, 3)), List.of(cal, orig));
        Sample allWrong = new Sample(List.of(HostTensor.longs(new long[] {1, 2, 0}, 3)), List.of(cal, orig));
        for (Sample s : List.of(allCorrect, allWrong)) {
            Evaluation e = Evaluation.of(CorrectnessAwareLoss.builder().build(), s, DataType.FLOAT64);
            Close.assertFinite("value", e.value());
            Close.assertFinite("gradient", e.gradient(0));
            Close.assertClose("fallback", e.value(),
                    new double[] {value(CorrectnessAwareLoss.builder().optBalanced(false).build(), s)}, 1e-12);
            assertThat(e.gradient(0)).as("an all-correct or all-wrong batch still trains").isNotEqualTo(new double[9]);
        }
    }

    @Test
    void balancedWeightsAverageTheCorrectAndTheWrongGroupEqually() {
        Sample s = sample(2, new Random(5));
        int n = s.prediction(0).dim(0);
        double sumCorrect = 0;
        double sumWrong = 0;
        int nCorrect = 0;
        for (int i = 0; i < n; i++) {
            // the unbalanced loss of the one-sample batch i is that sample's (s − c)²
            Sample one = new Sample(List.of(HostTensor.longs(new long[] {s.label(0).index(i)}, 1)),
                    List.of(HostTensor.floats(row(s.prediction(0), i), 1, 4),
                            HostTensor.floats(row(s.prediction(1), i), 1, 4)));
            double squaredError = value(CorrectnessAwareLoss.builder().optBalanced(false).build(), one);
            double[] o = row(s.prediction(1), i);
            int argmax = 0;
            for (int k = 1; k < o.length; k++) {
                argmax = o[k] > o[argmax] ? k : argmax;
            }
            if (argmax == s.label(0).index(i)) {
                sumCorrect += squaredError;
                nCorrect++;
            } else {
                sumWrong += squaredError;
            }
        }
        assertThat(nCorrect).isBetween(1, n - 1);
        double expected = 0.5 * sumCorrect / nCorrect + 0.5 * sumWrong / (n - nCorrect);
        Close.assertClose("balanced CA vs ½ mean over correct + ½ mean over wrong",
                new double[] {value(CorrectnessAwareLoss.builder().build(), s)}, new double[] {expected}, 1e-10);
    }

    @Test
    void usesTheMaxSoftmaxConfidenceNotTheTargetProbability() {
        // the original prediction is class 0 but the target is 1: wrong, so the loss is s² with s the
        // largest calibrated probability (class 2 here), whatever p_y is
        HostTensor cal = HostTensor.floats(new double[] {0, 1, 3}, 1, 3);
        HostTensor orig = HostTensor.floats(new double[] {2, 1, 0}, 1, 3);
        Sample s = new Sample(List.of(HostTensor.longs(new long[] {1}, 1)), List.of(cal, orig));
        double top = Math.exp(3) / (1 + Math.exp(1) + Math.exp(3));
        Close.assertClose("CA on one wrong sample", new double[] {value(CorrectnessAwareLoss.builder().build(), s)},
                new double[] {top * top}, 1e-12);
    }

    @Test
    void originalLogitsReceiveNoGradient() {
        Evaluation e = Evaluation.of(CorrectnessAwareLoss.builder().build(), sample(1, new Random(6)), DataType.FLOAT64);
        assertThat(e.gradient(1)).containsOnly(0.0);
    }

    @Test
    void rejectsNegativeEps() {
        assertThatThrownBy(() -> CorrectnessAwareLoss.builder().optEps(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("correctness-aware")
                .hasMessageContaining("eps");
    }
}
