package io.github.lossforge.segmentation.semisupervised;

import static org.assertj.core.api.Assertions.assertThat;
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
import io.github.lossforge.segmentation.DenseTask;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

class ConfidentBinaryCrossEntropyLossTest extends LossContract {

    /** The two gated means over voxels, from the teacher's and student's softmax written out per voxel. */
    static Reference reference(double tauPositive, double tauNegative) {
        return s -> {
            HostTensor student = s.prediction(0);
            HostTensor teacher = s.label(0);
            int n = student.dim(0);
            int k = student.dim(1);
            int spatial = student.size() / (n * k);
            double positiveSum = 0;
            int positiveCount = 0;
            double negativeSum = 0;
            int negativeCount = 0;
            for (int i = 0; i < n; i++) {
                for (int v = 0; v < spatial; v++) {
                    double[] q = softmax(column(teacher, i, v, k, spatial));
                    double[] p = softmax(column(student, i, v, k, spatial));
                    int pseudo = 0;
                    double lo = q[0];
                    for (int c = 1; c < k; c++) {
                        if (q[c] > q[pseudo]) {
                            pseudo = c;
                        }
                        lo = Math.min(lo, q[c]);
                    }
                    double hi = q[pseudo];
                    if (hi >= tauPositive) {
                        positiveSum += -hi * Math.log(p[pseudo]);
                        positiveCount++;
                    }
                    if (lo < tauNegative) {
                        double logs = 0;
                        for (int c = 0; c < k; c++) {
                            if (c != pseudo) {
                                logs += Math.log(Math.min(1, Math.max(1e-6, 1 - p[c])));
                            }
                        }
                        negativeSum += -lo * logs / (k - 1);
                        negativeCount++;
                    }
                }
            }
            double value = (positiveCount == 0 ? 0 : positiveSum / positiveCount)
                    + (negativeCount == 0 ? 0 : negativeSum / negativeCount);
            return new double[] {value};
        };
    }

    private static double[] column(HostTensor t, int i, int v, int k, int spatial) {
        double[] out = new double[k];
        for (int c = 0; c < k; c++) {
            out[c] = t.at((i * k + c) * spatial + v);
        }
        return out;
    }

    private static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double z = 0;
        double[] e = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            e[i] = Math.exp(x[i] - max);
            z += e[i];
        }
        for (int i = 0; i < x.length; i++) {
            e[i] /= z;
        }
        return e;
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.65, 0.1), variant(0.8, 0.05), variant(0.5, 0.3));
    }

    private static Variant variant(double tauPositive, double tauNegative) {
        return new Variant("tau+=" + tauPositive + " tau-=" + tauNegative,
                r -> ConfidentBinaryCrossEntropyLoss.builder().optTauPositive(tauPositive).optTauNegative(tauNegative)
                        .optReduction(r).build(),
                reference(tauPositive, tauNegative));
    }

    @Override
    protected boolean perSample() {
        return false;
    }

    /** K = 2 on a 2-D batch of 1, K = 2 on 3-D volumes, K = 4 on 2-D maps; confident teachers (scale 3). */
    @Override
    protected Sample sample(int shape, Random rng) {
        long[][] shapes = {{1, 2, 4, 5}, {2, 2, 3, 4, 3}, {3, 4, 5, 5}};
        long[] sh = shapes[shape];
        return new Sample(List.of(Generators.normal(rng, 3.0, sh)), List.of(Generators.normal(rng, 2.0, sh)));
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> ConfidentBinaryCrossEntropyLoss.builder().build()),
                new RegistryCase(Map.of("tauPositive", 0.9, "tauNegative", 0.02f),
                        () -> ConfidentBinaryCrossEntropyLoss.builder().optTauPositive(0.9).optTauNegative(0.02f)
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor student = Generators.normal(rng, 1, 2, 2, 3, 3);
        HostTensor teacher = Generators.normal(rng, 1, 2, 2, 3, 3);
        double[] nan = teacher.data();
        nan[5] = Double.NaN;
        return List.of(
                new BadInput("rank-1 student", new Sample(List.of(teacher.reshape(36)), List.of(student.reshape(36))),
                        "predictions[0] (student logits)", "(N, K, ...)"),
                new BadInput("one class",
                        new Sample(List.of(teacher.reshape(4, 1, 3, 3)), List.of(student.reshape(4, 1, 3, 3))),
                        "predictions[0] (student logits)", "(4, 1, 3, 3)", "at least 2 classes"),
                new BadInput("teacher of another shape",
                        new Sample(List.of(teacher.reshape(2, 2, 9)), List.of(student)),
                        "labels[0] (teacher logits)", "(2, 2, 9)", "(2, 2, 3, 3)"),
                new BadInput("batch mismatch", new Sample(List.of(teacher.firstRows(1)), List.of(student)),
                        "labels[0] (teacher logits)", "(1, 2, 3, 3)"),
                new BadInput("teacher with NaN", new Sample(List.of(teacher.withData(nan)), List.of(student)),
                        "labels[0] (teacher logits)", "NaN"),
                new BadInput("missing teacher", new Sample(List.of(), List.of(student)), "labels"),
                new BadInput("extra prediction slot", new Sample(List.of(teacher), List.of(student, student)),
                        "predictions"));
    }

    /** The dense task producing (4, 2, 6, 6) student logits; the teacher logits are a fixed function of the input. */
    @Override
    protected TrainingTask trainingTask() {
        return new DenseTask(2, 4, 6, 6, false, (manager, x, rng) -> {
            int b = x.length;
            float[] teacher = new float[b * 2 * 36];
            for (int i = 0; i < b; i++) {
                for (int r = 0; r < 6; r++) {
                    for (int c = 0; c < 6; c++) {
                        float score = 4 * x[i][0][r][c] - 2 * x[i][1][r][c];
                        teacher[((i * 2) * 6 + r) * 6 + c] = score;
                        teacher[((i * 2 + 1) * 6 + r) * 6 + c] = -score;
                    }
                }
            }
            return new NDList(manager.create(teacher, new Shape(b, 2, 6, 6)));
        });
    }

    @Test
    void handComputedThreeClassVoxel() {
        // teacher probabilities (0.96, 0.02, 0.02): both terms select the voxel
        HostTensor teacher = HostTensor.floats(new double[] {Math.log(48), 0, 0}, 1, 3);
        HostTensor student = HostTensor.floats(new double[] {0.5, -1.0, 2.0}, 1, 3);
        double[] p = softmax(new double[] {0.5, -1.0, 2.0});
        double expected = -0.96 * Math.log(p[0]) - 0.02 * (Math.log(1 - p[1]) + Math.log(1 - p[2])) / 2;
        double got = Evaluation.valueOf(ConfidentBinaryCrossEntropyLoss.builder().build(),
                new Sample(List.of(teacher), List.of(student)), DataType.FLOAT64)[0];
        Close.assertClose("−w⁺ log p(ŷ) − w⁻ mean_{c≠ŷ} log(1 − p_c)", new double[] {got},
                new double[] {expected}, 1e-12);
    }

    @Test
    void binaryNegativeTermIsCrossEntropyTowardThePseudoLabel() {
        Sample s = sample(1, new Random(71));
        double got = Evaluation.valueOf(ConfidentBinaryCrossEntropyLoss.builder().optTauPositive(2).build(), s,
                DataType.FLOAT64)[0];
        HostTensor student = s.prediction(0);
        HostTensor teacher = s.label(0);
        int spatial = student.size() / (student.dim(0) * 2);
        double sum = 0;
        int count = 0;
        for (int i = 0; i < student.dim(0); i++) {
            for (int v = 0; v < spatial; v++) {
                double[] q = softmax(column(teacher, i, v, 2, spatial));
                int pseudo = q[1] > q[0] ? 1 : 0;
                double lo = Math.min(q[0], q[1]);
                if (lo < 0.1) {
                    sum += -lo * Math.log(softmax(column(student, i, v, 2, spatial))[pseudo]);
                    count++;
                }
            }
        }
        assertThat(count).isPositive();
        Close.assertClose("K = 2: −w⁻ log(1 − p(1 − ŷ)) = −w⁻ log p(ŷ)", new double[] {got},
                new double[] {sum / count}, 1e-9);
    }

    @Test
    void emptySelectionsGiveZeroWithZeroGradient() {
        Sample s = sample(2, new Random(72));
        Sample uncertain = s.withLabel(0, s.label(0).withData(new double[s.label(0).size()]));
        Evaluation e = Evaluation.of(ConfidentBinaryCrossEntropyLoss.builder().build(), uncertain, DataType.FLOAT64);
        assertThat(e.scalar()).isZero();
        assertThat(e.gradient(0)).containsOnly(0.0);
    }

    @Test
    void noneReductionIsRejectedAtConstruction() {
        assertThatThrownBy(() -> ConfidentBinaryCrossEntropyLoss.builder().optReduction(Reduction.NONE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cbc").hasMessageContaining("none");
        assertThatThrownBy(() -> ConfidentBinaryCrossEntropyLoss.builder().optTauNegative(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tauNegative");
    }

    @Test
    void aSmallConvNetLearnsThePeersConfidentLabels() {
        io.github.lossforge.segmentation.LearningCheck.assertLearns(
                ConfidentBinaryCrossEntropyLoss.builder().build(), trainingTask(), 150, 0.5);
    }
}
