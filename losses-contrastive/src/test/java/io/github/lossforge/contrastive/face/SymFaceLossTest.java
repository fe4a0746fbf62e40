package io.github.lossforge.contrastive.face;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static io.github.lossforge.contrastive.PairReferences.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
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

class SymFaceLossTest extends LossContract {

    /** N, D. */
    private static final int[][] SHAPES = {{1, 3}, {5, 4}, {8, 6}};

    /** The per-face distances, by loops; faces below the threshold read 0. */
    static double[] distances(Sample s, boolean cosine, double threshold) {
        double[][] l = rows(s.prediction(0), cosine);
        double[][] r = rows(s.prediction(1), cosine);
        double[] out = new double[l.length];
        for (int i = 0; i < l.length; i++) {
            if (s.labels().size() > 0 && s.label(0).at(i) < threshold) {
                continue;
            }
            if (cosine) {
                out[i] = 1 - dot(l[i], r[i]);
            } else {
                double sq = 0;
                for (int j = 0; j < l[i].length; j++) {
                    sq += (l[i][j] - r[i][j]) * (l[i][j] - r[i][j]);
                }
                out[i] = Math.sqrt(sq);
            }
        }
        return out;
    }

    static Reference reference(boolean cosine, double threshold) {
        return new Reference() {
            @Override
            public double[] perSample(Sample s) {
                return distances(s, cosine, threshold);
            }

            @Override
            public double mean(Sample s) {
                int count = 0;
                for (int i = 0; i < s.prediction(0).dim(0); i++) {
                    count += s.labels().isEmpty() || s.label(0).at(i) >= threshold ? 1 : 0;
                }
                return count == 0 ? 0 : sum(s) / count;
            }
        };
    }

    private static Variant variant(String distance, double threshold) {
        return new Variant(distance + " rho >= " + threshold,
                r -> SymFaceLoss.builder().optDistance(distance).optRhoThreshold(threshold).optReduction(r).build(),
                reference("cosine".equals(distance), threshold));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant("cosine", 0.0), variant("cosine", 0.5), variant("l2", 0.0), variant("l2", 0.3));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int n = SHAPES[shape][0];
        int d = SHAPES[shape][1];
        double[] rho = Generators.uniform(rng, 0, 1, n).data();
        rho[0] = 0.9;
        return new Sample(List.of(HostTensor.floats(rho, n)),
                List.of(Generators.normal(rng, 1, n, d), Generators.normal(rng, 1, n, d)));
    }

    @Override
    protected TrainingTask trainingTask() {
        return EmbeddingTasks.twoViews(4, 8, 4);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> SymFaceLoss.builder().build()),
                new RegistryCase(Map.of("distance", "l2", "rhoThreshold", 0.4, "reduction", "none"),
                        () -> SymFaceLoss.builder().optDistance("l2").optRhoThreshold(0.4)
                                .optReduction(Reduction.NONE).build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor l = Generators.normal(rng, 1, 4, 3);
        HostTensor rho = Generators.uniform(rng, 0, 1, 4);
        return List.of(
                new BadInput("rank-1 left", new Sample(List.of(rho), List.of(l.reshape(12), l)),
                        "predictions[0] (left-half embeddings)", "(N, D)"),
                new BadInput("shape mismatch", new Sample(List.of(rho), List.of(l, Generators.normal(rng, 1, 4, 2))),
                        "predictions[1] (right-half embeddings)", "(4, 2)", "(4, 3)"),
                new BadInput("rho batch mismatch", new Sample(List.of(rho.firstRows(3)), List.of(l, l)),
                        "labels[0] (frontality)", "(3)", "4"),
                new BadInput("rank-2 rho", new Sample(List.of(rho.reshape(4, 1)), List.of(l, l)),
                        "labels[0] (frontality)", "(N)"),
                new BadInput("missing right half", new Sample(List.of(rho), List.of(l)), "predictions"));
    }

    @Test
    void withoutFrontalityEveryFaceCounts() {
        Sample s = sample(2, new Random(3));
        Sample noRho = new Sample(List.of(), s.predictions());
        double got = Evaluation.of(SymFaceLoss.builder().optRhoThreshold(0.99).build(), noRho, DataType.FLOAT64).scalar();
        Close.assertClose("mean over all faces", new double[] {got},
                new double[] {reference(true, 0.99).mean(noRho)}, 1e-12);
        double all = 0;
        for (double v : distances(noRho, true, 0)) {
            all += v;
        }
        Close.assertClose("mean over all faces", new double[] {got}, new double[] {all / 8}, 1e-12);
    }

    @Test
    void identicalHalvesGiveZeroAndNoFaceAboveTheThresholdGivesZero() {
        Sample s = sample(1, new Random(4));
        Sample same = s.withPrediction(1, s.prediction(0));
        for (String distance : new String[] {"cosine", "l2"}) {
            Evaluation e = Evaluation.of(SymFaceLoss.builder().optDistance(distance).build(), same, DataType.FLOAT64);
            assertThat(Math.abs(e.scalar())).isLessThan(1e-12);
            Close.assertFinite(distance + " gradient", e.gradient(0));
        }
        Evaluation none = Evaluation.of(SymFaceLoss.builder().optRhoThreshold(2).build(), s, DataType.FLOAT64);
        assertThat(none.scalar()).isZero();
        for (double g : none.gradient(0)) {
            assertThat(Math.abs(g)).isZero();
        }
    }

    @Test
    void combinesWithArcFaceAsAPlainSum() {
        // L = L_arcface(full face) + L_symface(halves): the sum's gradient on the half embeddings is symface's alone.
        Sample halves = sample(1, new Random(5));
        Sample faces = MarginSoftmaxLossTest.randomSample(1, new Random(6));
        double arc = Evaluation.of(MarginSoftmaxLoss.arcFace().build(), faces, DataType.FLOAT64).scalar();
        double sym = Evaluation.of(SymFaceLoss.builder().build(), halves, DataType.FLOAT64).scalar();
        Close.assertClose("symface part", new double[] {sym}, new double[] {reference(true, 0).mean(halves)}, 1e-12);
        assertThat(arc + sym).isGreaterThan(arc);
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> SymFaceLoss.builder().optDistance("l1").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("symface")
                .hasMessageContaining("distance");
        assertThatThrownBy(() -> SymFaceLoss.builder().optRhoThreshold(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rhoThreshold");
    }
}
