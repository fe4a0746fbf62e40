package io.github.lossforge.core.classification;

import static io.github.lossforge.core.classification.ClassificationReferences.logSoftmaxAt;
import static io.github.lossforge.core.classification.ClassificationReferences.row;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
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

class MultiAspectDistillationLossTest extends LossContract {

    /** (B, C, A). */
    private static final int[][] SHAPES = {{1, 3, 2}, {5, 4, 6}, {8, 10, 3}};

    /** ℓ_i = w·(−log softmax(z_{:C})_y) + α·(1/A) Σ_a −[p log σ(z_{C+a}) + (1 − p) log(1 − σ(z_{C+a}))]. */
    static Reference reference(double alpha, double ceWeight) {
        return s -> {
            HostTensor logits = s.prediction(0);
            HostTensor p = s.label(1);
            int a = p.dim(1);
            int c = logits.dim(1) - a;
            double[] out = new double[logits.dim(0)];
            for (int i = 0; i < out.length; i++) {
                double[] z = row(logits, i);
                double[] classes = java.util.Arrays.copyOf(z, c);
                double ce = -logSoftmaxAt(classes, s.label(0).index(i));
                double bce = 0;
                for (int k = 0; k < a; k++) {
                    double x = z[c + k];
                    double t = p.at(i * a + k);
                    double logSig = -Math.log1p(Math.exp(-x));
                    double logOneMinusSig = -x - Math.log1p(Math.exp(-x));
                    bce += -(t * logSig + (1 - t) * logOneMinusSig) / a;
                }
                out[i] = ceWeight * ce + alpha * bce;
            }
            return out;
        };
    }

    private static Variant variant(double alpha, double ceWeight) {
        return new Variant("alpha=" + alpha + ", ceWeight=" + ceWeight,
                r -> MultiAspectDistillationLoss.builder().optAlpha(alpha).optCeWeight(ceWeight)
                        .optReduction(r).build(),
                reference(alpha, ceWeight));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(4.0, 1.0), variant(0.5, 2.0), variant(0.0, 1.0), variant(1.0, 0.0));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int b = SHAPES[shape][0];
        int c = SHAPES[shape][1];
        int a = SHAPES[shape][2];
        return new Sample(
                List.of(Generators.classes(rng, c, b), Generators.uniform(rng, 0, 1, b, a)),
                List.of(Generators.normal(rng, 2.0, b, c + a)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> MultiAspectDistillationLoss.builder().build()),
                new RegistryCase(Map.of("alpha", 1, "ceWeight", 0.5f, "reduction", "sum"),
                        () -> MultiAspectDistillationLoss.builder().optAlpha(1).optCeWeight(0.5)
                                .optReduction(Reduction.SUM).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor logits = Generators.normal(rng, 1, 4, 5);
        HostTensor target = Generators.classes(rng, 3, 4);
        HostTensor aspects = Generators.uniform(rng, 0, 1, 4, 2);
        return List.of(
                new BadInput("rank-3 logits", new Sample(List.of(target, aspects), List.of(logits.reshape(4, 5, 1))),
                        "predictions[0] (logits)", "(B, C + A)"),
                new BadInput("batch mismatch of the aspects",
                        new Sample(List.of(target, aspects.firstRows(3)), List.of(logits)),
                        "labels[1] (aspect probabilities)", "(3, 2)", "4"),
                new BadInput("batch mismatch of the target",
                        new Sample(List.of(target.firstRows(2), aspects), List.of(logits)), "labels[0] (target)"),
                new BadInput("no class logits left",
                        new Sample(List.of(target, Generators.uniform(rng, 0, 1, 4, 5)), List.of(logits)),
                        "labels[1] (aspect probabilities)", "C ≥ 1"),
                new BadInput("class index among the aspect columns",
                        new Sample(List.of(HostTensor.longs(new long[] {0, 1, 3, 2}, 4), aspects), List.of(logits)),
                        "labels[0] (target)", "[0, 3)"),
                new BadInput("aspect targets given as logits",
                        new Sample(List.of(target, aspects.withData(new double[] {0.2, 1.5, 0, 0, 0, 0, 0, 0})),
                                List.of(logits)),
                        "labels[1] (aspect probabilities)", "[0, 1]"),
                new BadInput("missing aspect slot", new Sample(List.of(target), List.of(logits)), "labels"));
    }

    @Override
    protected TrainingTask trainingTask() {
        return ClassificationTasks.blobs(4, 3, 16, 3 + 2, out -> out, (m, y, rng) -> {
            float[] p = new float[y.length * 2];
            for (int i = 0; i < y.length; i++) {
                p[2 * i] = y[i] == 0 ? 0.9f : 0.1f;
                p[2 * i + 1] = (float) rng.nextDouble();
            }
            return new NDList(m.create(y), m.create(p, new Shape(y.length, 2)));
        });
    }

    @Test
    void zeroAlphaIsCrossEntropyOnTheClassLogitsOnly() {
        Sample s = sample(2, new Random(1));
        int a = s.label(1).dim(1);
        int c = s.prediction(0).dim(1) - a;
        double[] classOnly = new double[s.prediction(0).dim(0) * c];
        for (int i = 0; i < s.prediction(0).dim(0); i++) {
            System.arraycopy(row(s.prediction(0), i), 0, classOnly, i * c, c);
        }
        Sample ce = new Sample(List.of(s.label(0)),
                List.of(HostTensor.floats(classOnly, s.prediction(0).dim(0), c)));
        double got = Evaluation.of(MultiAspectDistillationLoss.builder().optAlpha(0).build(), s, DataType.FLOAT64)
                .scalar();
        double expected = Evaluation.of(CompSumLoss.builder().build(), ce, DataType.FLOAT64).scalar();
        Close.assertClose("makd(alpha=0) vs cross-entropy on the first C logits",
                new double[] {got}, new double[] {expected}, 1e-12);
    }

    @Test
    void aspectGradientIsAlphaOverATimesSigmoidMinusTarget() {
        Sample s = sample(1, new Random(2));
        Evaluation e = Evaluation.of(MultiAspectDistillationLoss.builder().optReduction(Reduction.SUM).build(),
                s, DataType.FLOAT64);
        double[] grad = e.gradient(0);
        HostTensor logits = s.prediction(0);
        int a = s.label(1).dim(1);
        int width = logits.dim(1);
        for (int i = 0; i < logits.dim(0); i++) {
            for (int k = 0; k < a; k++) {
                double x = logits.at(i * width + width - a + k);
                double expected = 4.0 / a * (1 / (1 + Math.exp(-x)) - s.label(1).at(i * a + k));
                Close.assertClose("d makd / d aspect logit", new double[] {grad[i * width + width - a + k]},
                        new double[] {expected}, 1e-10);
            }
        }
    }

    @Test
    void rejectsNegativeWeights() {
        assertThatThrownBy(() -> MultiAspectDistillationLoss.builder().optAlpha(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("makd").hasMessageContaining("alpha");
        assertThatThrownBy(() -> MultiAspectDistillationLoss.builder().optCeWeight(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ceWeight");
    }
}
