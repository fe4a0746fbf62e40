package io.github.lossforge.contrastive.multihead;

import static io.github.lossforge.contrastive.PairReferences.dot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.github.lossforge.contrastive.EmbeddingTasks;
import io.github.lossforge.contrastive.face.LearnableSlots;
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

class AmclLossTest extends LossContract {

    /** H, 2N, D. */
    private static final int[][] SHAPES = {{1, 4, 3}, {2, 6, 4}, {3, 8, 5}};

    static Reference reference(double beta) {
        return s -> {
            HostTensor z = s.prediction(0);
            int heads = z.dim(0);
            int views = z.dim(1);
            int d = z.dim(2);
            int n = views / 2;
            double[] out = new double[views];
            for (int h = 0; h < heads; h++) {
                double[][] x = new double[views][d];
                for (int i = 0; i < views; i++) {
                    double norm = 0;
                    for (int j = 0; j < d; j++) {
                        x[i][j] = z.at((h * views + i) * d + j);
                        norm += x[i][j] * x[i][j];
                    }
                    for (int j = 0; j < d; j++) {
                        x[i][j] /= Math.sqrt(norm);
                    }
                }
                for (int i = 0; i < views; i++) {
                    int pos = (i + n) % views;
                    double hardest = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < views; k++) {
                        if (k != i && k != pos) {
                            hardest = Math.max(hardest, dot(x[i], x[k]));
                        }
                    }
                    double tp = s.prediction(1).at(h * views + i);
                    double tn = s.prediction(2).at(h * views + i);
                    out[i] += -dot(x[i], x[pos]) / tp + hardest / tn
                            + beta * (d / 2.0 * Math.log(tp) + 1 / tp) - beta * (d / 2.0 * Math.log(tn) + 1 / tn);
                }
            }
            return out;
        };
    }

    private static Variant variant(double beta) {
        return new Variant("beta " + beta, r -> AmclLoss.builder().optBeta(beta).optReduction(r).build(), reference(beta));
    }

    @Override
    protected List<Variant> variants() {
        return List.of(variant(0.1), variant(0.0), variant(1.0));
    }

    @Override
    protected Sample sample(int shape, Random rng) {
        int h = SHAPES[shape][0];
        int v = SHAPES[shape][1];
        int d = SHAPES[shape][2];
        return new Sample(List.of(), List.of(Generators.normal(rng, 1, h, v, d), Generators.uniform(rng, 0.1, 1.5, h, v),
                Generators.uniform(rng, 0.1, 1.5, h, v)));
    }

    /** Two views embedded by an MLP into H = 2 heads; temperatures from learnable logits squashed into (0.05, 2). */
    @Override
    protected TrainingTask trainingTask() {
        TrainingTask views = EmbeddingTasks.twoViews(4, 4, 6);
        return new TrainingTask() {
            @Override
            public Block model() {
                Shape t = new Shape(2, 8);
                return new SequentialBlock()
                        .add(Linear.builder().setUnits(16).build())
                        .add(Activation::relu)
                        .add(Linear.builder().setUnits(6).build())
                        .add(new LearnableSlots(List.of(t, t), list -> {
                            NDArray z = list.get(0).reshape(8, 2, 3).transpose(1, 0, 2);
                            return new NDList(z, squash(list.get(1)), squash(list.get(2)));
                        }));
            }

            @Override
            public Shape inputShape() {
                return views.inputShape();
            }

            @Override
            public NDList[] batch(NDManager manager, Random rng, int step) {
                return views.batch(manager, rng, step);
            }
        };
    }

    private static NDArray squash(NDArray logits) {
        return Scalar.mul(Activation.sigmoid(logits), 1.95).add(0.05);
    }

    @Override
    protected List<RegistryCase> registryCases() {
        return List.of(
                new RegistryCase(Map.of(), () -> AmclLoss.builder().build()),
                new RegistryCase(Map.of("beta", 0.5, "tauMin", 0.01, "tauMax", 3, "reduction", "sum"),
                        () -> AmclLoss.builder().optBeta(0.5).optTauMin(0.01).optTauMax(3).optReduction(Reduction.SUM)
                                .build()));
    }

    @Override
    protected List<BadInput> badInputs(Random rng) {
        HostTensor z = Generators.normal(rng, 1, 2, 6, 3);
        HostTensor t = Generators.uniform(rng, 0.1, 1, 2, 6);
        return List.of(
                new BadInput("rank-2 embeddings", new Sample(List.of(), List.of(z.reshape(12, 3), t, t)),
                        "predictions[0] (head embeddings)", "(H, 2N, D)"),
                new BadInput("odd views", new Sample(List.of(), List.of(Generators.normal(rng, 1, 2, 5, 3),
                        Generators.uniform(rng, 0.1, 1, 2, 5), Generators.uniform(rng, 0.1, 1, 2, 5))),
                        "predictions[0] (head embeddings)", "even"),
                new BadInput("temperature shape", new Sample(List.of(), List.of(z, t.reshape(12, 1), t)),
                        "predictions[1] (positive temperatures)", "(12, 1)", "(2, 6)"),
                new BadInput("temperature above tauMax", new Sample(List.of(), List.of(z, t,
                        Generators.uniform(rng, 2.5, 3, 2, 6))), "predictions[2] (negative temperatures)", "[1.0E-5, 2.0]"),
                new BadInput("missing temperatures", new Sample(List.of(), List.of(z, t)), "predictions"));
    }

    @Test
    void withEqualTemperaturesAndNoRegulariserItIsTheHardestNegativeMarginOfCosines() {
        Sample s = sample(1, new Random(3));
        double[] ones = new double[2 * 6];
        java.util.Arrays.fill(ones, 1.0);
        HostTensor one = HostTensor.floats(ones, 2, 6);
        Sample unit = new Sample(List.of(), List.of(s.prediction(0), one, one));
        double[] got = Evaluation.valueOf(AmclLoss.builder().optBeta(0.7).optReduction(Reduction.NONE).build(), unit,
                DataType.FLOAT64);
        // τ⁺ = τ⁻ = 1: Ω terms cancel, leaving Σ_heads (max_n s_in − s_ii⁺).
        Close.assertClose("hardest-negative margin", got, reference(0).perSample(unit), 1e-12);
    }

    @Test
    void adaptiveTemperatureBlockStaysInsideItsBounds() {
        Block block = AdaptiveTemperature.block(8, 0.05, 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT32, new Shape(5, 6));
            NDArray pairs = m.randomNormal(0, 50, new Shape(5, 6), DataType.FLOAT32);
            NDArray tau = block.forward(new ParameterStore(m, false), new NDList(pairs), false).singletonOrThrow();
            assertThat(tau.getShape()).isEqualTo(new Shape(5));
            for (float v : tau.toFloatArray()) {
                assertThat(v).isBetween(0.05f, 0.5f);
            }
        }
        assertThatThrownBy(() -> AdaptiveTemperature.block(8, 1, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tauMin");
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> AmclLoss.builder().optBeta(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amcl").hasMessageContaining("beta");
        assertThatThrownBy(() -> AmclLoss.builder().optTauMin(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tauMin");
    }
}
